"""`python -m bench.load_pages [--database sqlite|postgresql] [--build] [--requests N] [--only NAME …]
[--profile NAME [--flat]] [--statements NAME]`.

What one request of the peak day's mix costs the app, one at a time, without a load generator beside it: the
load test (load.py) says *that* two workers queue at 50 req/s; this says *which* request costs what. On the
city of the load test (load_city.py: 880 live projects, the clock on the peak day), built once with ``--build``
into BENCH_DATABASE_URL's database (or var/bench-pages.db) and reused by later runs (each run completes a few
dozen reports, out of ~1,000), every endpoint of load_users.py is sent N times through Flask's test client, as
the user who sends it there (a lead unit's clerk, the office, the supervisor), signed in through the login page
with CSRF on, as a browser is. Per endpoint: CPU ms of this process (``time.process_time``, which other
processes' load inflates far less than wall time), wall ms, SQL statements; and the mix's mean CPU per request,
weighted by each endpoint's requests a second in the load test (MIX). Two sync workers on two cores serve 50
req/s only if this mean stays well under 40 ms.

``--profile NAME``: that endpoint's N requests under pyinstrument (``--flat``: cProfile's own-time listing);
``--statements NAME``: the statements that endpoint sends, most frequent first.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import time
from contextlib import nullcontext
from dataclasses import dataclass, field

from sqlalchemy import event, func, select

from engine import HumanTask

from .database import ROOT, database_url
from .load_forms import FORMS, REVIEW, REVIEW_LISTING, csrf_token

# requests a second of each endpoint in the load test's steady phase (bench/results.md, PostgreSQL, 2 workers)
MIX = {  # in the order measured: the reports are sent first, so that the office has reviews to open
    "POST /tasks/<id> (complete 提供季度进展材料)": 0.7,
    "POST /tasks/<id> (complete 汇总填报季度报告)": 2.6,
    "GET /inbox (lead unit)": 19.5,
    "GET /inbox (office)": 3.7,
    "GET /dashboard": 0.2,
    "GET /tasks/<id> (审核季度报告)": 3.7,
    "GET /tasks/<id> (提交办结报告)": 4.8,
    "GET /tasks/<id> (提供季度进展材料)": 0.7,
    "GET /tasks/<id> (汇总填报季度报告)": 2.6,
    "POST /tasks/<id>/draft (提交办结报告)": 4.8,
    "POST /tasks/<id>/draft (提供季度进展材料)": 0.7,
    "POST /tasks/<id>/draft (汇总填报季度报告)": 2.6,
    "POST /tasks/<id> (complete 审核季度报告)": 3.6,
}
CLERK_UNITS = 12  # lead units whose clerks open their inbox, in turn


@dataclass
class Sample:
    cpu_ms: list[float] = field(default_factory=list)
    wall_ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)

    def line(self, name: str) -> str:
        return (f"{name:44s} {len(self.cpu_ms):4d}  cpu {statistics.mean(self.cpu_ms):6.1f} ms "
                f"(median {statistics.median(self.cpu_ms):6.1f})  wall {statistics.mean(self.wall_ms):6.1f} ms  "
                f"statements {statistics.mean(self.statements):5.1f}")


class Counter:
    """SQL statements sent by the app's engine, in all and by their first 150 characters."""

    def __init__(self, bind):
        self.total, self.seen, self.bind = 0, collections.Counter(), bind
        event.listen(bind, "before_cursor_execute", self._count)

    def _count(self, _connection, _cursor, statement, *_rest) -> None:
        self.total += 1
        self.seen[" ".join(statement.split())[:150]] += 1


class Users:
    """One signed-in test client per login, made on first use (the sign-in is not measured)."""

    def __init__(self, app):
        self.app, self.clients, self.tokens = app, {}, {}

    def client(self, login: str):
        if login not in self.clients:
            client = self.app.test_client()
            token = csrf_token(client.get("/login").get_data(as_text=True))
            answer = client.post("/login", data={"username": login, "password": "demo", "csrf_token": token})
            assert answer.status_code == 302, (login, answer.status_code)
            self.tokens[login] = csrf_token(client.get("/inbox").get_data(as_text=True))
            self.clients[login] = client
        return self.clients[login]


def ready_tasks(session, name: str, count: int) -> list[tuple[int, str]]:
    """(task id, unit) of up to ``count`` ready tasks of ``name``, earliest due first (as the inbox lists them)."""
    query = select(HumanTask.id, HumanTask.assigned_unit).where(HumanTask.state == "ready", HumanTask.name == name)
    return [tuple(row) for row in session.execute(query.order_by(HumanTask.due_on, HumanTask.id).limit(count))]


def clerk_units(session) -> list[str]:
    """The lead units with the most open quarterly reports (the busiest inboxes of the peak day)."""
    rows = session.execute(select(HumanTask.assigned_unit, func.count()).where(
        HumanTask.state == "ready", HumanTask.name == "汇总填报季度报告").group_by(HumanTask.assigned_unit)
        .order_by(func.count().desc(), HumanTask.assigned_unit).limit(CLERK_UNITS))
    return [unit for unit, _ in rows]


