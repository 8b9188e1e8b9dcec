"""A BPMN error thrown by a called process, as Camunda 7 documents it: caught by a matching error boundary event on
the call activity; uncaught, it ends its path like a none end event (Camunda's default) — and either way the
history says so (``error_thrown`` with the code). With UNHANDLED_ERROR_INCIDENT (Camunda's
enableExceptionsAfterUnhandledBpmnError) an uncaught error is an incident instead."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from engine import BpmnEngine, StepFailed
from engine.bounds import EngineBounds
from tests.engine_support import diagram, make_engine
from workflows.runtime import engine_bounds


@pytest.fixture
def engine(engine_db):
    engine = make_engine(engine_db())
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("error_events.bpmn"), deployed_by="tester")
    engine.session.commit()
    return engine


def _thrown(engine, instance_id: int) -> list[dict]:
    return [event.data for event in engine.history(instance_id) if event.kind == "error_thrown"]


def test_an_error_from_the_called_process_is_caught_by_the_call_activitys_boundary_event(engine):
    instance = engine.start_instance("caller_catches", data={"papers": "缺"})
    engine.session.flush()
    assert instance.row.status == "completed" and instance.data["outcome"] == "退回补正"
    assert _thrown(engine, instance.id) == [{"element": "cp_refuse", "code": "MISSING_PAPERS", "error_name": "材料不全",
                                             "process": "check_papers", "caught": True}]


def test_an_uncaught_error_ends_its_path_like_a_none_end_event_and_the_history_says_it_was_not_caught(engine):
    instance = engine.start_instance("caller_ignores", data={"papers": "缺"})
    engine.session.flush()
    assert instance.row.status == "completed" and instance.data["outcome"] == "受理"
    [thrown] = _thrown(engine, instance.id)
    assert (thrown["code"], thrown["caught"]) == ("MISSING_PAPERS", False)
    assert instance.workflow.bpmn_events == []  # not kept in the stored state


def test_no_error_no_history_event(engine):
    instance = engine.start_instance("caller_catches", data={"papers": "齐"})
    engine.session.flush()
    assert instance.data["outcome"] == "受理" and _thrown(engine, instance.id) == []


def test_with_the_incident_setting_an_uncaught_error_fails_the_step_naming_the_error_end_event(engine_db, engine):
    strict = BpmnEngine(engine_db(), local_tz=ZoneInfo("Asia/Shanghai"),
                        bounds=engine_bounds({"UNHANDLED_ERROR_INCIDENT": "1"}))
    assert strict.bounds == EngineBounds(unhandled_error_incident=True)
    with pytest.raises(StepFailed) as failed:
        strict.start_instance("caller_ignores", data={"papers": "缺"})
    strict.session.rollback()
    assert failed.value.element == "cp_refuse" and "MISSING_PAPERS" in failed.value.message
    assert strict.start_instance("caller_catches", data={"papers": "缺"}).data["outcome"] == "退回补正"


def test_the_history_tells_the_office_in_chinese_whether_the_error_was_caught(engine):
    from web.core.filters import event_kind
    from workflows.records.history import describe

    instance = engine.start_instance("caller_ignores", data={"papers": "缺"})
    engine.session.flush()
    [event] = [e for e in engine.history(instance.id) if e.kind == "error_thrown"]
    assert event_kind(event.kind) == "流程抛出错误"
    assert describe(event, {}) == "错误 材料不全（MISSING_PAPERS）：没有边界事件捕获，按普通结束处理"
