"""Bounds no diagram can pass: timers at most 10 years away, cycles no shorter than a minute, at most 1,000
children of a multi-instance activity, a time budget per instance and step. What a diagram states literally is
refused at deploy (422 naming the element); what an expression computes is an incident naming the element."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from SpiffWorkflow.util.task import TaskState

from engine import BpmnEngine, InvalidDiagram, ProcessInstance, StepFailed
from engine.bounds import EngineBounds
from engine.worker import sweep
from tests.deployment_support import chain, script, timer
from tests.engine_support import diagram, make_engine
from tests.web_support import ensure_user
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory
from workflows.runtime import engine_bounds, process_engine


def _multi_instance(cardinality: str) -> str:
    return (f'<bpmn:userTask id="sign" name="会签"><bpmn:multiInstanceLoopCharacteristics>'
            f'<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>'
            f'</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>')


REFUSED_AT_DEPLOY = {
    "a duration of 99,999,999 years": (timer("wait", "timeDuration", "P99999999Y"), "wait", "10 年"),
    "a 30-digit day count": (timer("wait", "timeDuration", "'P' + '9'*30 + 'D'"), "wait", "10 年"),
    "an endless zero-length cycle": (timer("wait", "timeCycle", "R/PT0S"), "wait", "1 分钟"),
    "100,000 one-second cycles": (timer("wait", "timeCycle", "R100000/PT1S"), "wait", "1 分钟"),
    "a million children": (_multi_instance("1000001"), "sign", "0–1000"),
    "minus five children": (_multi_instance("-5"), "sign", "0–1000"),
}


@pytest.mark.parametrize("case", sorted(REFUSED_AT_DEPLOY))
def test_literal_values_beyond_the_bounds_are_refused_at_deploy_naming_the_element(engine_db, case):
    node, element, reason = REFUSED_AT_DEPLOY[case]
    with pytest.raises(InvalidDiagram) as refused:
        make_engine(engine_db()).deploy(chain("bounded", node), deployed_by="tester")
    assert refused.value.element == element and element in refused.value.message and reason in refused.value.message


def test_values_within_the_bounds_deploy(engine_db):
    nodes = (timer("wait", "timeDuration", "P9Y"), timer("tick", "timeCycle", "R3/PT1M"), _multi_instance("1000"))
    [definition] = make_engine(engine_db()).deploy(chain("bounded", *nodes), deployed_by="tester")
    assert definition.version == 1


def test_the_bounds_are_settings(engine_db):
    bounds = engine_bounds({"MAX_TIMER_YEARS": "2", "MAX_INSTANCES_PER_ACTIVITY": "10"})
    engine = BpmnEngine(engine_db(), local_tz=ZoneInfo("Asia/Shanghai"), bounds=bounds)
    with pytest.raises(InvalidDiagram, match="2 年"):
        engine.deploy(chain("bounded", timer("wait", "timeDuration", "P3Y")), deployed_by="tester")
    with pytest.raises(InvalidDiagram, match="0–10"):
        engine.deploy(chain("bounded", _multi_instance("11")), deployed_by="tester")


def test_through_the_api_a_deploy_beyond_the_bounds_is_a_422_naming_the_element(app, db):
    directory.load_directory(db)
    token = issue_token(db, ensure_user(db, "office", "tuijinban", "office"), datetime.utcnow())
    db.commit()
    xml = chain("bounded", timer("wait", "timeDuration", "'P' + '9'*30 + 'D'"))

    response = app.test_client().post("/api/process-definitions", data=xml, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/xml"})

    assert response.status_code == 422
    assert [problem["element"] for problem in response.json["problems"]] == ["wait"]


# -- at run time ------------------------------------------------------------------------------------------------

@pytest.fixture
def engine(engine_db):
    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("bounds.bpmn"), deployed_by="tester")
    session.commit()
    return engine


@pytest.mark.parametrize("key, data, element, reason", [
    ("timer_from_data", {"wait_for": "P99999999Y"}, "td_wait", "10 年"),
    ("timer_from_data", {"wait_for": "P" + "9" * 30 + "D"}, "td_wait", "10 年"),
    ("cycle_from_data", {"cycle": "R/PT0S"}, "cd_wait", "1 分钟"),
    ("cycle_from_data", {"cycle": "R100000/PT1S"}, "cd_wait", "1 分钟"),
    ("cardinality_from_data", {"count": 1_000_000}, "cf_sign", "0–1000"),
    ("cardinality_from_data", {"count": -5}, "cf_sign", "0–1000"),
    ("collection_from_data", {"items": list(range(240_000))}, "cl_sign", "240000"),
])
def test_computed_values_beyond_the_bounds_fail_the_step_naming_the_element(engine, key, data, element, reason):
    with pytest.raises(StepFailed) as failed:
        engine.start_instance(key, data=data | {"roles": {}})
    assert failed.value.element == element and reason in failed.value.message


def test_a_timer_computed_beyond_the_bounds_when_the_worker_reaches_it_is_an_incident_naming_it(engine_db):
    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(chain("late_timer", timer("first", "timeDuration", "PT1H"),
                        script("compute", "wait_for = 'P' + '9' * 8 + 'Y'"),
                        timer("second", "timeDuration", "wait_for")), deployed_by="tester")
    instance_id = engine.start_instance("late_timer").id
    engine.clock.advance(timedelta(hours=2))
    session.commit()

    result = sweep(engine_db, make_engine)

    assert result.fired == 0 and [i for i, _ in result.failed] == [instance_id]
    incident = make_engine(engine_db()).open_incident(instance_id)
    assert incident.element == "second" and "10 年" in incident.message


def test_a_worker_that_was_down_a_day_fires_a_missed_hourly_reminder_once_not_24_times(engine, engine_db):
    instance_id = engine.start_instance("reminders", data={"roles": {}}).id
    engine.clock.advance(timedelta(days=1))
    engine.session.commit()

    assert sweep(engine_db, make_engine).fired == 1

    instance = make_engine(engine_db()).get_instance(instance_id)
    reminders = [t for t in instance.workflow.get_tasks(spec_name="rm_note") if t.state == TaskState.COMPLETED]
    assert len(reminders) == 1
    assert instance.row.status == "running" and instance.row.next_timer_at > datetime(2017, 6, 9, 1, 0)  # UTC now
    assert sweep(engine_db, make_engine).fired == 0


def test_an_instance_that_runs_past_its_time_budget_fails_naming_the_element(engine_db, engine):
    bounded = BpmnEngine(engine_db(), local_tz=ZoneInfo("Asia/Shanghai"), bounds=EngineBounds(step_seconds=0.2))
    with pytest.raises(StepFailed, match="0.2 秒") as failed:
        bounded.start_instance("busy_loop", data={"i": 0})
    assert failed.value.element in ("bl_count", "bl_again")
