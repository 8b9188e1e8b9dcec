"""The peak day as a load test (issue 20 §1): the city's data, the Procfile's gunicorn, locust's users.

One run: build the city (load_city.py) on an emptied database, serve it with gunicorn and ``workers`` workers
(load_server.py), run the swarm in its own process (load_swarm.py) — a steady phase at a fixed offered rate,
then a step ramp of users — and check afterwards that every acknowledged completion is in the history exactly
once. The databases are the load test's own: var/bench_load.db and BENCH_LOAD_DATABASE_URL.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from engine import HistoryEvent, HumanTask
from workflows.plan.models import Project

from .database import ROOT
from .load_city import REPORT_TASKS, build_city
from .load_server import Gunicorn

DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"


@dataclass(frozen=True)
class LoadSize:
    name: str
    districts: int
    projects: int | None      # projects per district (None: the plan's 55)
    rate: float               # requests a second each clerk and office user sends (supervisor, auditor: 1 in 5 s)
    steady_users: int         # the steady phase: (users − 2) × rate ≈ the offered requests a second
    steady_seconds: float
    warmup_seconds: float     # before the steady phase counts: the sign-in crowd's backlog drains, caches fill
    ramp_users: tuple[int, ...]
    ramp_seconds: float
    max_requests: int         # per phase


LOAD_SIZES = {
    "full": LoadSize("full", districts=16, projects=None, rate=1.0, steady_users=52, steady_seconds=60,
                     warmup_seconds=30, ramp_users=(60, 80, 100, 130, 160, 200, 250, 300), ramp_seconds=30, max_requests=20_000),
    "smoke": LoadSize("smoke", districts=1, projects=4, rate=3.0, steady_users=5, steady_seconds=15,
                      warmup_seconds=5, ramp_users=(6,), ramp_seconds=2, max_requests=500),
}


@dataclass
class HistoryCheck:
    acknowledged: int = 0   # completions answered 302
    once: int = 0           # of those, in the history exactly once
    missing: int = 0        # answered but not in the history
    twice: int = 0          # in the history more than once
    unacknowledged: int = 0  # in the history without a 302 (e.g. an answer lost to a timeout)

    @property
    def exact(self) -> bool:
        return self.acknowledged == self.once and not (self.missing or self.twice or self.unacknowledged)


@dataclass
class LoadRun:
    database: str
    workers: int
    size: LoadSize
    counts: dict[str, int] = field(default_factory=dict)
    swarm: dict = field(default_factory=dict)
    history: HistoryCheck = field(default_factory=HistoryCheck)


def load_database_url(kind: str) -> str:
    if kind == "sqlite":
        return os.environ.get("BENCH_LOAD_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench_load.db'}")
    return os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_POSTGRESQL)


def participants(session: Session) -> tuple[list[str], list[int]]:
    """The logins of the units with a report to give (one user per unit, login = unit code), the project numbers."""
    units = session.scalars(select(HumanTask.assigned_unit).where(
        HumanTask.state == "ready", HumanTask.name.in_(REPORT_TASKS)).distinct().order_by(HumanTask.assigned_unit))
    return list(units), list(session.scalars(select(Project.number).order_by(Project.number)))


def last_history_id(session: Session) -> int:
    return session.scalar(select(func.max(HistoryEvent.id))) or 0


def history_check(session: Session, after_id: int, completions: list[int]) -> HistoryCheck:
    """Each acknowledged completion against the `task_completed` events written since ``after_id``."""
    events = session.scalars(select(HistoryEvent.data).where(HistoryEvent.id > after_id,
                                                             HistoryEvent.kind == "task_completed"))
    in_history = Counter(data["task_id"] for data in events)
    acknowledged = Counter(completions)
    return HistoryCheck(acknowledged=len(completions),
                        once=sum(1 for task_id in acknowledged if in_history[task_id] == 1 and acknowledged[task_id] == 1),
                        missing=sum(1 for task_id in acknowledged if not in_history[task_id]),
                        twice=sum(1 for task_id in set(in_history) | set(acknowledged)
                                  if in_history[task_id] > 1 or acknowledged[task_id] > 1),
                        unacknowledged=sum(1 for task_id in in_history if task_id not in acknowledged))


def run_swarm(spec: dict) -> dict:
    """load_swarm.py in its own process (gevent stays there); its result."""
    with tempfile.TemporaryDirectory() as folder:
        spec_path, result_path = Path(folder) / "spec.json", Path(folder) / "result.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "bench.load_swarm", str(spec_path), str(result_path)], cwd=ROOT,
                       check=True)
        return json.loads(result_path.read_text(encoding="utf-8"))


def swarm_spec(host: str, size: LoadSize, clerks: list[str], projects: list[int]) -> dict:
    return {"host": host, "clerks": clerks, "projects": projects, "rate": size.rate,
            "steady": {"users": size.steady_users, "seconds": size.steady_seconds, "max_requests": size.max_requests,
                       "warmup_seconds": size.warmup_seconds},
            "ramp": {"users": list(size.ramp_users), "seconds": size.ramp_seconds, "max_requests": size.max_requests,
                     "stop_ms": 1000}}


def run_load(database: str, workers: int, size: LoadSize, url: str | None = None) -> LoadRun:
    """Build the city, serve it with ``workers`` gunicorn workers, swarm, check the history."""
    url = url or load_database_url(database)
    result = LoadRun(database, workers, size)
    print(f"load on {database}, {workers} gunicorn workers, scale {size.name}: building the city", flush=True)
    result.counts = build_city(url, size.districts, size.projects)
    engine = create_engine(url)
    with Session(engine) as session:
        clerks, projects = participants(session)
        mark = last_history_id(session)
    with Gunicorn(url, workers) as server:
        result.swarm = run_swarm(swarm_spec(server.url, size, clerks, projects))
    with Session(engine) as session:
        result.history = history_check(session, mark, result.swarm["completions"])
    engine.dispose()
    return result
