"""Timer start events (issue 15 §4): a deployed process with a timeCycle or timeDate start event is started by the
worker when the simulated clock passes each occurrence, once per occurrence even when two workers look."""
from __future__ import annotations

import os
import threading
from datetime import datetime

import pytest
from sqlalchemy import select

from engine import ProcessInstance
from engine.models import TimerStart, TimerStartOccurrence
from engine.timer_starts import start_due
from tests.event_support import deploy_events, instance, status
from tests.start_support import call, complete  # noqa: F401
from web.core.db import new_session
from workflows.runtime import process_engine

on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                   reason="concurrent writers are PostgreSQL's; SQLite has one writer")


def _worker(runner) -> str:
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def _clock(runner, when: str) -> None:
    assert runner.invoke(args=["clock", "set", when]).exit_code == 0


def _briefings(db) -> list[ProcessInstance]:
    db.expire_all()
    return list(db.scalars(select(ProcessInstance).join(ProcessInstance.definition)
                           .where(ProcessInstance.definition.has(key="monthly_briefing")).order_by(ProcessInstance.id)))


def test_the_monthly_briefing_starts_on_the_first_when_the_clock_passes_nine(call, runner, db):
    deploy_events(call, "monthly_briefing")
    assert "按计划启动 0 个" in _worker(runner)

    _clock(runner, "2017-07-01T08:59")
    assert "按计划启动 0 个" in _worker(runner)
    _clock(runner, "2017-07-01T09:01")
    assert "按计划启动 1 个" in _worker(runner)
    assert "按计划启动 0 个" in _worker(runner)

    [july] = _briefings(db)
    assert july.business_key == "monthly_briefing-201707010900"
    task = instance(call, july.id)["open_tasks"][0]
    assert task["name"] == "编写情况通报"
    complete(call, "office", task)
    assert status(call, july.id) == "completed"


def test_each_month_starts_one_more_and_months_missed_while_no_worker_ran_start_once(call, runner, db):
    deploy_events(call, "monthly_briefing")
    _clock(runner, "2017-07-01T09:01")
    _worker(runner)
    _clock(runner, "2017-08-01T09:30")
    _worker(runner)
    _clock(runner, "2017-11-02T10:00")
    _worker(runner)

    assert [row.business_key[-12:] for row in _briefings(db)] == ["201707010900", "201708010900", "201711010900"]
    assert db.scalar(select(TimerStart.next_at)) == datetime(2017, 12, 1, 1, 0)  # 09:00 in Shanghai, stored UTC


def test_a_dated_start_fires_once(call, runner, db):
    deploy_events(call, "dated_start")
    _clock(runner, "2017-07-15T10:05")

    _worker(runner)
    _worker(runner)

    db.expire_all()
    rows = db.scalars(select(ProcessInstance).where(ProcessInstance.definition.has(key="year_review"))).all()
    assert [row.status for row in rows] == ["completed"]


def test_an_occurrence_another_worker_claimed_is_not_started_again(call, app, db):
    deploy_events(call, "monthly_briefing")
    process_engine(db).clock.set(datetime(2017, 7, 1, 9, 1))
    db.add(TimerStartOccurrence(process_key="monthly_briefing", element="every_month",
                                due_at=datetime(2017, 7, 1, 1, 0), started_at=datetime(2017, 7, 1, 1, 1)))
    db.commit()

    result = start_due(new_session, process_engine)

    assert result.started == [] and _briefings(db) == []
    db.expire_all()
    assert db.scalar(select(TimerStart.next_at)) == datetime(2017, 8, 1, 1, 0)  # moved past the claimed one


def test_a_redeployed_version_with_the_same_timer_keeps_its_place_in_the_schedule(call, runner, db):
    deploy_events(call, "monthly_briefing")
    _clock(runner, "2017-07-01T09:01")
    _worker(runner)

    deploy_events(call, "monthly_briefing")  # unchanged: the same version; the next occurrence stays August
    assert db.scalar(select(TimerStart.next_at)) == datetime(2017, 8, 1, 1, 0)


@on_postgresql
def test_two_workers_at_once_start_one_instance_per_occurrence(call, app, db):
    deploy_events(call, "monthly_briefing")
    process_engine(db).clock.set(datetime(2017, 7, 1, 9, 1))
    db.commit()
    barrier, results = threading.Barrier(2), []

    def work():
        with app.app_context():
            barrier.wait()
            results.append(start_due(new_session, process_engine))

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(len(result.started) for result in results) == 1 and len(_briefings(db)) == 1
