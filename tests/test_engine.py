"""The engine keeps an instance in the database after every step and picks it up again exactly."""
from __future__ import annotations

import logging
from datetime import datetime

import pytest
from sqlalchemy import select, text

from engine import HumanTask, InvalidDiagram, ProcessDefinition, ScriptError, TaskNotReady, serializer
from engine.engine import BpmnEngine
from tests.engine_support import diagram, make_engine

ROLES = {"申请人": "street_a", "审核人": "dept_office"}
START_DATA = {"roles": ROLES, "reviewers": ["dept_x", "dept_y"], "remind_at": "2017-06-12T09:00:00"}


def open_tasks(session, instance_id):
    return session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
                           .order_by(HumanTask.id)).all()


def reloaded(factory, instance_id):
    """A new session and engine, as the next request or the worker would have."""
    session = factory()
    return session, make_engine(session), make_engine(session).get_instance(instance_id)


def assert_saved_state_round_trips(engine: BpmnEngine, instance) -> None:
    assert serializer().to_dict(instance.workflow) == instance.row.state


@pytest.fixture
def started(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(diagram("countersign.bpmn"), deployed_by="tester")
        instance = engine.start_instance("countersign", business_key="2017-01", data=START_DATA, actor="tester")
        session.commit()
        return instance.id


def test_a_two_lane_countersign_runs_to_the_end_reloaded_after_every_step(engine_db, started):
    session, engine, instance = reloaded(engine_db, started)
    [fill] = open_tasks(session, started)
    assert (fill.name, fill.lane, fill.assigned_unit) == ("填写申请", "申请人", "street_a")
    assert_saved_state_round_trips(engine, instance)
    engine.complete_task(fill.id, {"title": "加装电梯"}, actor="street_a")
    session.commit()

    for _ in range(2):
        session, engine, instance = reloaded(engine_db, started)
        assert_saved_state_round_trips(engine, instance)
        task = open_tasks(session, started)[0]
        engine.complete_task(task.id, {"agree": True}, actor=task.assigned_unit)
        session.commit()

    session, engine, instance = reloaded(engine_db, started)
    assert instance.row.status == "completed"
    assert instance.workflow.is_completed()
    assert instance.data["title"] == "加装电梯"
    assert instance.data["reviewers"] == ["dept_x", "dept_y"]  # a reload does not make the collection grow
    assert [e.kind for e in engine.history(started)] == [
        "started", "task_completed", "task_completed", "task_completed", "completed"]


def test_each_child_of_the_multi_instance_task_goes_to_the_unit_it_iterates_over(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    engine.complete_task(open_tasks(session, started)[0].id, {"title": "x"}, actor="street_a")
    session.commit()
    session, _, _ = reloaded(engine_db, started)
    assert [(t.name, t.lane, t.assigned_unit) for t in open_tasks(session, started)] == [
        ("会签", "审核人", "dept_x"), ("会签", "审核人", "dept_y")]


def test_the_boundary_timer_fires_only_when_the_simulated_clock_passes_it(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    engine.complete_task(open_tasks(session, started)[0].id, {"title": "x"}, actor="street_a")
    engine.clock.set(datetime(2017, 6, 12, 8, 59))
    session.commit()

    session, engine, instance = reloaded(engine_db, started)
    assert instance.row.next_timer_at == datetime(2017, 6, 12, 1, 0)  # 09:00 in Shanghai, stored as UTC
    assert engine.due_timer_instance_id() is None
    engine.fire_timers(started)
    assert [t.name for t in open_tasks(session, started)] == ["会签", "会签"]

    engine.clock.set(datetime(2017, 6, 12, 9, 1))
    assert engine.due_timer_instance_id() == started
    engine.fire_timers(started)
    session.commit()

    session, engine, instance = reloaded(engine_db, started)
    assert [t.name for t in open_tasks(session, started)] == ["会签", "会签", "催办"]
    assert open_tasks(session, started)[2].assigned_unit == "street_a"
    assert "timer_fired" in [e.kind for e in engine.history(started)]
    assert instance.row.next_timer_at is None


def test_a_completed_task_cannot_be_completed_again(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    fill = open_tasks(session, started)[0]
    engine.complete_task(fill.id, {"title": "x"}, actor="street_a")
    session.commit()
    with pytest.raises(TaskNotReady):
        engine.complete_task(fill.id, {"title": "y"}, actor="street_a")


def test_a_cancelled_instance_closes_its_open_tasks(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    engine.cancel_instance(started, actor="office", reason="项目撤销")
    session.commit()
    session, engine, instance = reloaded(engine_db, started)
    assert instance.row.status == "cancelled"
    assert open_tasks(session, started) == []
    assert engine.history(started)[-1].data == {"reason": "项目撤销"}


def test_running_instances_keep_the_version_they_started_with(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    changed = diagram("countersign.bpmn").replace("填写申请".encode(), "填写新申请".encode())
    [v2] = engine.deploy(changed, deployed_by="office")
    newer = engine.start_instance("countersign", data=START_DATA)
    session.commit()
    session, engine, first = reloaded(engine_db, started)
    assert (first.row.definition.version, v2.version) == (1, 2)
    assert [t.name for t in open_tasks(session, newer.id)] == ["填写新申请"]
    assert [t.name for t in open_tasks(session, started)] == ["填写申请"]


def test_deploying_an_unchanged_file_adds_no_version(engine_db, started):
    session, engine, _ = reloaded(engine_db, started)
    engine.deploy(diagram("countersign.bpmn"), deployed_by="office")
    assert session.scalars(select(ProcessDefinition.version)).all() == [1]


def test_a_bare_iso_duration_waits_by_the_clock_and_the_script_runs_in_the_sandbox(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
        instance = engine.start_instance("timers", data={"values": [1, 2, 3]})
        engine.clock.set(datetime(2017, 6, 11, 8, 0))
        engine.fire_timers(instance.id)
        assert instance.row.status == "running"
        engine.clock.set(datetime(2017, 6, 11, 9, 30))
        instance = engine.fire_timers(instance.id)
        assert instance.row.status == "completed"
        assert (instance.data["total"], instance.data["label"]) == (6, "合计6")


def test_a_script_that_reaches_for_a_file_is_stopped_when_it_runs(engine_db):
    unsafe = diagram("timers.bpmn").replace(b"total = sum(values)", b"total = open('/etc/passwd').read()")
    with engine_db() as session:
        engine = make_engine(session)
        engine.deploy(unsafe, deployed_by="tester")
        instance = engine.start_instance("timers", data={"values": []})
        engine.clock.set(datetime(2030, 1, 1))
        with pytest.raises(ScriptError, match="open"):
            engine.fire_timers(instance.id)


def test_reading_an_instance_does_not_change_what_is_stored(engine_db, started):
    session, engine, first = reloaded(engine_db, started)
    second = engine.get_instance(started)
    assert [str(t.id) for t in second.ready_human_tasks()] == [str(t.id) for t in first.ready_human_tasks()]
    assert_saved_state_round_trips(engine, second)


def test_a_diagram_whose_script_the_sandbox_refuses_is_not_deployed(engine_db):
    unsafe = diagram("timers.bpmn").replace(b"total = sum(values)", b"total = ().__class__.__bases__")
    with engine_db() as session:
        with pytest.raises(InvalidDiagram) as refused:
            make_engine(session).deploy(unsafe, deployed_by="tester")
        assert refused.value.element == "compute" and "__class__" in refused.value.message
        assert session.scalars(select(ProcessDefinition)).all() == []


def test_a_gateway_condition_the_sandbox_refuses_is_named_at_deploy_time(engine_db):
    with_condition = diagram("countersign.bpmn").replace(
        b'<bpmn:sequenceFlow id="f5" sourceRef="sign" targetRef="end" />',
        b'<bpmn:exclusiveGateway id="check" default="f6" />'
        b'<bpmn:sequenceFlow id="f5" sourceRef="sign" targetRef="check" />'
        b'<bpmn:sequenceFlow id="f6" sourceRef="check" targetRef="end" />'
        b'<bpmn:sequenceFlow id="f7" sourceRef="check" targetRef="end"><bpmn:conditionExpression>'
        b'title.__class__</bpmn:conditionExpression></bpmn:sequenceFlow>')
    with engine_db() as session:
        with pytest.raises(InvalidDiagram) as refused:
            make_engine(session).deploy(with_condition, deployed_by="tester")
        assert refused.value.element == "check"


def test_the_history_can_be_appended_to_but_never_changed_or_deleted(engine_db, started):
    from engine.models import HistoryEvent, HistoryIsAppendOnly

    with engine_db() as session:
        first = session.scalars(select(HistoryEvent).where(HistoryEvent.instance_id == started)).first()
        first.actor = "someone else"
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        session.delete(session.get(HistoryEvent, first.id))
        with pytest.raises(HistoryIsAppendOnly):
            session.flush()
        session.rollback()
        assert session.get(HistoryEvent, first.id).actor == "tester"


def test_instances_started_in_one_batch_each_get_an_id_tasks_and_a_history_as_if_started_alone(engine_db):
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        [definition] = engine.deploy(diagram("countersign.bpmn"), deployed_by="tester")
        alone = engine.start_instance("countersign", business_key="2017-00", data=START_DATA, actor="tester")
        batch = engine.start_instances(definition, [(f"2017-{n:02d}", START_DATA) for n in (1, 2, 3)], actor="tester")
        session.commit()

        def summary(instance):
            return ([(t.name, t.lane, t.assigned_unit) for t in open_tasks(session, instance.id)],
                    [(e.kind, e.actor) for e in engine.history(instance.id)], instance.row.next_timer_at)

        assert [instance.row.business_key for instance in batch] == ["2017-01", "2017-02", "2017-03"]
        assert len({alone.id, *(instance.id for instance in batch)}) == 4
        for instance in batch:
            assert summary(instance) == summary(alone)
            assert_saved_state_round_trips(engine, instance)


def test_a_step_logged_at_info_writes_no_line_per_task_state_change(engine_db, caplog):
    # The worker logs at INFO: SpiffWorkflow would otherwise write a line (and walk the task tree) for each task.
    caplog.set_level(logging.INFO)
    with engine_db() as session:
        engine = make_engine(session)
        engine.clock.set(datetime(2017, 6, 8, 9, 0))
        engine.deploy(diagram("countersign.bpmn"), deployed_by="tester")
        engine.start_instance("countersign", business_key="2017-01", data=START_DATA, actor="tester")
        session.commit()
    assert [record.getMessage() for record in caplog.records if record.name.startswith("spiff")] == []


def test_a_level_the_operator_set_for_spiffworkflow_is_kept(engine_db):
    logging.getLogger("spiff.task").setLevel(logging.DEBUG)
    try:
        with engine_db() as session:
            make_engine(session)
        assert logging.getLogger("spiff.task").level == logging.DEBUG
    finally:
        logging.getLogger("spiff.task").setLevel(logging.NOTSET)


def test_on_postgresql_an_instances_state_is_stored_compressed_with_lz4_where_the_server_offers_it(engine_db, started):
    session = engine_db()
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("column compression is PostgreSQL's")
    offered = session.execute(text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")).scalar()
    if "lz4" not in (offered or []):
        pytest.skip("this server was built without LZ4")
    assert session.execute(text("SELECT pg_column_compression(state) FROM process_instance WHERE id = :id"),
                           {"id": started}).scalar() == "lz4"