def requests_for(session, name: str, count: int, clerks: list[str]) -> list[tuple[str, str, str, dict | None]]:
    """(login, method, path, form) × ``count`` for the endpoint ``name`` of MIX."""
    if name == "GET /inbox (lead unit)":
        return [(clerks[i % len(clerks)], "GET", "/inbox", None) for i in range(count)]
    if name == "GET /inbox (office)":
        return [("office", "GET", REVIEW_LISTING, None)] * count
    if name == "GET /dashboard":
        return [("supervisor", "GET", "/dashboard", None)] * count
    task_name = name[name.rindex("(") + 1:-1].removeprefix("complete ")
    tasks = ready_tasks(session, task_name, count)
    if not tasks:
        return []
    if not name.startswith("POST /tasks/<id> ("):  # pages and drafts may repeat a task; a completion may not
        tasks = [tasks[i % len(tasks)] for i in range(count)]
    login = (lambda unit: "office") if task_name == "审核季度报告" else (lambda unit: unit)
    if name.startswith("GET"):
        return [(login(unit), "GET", f"/tasks/{task_id}", None) for task_id, unit in tasks]
    form = REVIEW if task_name == "审核季度报告" else FORMS[task_name]
    suffix = "/draft" if "/draft" in name else ""
    return [(login(unit), "POST", f"/tasks/{task_id}{suffix}", form) for task_id, unit in tasks]


def send(users: Users, login: str, method: str, path: str, form: dict | None):
    client = users.client(login)
    if method == "GET":
        answer = client.get(path)
        assert answer.status_code == 200 and b"</html>" in answer.data, (path, answer.status_code)
    else:
        answer = client.post(path, data=form | {"csrf_token": users.tokens[login]})
        assert answer.status_code == 302, (path, answer.status_code, answer.get_data(as_text=True)[:300])
    return answer


def measure(app, names: list[str], count: int, counter: Counter, profiler=None) -> dict[str, Sample]:
    """Each endpoint's ``count`` requests, timed one by one (under ``profiler``, entered around each endpoint's
    requests, not its users' sign-in)."""
    from web.core.db import new_session

    users, samples = Users(app), {}
    with app.app_context(), new_session() as session:
        clerks = clerk_units(session)
    for name in names:
        with app.app_context(), new_session() as session:  # planned now: the reviews come from the reports sent
            requests = requests_for(session, name, count, clerks)
        sample = samples[name] = Sample()
        for login, *_ in requests:
            users.client(login)
        with profiler or nullcontext():
            for login, method, path, form in requests:
                before, cpu, wall = counter.total, time.process_time(), time.perf_counter()
                send(users, login, method, path, form)
                sample.cpu_ms.append((time.process_time() - cpu) * 1000)
                sample.wall_ms.append((time.perf_counter() - wall) * 1000)
                sample.statements.append(counter.total - before)
    return samples


def mix_line(samples: dict[str, Sample]) -> str:
    weighted = {name: MIX[name] for name, sample in samples.items() if sample.cpu_ms}
    total = sum(weighted.values())
    cpu = sum(statistics.mean(samples[name].cpu_ms) * weight for name, weight in weighted.items()) / total
    statements = sum(statistics.mean(samples[name].statements) * weight for name, weight in weighted.items()) / total
    return (f"the mix's mean request ({total:.1f} of {sum(MIX.values()):.1f} req/s measured): cpu {cpu:.1f} ms, "
            f"statements {statements:.1f}; at 50 req/s that is {cpu * 50 / 1000:.2f} cores")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load_pages")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--build", action="store_true", help="build the city first (empties the database)")
    parser.add_argument("--requests", type=int, default=20, help="requests per endpoint")
    parser.add_argument("--only", nargs="*", help="endpoints (of MIX) to measure; default all")
    parser.add_argument("--profile", help="an endpoint of MIX to profile")
    parser.add_argument("--flat", action="store_true", help="with --profile: cProfile's own-time listing")
    parser.add_argument("--statements", help="an endpoint of MIX whose statements to list")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench-pages.db'}")
    url = database_url(args.database)
    if args.build:
        from .load_city import build_city
        print(build_city(url, 16), flush=True)
    from web import create_app
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    counter = Counter(app.extensions["sqlalchemy_engine"])
    names = [args.profile] if args.profile else [args.statements] if args.statements else (args.only or list(MIX))
    unknown = [name for name in names if name not in MIX]
    if unknown:
        parser.error(f"unknown endpoints {unknown}; choose from {list(MIX)}")
    measure(app, names, 2, counter)  # warm: templates compiled, diagrams parsed, connections open
    if args.profile:
        from .profile import FlatProfile
        from pyinstrument import Profiler
        profiler = FlatProfile() if args.flat else Profiler(interval=0.0005)
        samples = measure(app, names, args.requests, counter, profiler)
        print(profiler.output_text(unicode=True, color=False))
    else:
        counter.seen.clear()
        samples = measure(app, names, args.requests, counter)
        if args.statements:
            for statement, seen in counter.seen.most_common(40):
                print(f"  {seen / args.requests:6.1f}  {statement}")
    print(f"load average {open('/proc/loadavg').read().split()[:3]}")
    for name, sample in samples.items():
        if sample.cpu_ms:
            print(sample.line(name))
    if not args.profile and not args.statements:
        print(mix_line(samples))


if __name__ == "__main__":
    main()
