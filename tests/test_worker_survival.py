"""The worker outlives every fault: a locked or read-only database makes it log, wait longer each time and try
again; a poisoned instance becomes an incident. Under honcho (the Procfile's processes), with one poisoned and
one healthy timer instance, the healthy timer fires, the poisoned one ends in error and the web keeps answering."""
from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from engine import ProcessInstance
from engine.worker import MAX_BACKOFF_SECONDS, backoff_seconds, run_forever
from tests.engine_support import diagram, make_engine

ROOT = Path(__file__).resolve().parent.parent


def _start(session_factory, *kinds: str) -> list[int]:
    session = session_factory()
    engine = make_engine(session)
    engine.clock.set(datetime(2017, 6, 8, 9, 0))
    engine.deploy(diagram("poison.bpmn"), deployed_by="tester")
    ids = [engine.start_instance("poison", data={"kind": kind, "roles": {}}).id for kind in kinds]
    engine.clock.advance(timedelta(hours=2))
    session.commit()
    return ids


class Outage:
    """Sessions on a refusing database for the first ``failures`` sweeps, then on the working one (``recover`` is
    called at that moment); the worker's pauses are recorded instead of waited, and it is stopped after the
    first pause that follows a sweep on the working database."""

    def __init__(self, refusing, working, failures: int, recover=lambda: None):
        self.refusing, self.working, self.failures, self.recover = refusing, working, failures, recover
        self.pauses: list[float] = []

    def new_session(self):
        return (self.refusing if len(self.pauses) < self.failures else self.working)()

    def wait(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if len(self.pauses) == self.failures:
            self.recover()

    def should_stop(self) -> bool:
        return len(self.pauses) > self.failures

    def run(self) -> None:
        run_forever(self.new_session, make_engine, 1.0, should_stop=self.should_stop, wait=self.wait)


@pytest.fixture
def sqlite_path(database_url) -> str:
    if not database_url.startswith("sqlite"):
        pytest.skip("locked and read-only files are SQLite's faults (PostgreSQL's: the honcho test's server)")
    return database_url.removeprefix("sqlite:///")


def test_on_a_read_only_database_the_worker_backs_off_longer_each_time_and_fires_once_it_can_write(
        engine_db, sqlite_path):
    [healthy] = _start(engine_db, "healthy")
    read_only = sessionmaker(create_engine(f"sqlite:///file:{sqlite_path}?mode=ro&uri=true"))
    outage = Outage(read_only, engine_db, failures=4)

    outage.run()

    assert outage.pauses == [2.0, 4.0, 8.0, 16.0, 1.0]
    assert engine_db().get(ProcessInstance, healthy).status == "completed"


def test_the_back_off_is_capped():
    assert backoff_seconds(50, 10.0) == MAX_BACKOFF_SECONDS


def test_a_locked_database_makes_the_worker_wait_not_exit(engine_db, sqlite_path):
    [healthy] = _start(engine_db, "healthy")
    locker = sqlite3.connect(sqlite_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    impatient = sessionmaker(create_engine(f"sqlite:///{sqlite_path}", connect_args={"timeout": 0.05}))
    outage = Outage(impatient, engine_db, failures=2, recover=lambda: locker.execute("ROLLBACK"))
    try:
        outage.run()
    finally:
        locker.close()

    assert outage.pauses == [2.0, 4.0, 1.0]
    assert engine_db().get(ProcessInstance, healthy).status == "completed"


# -- the Procfile under honcho ---------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


def _wait_for(condition, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.5)
    return False


def test_under_honcho_the_healthy_timer_fires_the_poisoned_one_is_an_incident_and_the_web_answers(
        app, db, database_url, runner, tmp_path):
    ids = _start(lambda: db, "range", "healthy")
    runner.invoke(args=["clock", "set", "2017-06-08T09:00"])  # the timers (PT1H) wait again
    db.commit()
    port = _free_port()
    env = os.environ | {"DATABASE_URL": database_url, "WORKER_INTERVAL_SECONDS": "1", "SECRET_KEY": "test"}
    honcho = subprocess.Popen([str(ROOT / ".venv/bin/honcho"), "start", "-p", str(port)], cwd=ROOT, env=env,
                              stdout=open(tmp_path / "honcho.log", "wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        assert _wait_for(lambda: _get(f"http://127.0.0.1:{port}/healthz") == 200, 60), \
            (tmp_path / "honcho.log").read_text()
        runner.invoke(args=["clock", "advance", "2h"])

        def settled():
            db.expire_all()
            return [db.get(ProcessInstance, i).status for i in ids] == ["error", "completed"]

        assert _wait_for(settled, 60), (tmp_path / "honcho.log").read_text()
        time.sleep(2)  # a sweep or two more: the worker must still be there
        assert honcho.poll() is None, (tmp_path / "honcho.log").read_text()
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
        assert "compute" in db.get(ProcessInstance, ids[0]).error_message
    finally:
        os.killpg(honcho.pid, signal.SIGTERM)
        honcho.wait(timeout=30)
