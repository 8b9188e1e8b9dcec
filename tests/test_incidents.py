"""A step that fails is an incident of its instance (Camunda's word), never a stopped worker: the instance waits
in ``error`` with a Chinese message naming the element (and the variable), the other instances' timers keep
firing, a restarted worker does not stumble on it again, and it can be retried or cancelled."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from engine import Incident, InstanceNotRunning, ProcessInstance, StepFailed
from engine.worker import sweep
from tests.deployment_support import chain, script, user_task
from tests.engine_support import diagram, make_engine
from tests.web_support import ensure_user
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory
from workflows.runtime import process_engine

# What a script after a PT1H timer leaves behind (tests/diagrams/poison.bpmn), and the variable to be named.
POISONS = {
    "range": "r", "set": "r", "bytes": "r", "complex": "r", "tuple_keys": "r", "huge_int": "r", "nested": "r",
    "nan": "r", "int_keys": "names", "system_exit": None, "keyboard_interrupt": None,
    "generator_throw": None,
}


def _start_poisoned(engine_db, *kinds: str) -> dict[str, int]:
    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    ids = {kind: engine.start_instance("poison", data={"kind": kind, "roles": {}}).id for kind in kinds}
    engine.clock.advance(timedelta(hours=2))
    session.commit()
    return ids


def _row(engine_db, instance_id: int) -> ProcessInstance:
    return engine_db().get(ProcessInstance, instance_id)


@pytest.mark.parametrize("kind", sorted(POISONS))
def test_a_script_leaving_what_cannot_be_stored_puts_only_its_instance_in_error_naming_the_element(engine_db, kind):
    ids = _start_poisoned(engine_db, kind, "healthy")

    result = sweep(engine_db, make_engine)

    assert result.fired == 1 and [instance_id for instance_id, _ in result.failed] == [ids[kind]]
    broken = _row(engine_db, ids[kind])
    assert broken.status == "error" and broken.next_timer_at is None
    assert "“整理数据”（compute）" in broken.error_message
    incident = engine_db().scalar(select(Incident).where(Incident.instance_id == ids[kind]))
    assert (incident.element, incident.variable, incident.resolved_at) == ("compute", POISONS[kind], None)
    if POISONS[kind]:
        assert f"变量 {POISONS[kind]}" in incident.message
    assert _row(engine_db, ids["healthy"]).status == "completed"


def test_a_date_a_script_makes_is_stored_as_iso_text_by_the_worker_as_by_the_api(engine_db):
    ids = _start_poisoned(engine_db, "date")
    result = sweep(engine_db, make_engine)
    row = _row(engine_db, ids["date"])
    assert (result.failed, row.status) == ([], "completed")
    assert "'deadline': '2017-06-30'" in str(row.state)


def test_integer_keys_are_refused_rather_than_silently_turned_into_text(engine_db):
    ids = _start_poisoned(engine_db, "int_keys")
    sweep(engine_db, make_engine)
    row = engine_db().get(ProcessInstance, ids["int_keys"])
    assert row.status == "error" and "names" in row.error_message
    assert "names" not in str(row.state)  # the failed step left nothing behind


def test_an_instance_in_error_is_not_due_so_a_restarted_worker_does_not_stumble_on_it_again(engine_db):
    _start_poisoned(engine_db, "range")
    sweep(engine_db, make_engine)

    again = sweep(engine_db, make_engine)

    assert (again.fired, again.failed) == (0, [])
    assert make_engine(engine_db()).due_timer_instance_id() is None


def test_the_incident_is_in_the_history_with_its_element(engine_db):
    ids = _start_poisoned(engine_db, "system_exit")
    sweep(engine_db, make_engine)
    events = make_engine(engine_db()).history(ids["system_exit"])
    assert events[-1].kind == "incident" and events[-1].data["element"] == "compute"
    assert "代码要求退出（不允许）" in events[-1].data["message"]


def test_retrying_after_a_migration_to_a_corrected_version_runs_the_failed_step_and_resolves_the_incident(engine_db):
    ids = _start_poisoned(engine_db, "range")
    sweep(engine_db, make_engine)
    session = engine_db()
    engine = make_engine(session)
    fixed = engine.deploy(diagram("poison.bpmn").replace(b"r = range(3)", b"r = list(range(3))"),
                          deployed_by="tester")[0]
    engine.migrate_instance(ids["range"], fixed, actor="office")
    session.commit()

    retried = engine.retry_instance(ids["range"], actor="office")
    session.commit()

    assert retried.row.status == "completed" and retried.data["r"] == [0, 1, 2]
    incident = session.scalar(select(Incident).where(Incident.instance_id == ids["range"]))
    assert incident.resolved_by == "office" and incident.resolved_at is not None
    kinds = [e.kind for e in engine.history(ids["range"])]
    assert kinds.index("incident") < kinds.index("migrated") < kinds.index("retried") < kinds.index("completed")


def test_a_retry_that_fails_again_raises_and_leaves_the_instance_in_error_with_its_incident(engine_db):
    ids = _start_poisoned(engine_db, "range")
    sweep(engine_db, make_engine)
    session = engine_db()
    with pytest.raises(StepFailed) as failure:
        make_engine(session).retry_instance(ids["range"], actor="office")
    session.rollback()
    assert failure.value.element == "compute" and failure.value.variable == "r"
    assert _row(engine_db, ids["range"]).status == "error"
    assert make_engine(engine_db()).open_incident(ids["range"]) is not None


def test_a_running_instance_cannot_be_retried(engine_db):
    ids = _start_poisoned(engine_db, "healthy")
    with pytest.raises(InstanceNotRunning):
        make_engine(engine_db()).retry_instance(ids["healthy"], actor="office")


def test_an_instance_in_error_can_be_cancelled_and_its_incident_is_resolved(engine_db):
    ids = _start_poisoned(engine_db, "nan")
    sweep(engine_db, make_engine)
    session = engine_db()
    engine = make_engine(session)

    engine.cancel_instance(ids["nan"], actor="office", reason="流程图有误")
    session.commit()

    assert _row(engine_db, ids["nan"]).status == "cancelled"
    assert engine.open_incident(ids["nan"]) is None


def test_the_worker_command_reports_the_failure_and_serves_the_others(app, db, runner):
    engine = process_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    broken = engine.start_instance("poison", data={"kind": "complex"}).id
    healthy = engine.start_instance("poison", data={"kind": "healthy"}).id
    db.commit()
    runner.invoke(args=["clock", "advance", "2h"])

    result = runner.invoke(args=["worker", "--once"])

    assert result.exit_code == 0 and "已触发 1 个" in result.output and "失败 1 个" in result.output
    assert "“整理数据”（compute）" in result.output
    db.expire_all()
    assert (db.get(ProcessInstance, broken).status, db.get(ProcessInstance, healthy).status) == ("error", "completed")


# -- through the API -------------------------------------------------------------------------------------------

@pytest.fixture
def office_api(app, db):
    """``request(method, path, json=None)`` as the office (区推进办) with its Bearer token."""
    directory.load_directory(db)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    token = issue_token(db, ensure_user(db, "office", "tuijinban", "office"), datetime.utcnow())
    db.commit()
    client = app.test_client()

    def request(method, path, json=None):
        response = client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})
        db.expire_all()
        return response

    return request


def test_completing_a_task_whose_next_script_fails_answers_422_naming_element_and_variable_and_changes_nothing(
        office_api, db):
    process_engine(db).deploy(chain("office_check", user_task("review", "审核"), script("compute", "r = range(3)")),
                              deployed_by="office")
    instance = process_engine(db).start_instance("office_check")
    db.commit()
    [task] = office_api("GET", f"/api/process-instances/{instance.id}").json["open_tasks"]
    history_before = len(process_engine(db).history(instance.id))

    response = office_api("POST", f"/api/tasks/{task['id']}/complete", {})

    assert response.status_code == 422
    assert (response.json["element"], response.json["variable"]) == ("compute", "r")
    assert "compute" in response.json["error"] and "变量 r" in response.json["error"]
    after = office_api("GET", f"/api/process-instances/{instance.id}").json
    assert after["status"] == "running" and [t["id"] for t in after["open_tasks"]] == [task["id"]]
    assert len(after["history"]) == history_before and after["incident"] is None


def test_the_instance_json_shows_its_open_incident(office_api, db):
    engine = process_engine(db)
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    instance_id = engine.start_instance("poison", data={"kind": "bytes"}).id
    engine.clock.advance(timedelta(hours=2))
    db.commit()
    sweep(sessionmaker(db.get_bind()), process_engine)

    body = office_api("GET", f"/api/process-instances/{instance_id}").json

    assert body["status"] == "error"
    assert (body["incident"]["element"], body["incident"]["variable"]) == ("compute", "r")
    assert "变量 r" in body["incident"]["message"]


def test_the_retry_command_reports_a_second_failure_in_chinese_and_runs_the_step_once_fixed(app, db, runner):
    engine = process_engine(db)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    instance_id = engine.start_instance("poison", data={"kind": "set"}).id
    db.commit()
    runner.invoke(args=["clock", "advance", "2h"])
    runner.invoke(args=["worker", "--once"])

    again = runner.invoke(args=["worker", "retry", str(instance_id)])
    assert again.exit_code != 0 and "变量 r" in again.output

    fixed = engine.deploy(diagram("poison.bpmn").replace(b"r = {1, 2}", b"r = [1, 2]"), deployed_by="tester")[0]
    engine.migrate_instance(instance_id, fixed, actor="office")
    db.commit()
    done = runner.invoke(args=["worker", "retry", str(instance_id)])

    assert done.exit_code == 0 and "已重新运行，当前状态：已结束" in done.output
    db.expire_all()
    assert db.get(ProcessInstance, instance_id).status == "completed"
