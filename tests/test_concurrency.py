"""No race or crash loses or duplicates work: one completion wins, timers fire once, a killed worker loses nothing."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine import HistoryEvent, HumanTask, ProcessInstance
from engine.worker import BATCH, sweep
from tests.engine_support import diagram, make_engine
from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.records.models import QuarterlyReport

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPORT = {"progress": "已召开联席会议两次", "percent": 40, "status": "on_track", "next_step": "submit"}
on_postgresql = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                   reason="row locks and concurrent writers are PostgreSQL's; SQLite has one writer")


def post_json(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def timer_instances(session, count: int) -> list[int]:
    """``count`` instances of the timers diagram, all waiting on a timer that is due 3 days after 2017-06-08."""
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("timers.bpmn"), deployed_by="tester")
    ids = [engine.start_instance("timers", data={"values": [1, 2]}).id for _ in range(count)]
    engine.clock.set(datetime(2017, 6, 12, 9, 0))
    session.commit()
    return ids


def fired_per_instance(session, ids: list[int]) -> dict[int, int]:
    session.expire_all()
    counts = dict(session.execute(select(HistoryEvent.instance_id, func.count()).where(
        HistoryEvent.kind == "timer_fired", HistoryEvent.instance_id.in_(ids)).group_by(HistoryEvent.instance_id)).all())
    return {instance_id: counts.get(instance_id, 0) for instance_id in ids}


@on_postgresql
def test_fifty_simultaneous_completions_of_one_task_give_one_success_and_forty_nine_conflicts(live_server, db):  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    task = driver.task(business_key="2017-02", name="汇总填报季度报告")
    token = issue_token(db, ensure_user(db, "zuzhibu", "zuzhibu"), datetime.utcnow())
    db.commit()
    start, answers = threading.Barrier(50), []

    def complete():
        start.wait()
        answers.append(post_json(f"{live_server}/api/tasks/{task.id}/complete", token, REPORT))

    threads = [threading.Thread(target=complete) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.expire_all()
    assert sorted(answers) == [200] + [409] * 49
    completions = db.scalars(select(HistoryEvent).where(HistoryEvent.kind == "task_completed")).all()
    assert [event.data["task_id"] for event in completions].count(task.id) == 1
    assert db.scalar(select(func.count()).select_from(QuarterlyReport)) == 1
    assert len(driver.tasks(business_key="2017-02", name="审核季度报告")) == 1


@on_postgresql
def test_two_workers_sweeping_at_once_fire_every_timer_exactly_once(app, db):  # noqa: F811
    from web.core.db import new_session

    ids = timer_instances(db, 40)
    results = []

    def worker():
        with app.app_context():
            results.append(sweep(new_session, make_engine))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result.fired for result in results) == 40 and all(not result.failed for result in results)
    assert set(fired_per_instance(db, ids).values()) == {1}


def test_a_worker_killed_in_the_middle_of_a_sweep_loses_and_repeats_nothing_after_a_restart(app, db, database_url):  # noqa: F811
    ids = timer_instances(db, 3 * BATCH)  # killed within the first batches of its sweep
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test"}
    command = [sys.executable, "-m", "flask", "--app", "web", "worker", "--once"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while sum(fired_per_instance(db, ids).values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    fired = fired_per_instance(db, ids)
    assert 5 <= sum(fired.values()) < len(ids), "the worker was not killed in the middle of its sweep"
    for instance in db.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids))):
        # Each instance is either wholly fired (completed, one event) or wholly untouched (running, timer still due).
        assert (instance.status, fired[instance.id]) in {("completed", 1), ("running", 0)}, instance.id
        if instance.status == "running":
            assert instance.next_timer_at is not None

    restarted = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr
    assert set(fired_per_instance(db, ids).values()) == {1}
    db.expire_all()
    statuses = db.scalars(select(ProcessInstance.status).where(ProcessInstance.id.in_(ids))).all()
    assert set(statuses) == {"completed"}
    assert db.scalar(select(func.count()).select_from(HumanTask)) == 0
