"""Every waiting timer is in the schedule (``next_timer_at``), wherever it waits: behind an event-based gateway, in
a sub-process, starting an event sub-process, on a task's boundary. The worker fires each when it is due."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from engine import ProcessInstance
from engine.worker import sweep
from tests.engine_support import diagram, make_engine

START = datetime(2017, 6, 8, 9, 0)  # Shanghai; 01:00 UTC


@pytest.fixture
def start(engine_db):
    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(START)
    engine.deploy(diagram("timer_places.bpmn"), deployed_by="tester")
    session.commit()

    def start_instance(key: str) -> int:
        instance_id = engine.start_instance(key, data={"roles": {"": "office"}}).id
        session.commit()
        return instance_id

    return start_instance


def _advance(engine_db, step: timedelta) -> None:
    session = engine_db()
    make_engine(session).clock.advance(step)
    session.commit()


def _instance(engine_db, instance_id: int):
    return make_engine(engine_db()).get_instance(instance_id)


@pytest.mark.parametrize("key, due", [
    ("event_gateway", datetime(2017, 6, 9, 1, 0)),           # the P1D branch, not P5D
    ("timer_in_subprocess", datetime(2017, 6, 8, 3, 0)),     # PT2H inside a sub-process
    ("timer_event_subprocess", datetime(2017, 6, 8, 4, 0)),  # PT3H starting an event sub-process
    ("boundary_timer", datetime(2017, 6, 8, 5, 0)),          # PT4H on a user task's boundary
])
def test_each_waiting_timer_is_scheduled_at_its_earliest_instant(engine_db, start, key, due):
    assert engine_db().get(ProcessInstance, start(key)).next_timer_at == due


def test_after_one_day_the_event_gateways_one_day_branch_opens_and_not_the_five_day_one(engine_db, start):
    instance_id = start("event_gateway")
    _advance(engine_db, timedelta(hours=12))
    assert sweep(engine_db, make_engine).fired == 0

    _advance(engine_db, timedelta(hours=12, minutes=1))
    sweep(engine_db, make_engine)

    instance = _instance(engine_db, instance_id)
    assert instance.row.status == "completed" and instance.data["opened"] == "催办"


def test_the_five_day_branch_waits_its_own_five_days_when_its_flow_comes_first(engine_db, start):
    session = engine_db()
    engine = make_engine(session)
    swapped = diagram("timer_places.bpmn").replace(b"<bpmn:timeDuration>P1D</bpmn:timeDuration>", b"<X/>") \
        .replace(b"<bpmn:timeDuration>P5D</bpmn:timeDuration>", b"<bpmn:timeDuration>P1D</bpmn:timeDuration>") \
        .replace(b"<X/>", b"<bpmn:timeDuration>P5D</bpmn:timeDuration>")
    engine.deploy(swapped, deployed_by="tester")
    session.commit()
    instance_id = start("event_gateway")

    _advance(engine_db, timedelta(days=1, minutes=1))
    sweep(engine_db, make_engine)

    assert _instance(engine_db, instance_id).data["opened"] == "上报"  # now the P1D timer leads to 上报


@pytest.mark.parametrize("key, after, element", [
    ("timer_in_subprocess", timedelta(hours=2, minutes=1), "inner"),
    ("timer_event_subprocess", timedelta(hours=3, minutes=1), "es_timeout"),
    ("boundary_timer", timedelta(hours=4, minutes=1), "bt_note"),
])
def test_the_worker_fires_timers_in_sub_processes_event_sub_processes_and_on_boundaries(
        engine_db, start, key, after, element):
    instance_id = start(key)
    _advance(engine_db, after - timedelta(minutes=2))
    assert sweep(engine_db, make_engine).fired == 0
    _advance(engine_db, timedelta(minutes=2))

    assert sweep(engine_db, make_engine).fired == 1

    done, _ = _instance(engine_db, instance_id).element_states()
    assert element in done
    assert "timer_fired" in [event.kind for event in make_engine(engine_db()).history(instance_id)]


def test_a_timer_already_due_when_it_is_reached_fires_in_the_same_step(engine_db):
    from tests.deployment_support import chain, script, timer

    session = engine_db()
    engine = make_engine(session)
    engine.clock.set(START)
    engine.deploy(chain("past_date", timer("wait", "timeDate", "2017-06-01T09:00:00"), script("after", "done = True")),
                  deployed_by="tester")

    instance = engine.start_instance("past_date")

    assert instance.row.status == "completed" and instance.data["done"] is True


def test_a_timer_starting_an_interrupting_event_sub_process_closes_the_open_task_and_ends_the_instance(
        engine_db, start):
    """es_timer_start says no isInterrupting: BPMN's default, interrupting. 办理 (es_work) is cancelled."""
    instance_id = start("timer_event_subprocess")
    assert [task.task_spec.bpmn_id for task in _instance(engine_db, instance_id).ready_human_tasks()] == ["es_work"]
    _advance(engine_db, timedelta(hours=3, minutes=1))

    sweep(engine_db, make_engine)

    instance = _instance(engine_db, instance_id)
    assert instance.ready_human_tasks() == [] and instance.data["timed_out"] is True
    assert instance.row.status == "completed"
