"""`python -m bench.profile [completion|timers] [--database sqlite|postgresql] [--projects N] [--timers N]`.

Where the time of a task completion or of a timer sweep goes. Builds a district in var/bench-profile.db (or
BENCH_DATABASE_URL's database), activates its plan, then under pyinstrument either completes every quarterly
report of Q2 and its review through the API (in the request's thread, by Flask's test client) or fires N due
timers with the worker's sweep, and prints the profile.
"""
from __future__ import annotations

import argparse
import os

from pyinstrument import Profiler
from sqlalchemy import select

from engine import HumanTask
from engine.worker import sweep
from web.db import new_session
from workflows.activation import activate_plan
from workflows.runtime import process_engine

from .database import ROOT, database_url, fresh_app
from .district import YEAR, build_district
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


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("what", choices=("completion", "timers"), nargs="?", default="completion")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--timers", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench-profile.db'}")
    app = fresh_app(database_url(args.database))
    with app.app_context():
        session = new_session()
        engine = process_engine(session, app.config["TIMEZONE"])
        build_district(session, engine, args.projects)
        activate_plan(session, engine, YEAR, actor="bench")
        session.commit()
        profiler = Profiler(interval=0.0005)
        if args.what == "timers":
            due_timers(session, engine, args.timers)
            with profiler:
                done = sweep(new_session, lambda s: process_engine(s, app.config["TIMEZONE"])).fired
        else:
            client = ApiClient(session, "")
            with profiler:
                done = complete_all(app, session, client, "汇总填报季度报告") + complete_all(app, session, client, "审核季度报告")
    print(f"{done} {args.what}")
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
