"""`python -m bench.profile [completion|timers|activation] [--database sqlite|postgresql] [--projects N] [--timers N]
[--districts N] [--workers N] [--no-profile] [--statements] [--flat [--save FILE]]`.

Where the time of a task completion, of a timer sweep or of a plan's activation goes. Builds a district in
var/bench-profile.db (or BENCH_DATABASE_URL's database), then under pyinstrument either (after activating its
plan) completes every quarterly report of Q2 and its review through the API (in the request's thread, by Flask's
test client) or fires N due timers with the worker's sweep, or activates next year's plan of N districts (the
district's plan copied N times, as figure 4 activates it, without playing the year first; with --workers N > 1 in
N worker processes, of which only the parent is profiled); and prints the profile (with --no-profile only the
time, which the profiler's sampling does not slow, and for completions and timers this process's CPU seconds).
With --statements, instead of the profile: the SQL statements sent to the database (round trips; an executemany
counts once), in all and per completion or fired timer, and the most frequent ones: a count that the machine's load
does not blur.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import collections
import os
import time
from contextlib import nullcontext

from pyinstrument import Profiler
from sqlalchemy import event, select

from engine import HumanTask
from engine.worker import sweep
from web.core.db import new_session
from workflows.plan.models import Plan
from workflows.projects.activation import activate_and_commit, activate_plan
from workflows.runtime import process_engine

from .copies import copy_districts
from .database import ROOT, database_url, fresh_app
from .district import YEAR, build_district
from .figures import next_year_plan
from .server import ApiClient
from .timers import due_timers

ANSWERS = {"汇总填报季度报告": {"progress": "按计划推进", "percent": 50, "status": "on_track", "problems": "",
                              "experience": "", "next_step": "submit"},
           "审核季度报告": {"verdict": "accept"}}


def complete_all(app, session, client: ApiClient, name: str) -> int:
    tasks = session.scalars(select(HumanTask).where(HumanTask.state == "ready", HumanTask.name == name)).all()
    test_client = app.test_client()
    for task in tasks:
        answer = test_client.post(f"/api/tasks/{task.id}/complete", json=ANSWERS[name],
                                  headers={"Authorization": f"Bearer {client.token(task.assigned_unit)}"})
        assert answer.status_code == 200, answer.json
    session.commit()
    return len(tasks)


def activation(session, engine, url: str, districts: int, workers: int, profiler) -> int:
    """Next year's plan of ``districts`` districts activated in one call, timed (with the profiler's overhead)."""
    copy_districts(session, session.scalar(select(Plan.id).where(Plan.year == YEAR)), YEAR, districts)
    projects = next_year_plan(session, YEAR)
    started, cpu = time.perf_counter(), time.process_time()
    with profiler:
        result = activate_and_commit(session, engine, url, YEAR + 1, actor="bench", workers=workers)
    print(f"{projects} projects, {len(result.started)} started in {time.perf_counter() - started:.1f} s "
          f"by {workers} process(es) ({time.process_time() - cpu:.1f} s CPU in this one)")
    return len(result.started)


class StatementCount:
    """The statements the app's database engine sends while it is entered (``with``), by their first words."""

    def __init__(self, bind):
        self.bind, self.seen = bind, collections.Counter()

    def _count(self, _connection, _cursor, statement, *_rest) -> None:
        self.seen[" ".join(statement.split())[:150]] += 1

    def __enter__(self):
        event.listen(self.bind, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.bind, "before_cursor_execute", self._count)

    def report(self, done: int, what: str) -> str:
        total = sum(self.seen.values())
        lines = [f"{total} statements for {done} {what}: {total / max(done, 1):.1f} each"]
        lines += [f"  {count:6d}  {statement}" for statement, count in self.seen.most_common(40)]
        return "\n".join(lines)


class FlatProfile:
    """cProfile while entered (``with``); ``output_text`` lists the 45 functions that took the most time of their
    own, with their calls: where the time is spent, where pyinstrument's tree shows only where it was called.
    With ``save``, the raw statistics are also written there (for ``python -m pstats``: callers, cumulative)."""

    def __init__(self, save: str | None = None):
        self.profile, self.save = cProfile.Profile(), save

    def __enter__(self):
        self.profile.enable()
        return self

    def __exit__(self, *exc) -> None:
        self.profile.disable()
        if self.save:
            self.profile.dump_stats(self.save)

    def output_text(self, **_) -> str:
        out = io.StringIO()
        pstats.Stats(self.profile, stream=out).sort_stats("tottime").print_stats(45)
        return out.getvalue()


class Stopwatch:
    """Wall and CPU seconds of this process while entered (``with``), without a profiler's overhead."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def output_text(self, **_) -> str:
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU in this process (load average {_loadavg()})"


def _loadavg() -> str:
    try:
        with open("/proc/loadavg", encoding="ascii") as averages:
            return " ".join(averages.read().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("what", choices=("completion", "timers", "activation"), nargs="?", default="completion")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--timers", type=int, default=300)
    parser.add_argument("--districts", type=int, default=16, help="activation: copies of the district's plan")
    parser.add_argument("--workers", type=int, default=1, help="activation: worker processes")
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--statements", action="store_true", help="count the SQL statements instead of profiling")
    parser.add_argument("--flat", action="store_true", help="cProfile's functions by their own time, not pyinstrument's tree")
    parser.add_argument("--save", help="--flat: also write cProfile's raw statistics to this file")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench-profile.db'}")
    url = database_url(args.database)
    app = fresh_app(url)
    with app.app_context():
        session = new_session()
        engine = process_engine(session, app.config["TIMEZONE"])
        build_district(session, engine, None if args.what == "activation" else args.projects)
        profiler = (StatementCount(app.extensions["sqlalchemy_engine"]) if args.statements
                    else FlatProfile(args.save) if args.flat else Profiler(interval=0.0005))
        if args.what == "activation":
            done = activation(session, engine, url, args.districts, args.workers,
                              nullcontext() if args.no_profile else profiler)
            print(f"{done} activation")
            if not args.no_profile:
                print(profiler.report(done, "starts") if args.statements else profiler.output_text(unicode=True, color=False))
            return
        activate_plan(session, engine, YEAR, actor="bench")
        session.commit()
        if args.no_profile and not args.statements:
            profiler = Stopwatch()
        if args.what == "timers":
            due_timers(session, engine, args.timers)
            with profiler:
                done = sweep(new_session, lambda s: process_engine(s, app.config["TIMEZONE"])).fired
        else:
            client = ApiClient(session, "")
            with profiler:
                done = complete_all(app, session, client, "汇总填报季度报告") + complete_all(app, session, client, "审核季度报告")
    print(f"{done} {args.what}")
    print(profiler.report(done, args.what) if args.statements else profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
