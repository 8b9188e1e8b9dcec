"""`python -m bench.load_swarm SPEC.json RESULT.json`: the peak day's users (load_users.py) against a running
server, driven by locust's library API in this process only (locust patches the standard library with gevent,
which the rest of the benchmark must not get).

SPEC: ``host``, ``clerks`` (unit logins), ``projects`` (numbers), ``rate`` (requests a second per user),
``steady`` {users, seconds, max_requests} and ``ramp`` {users: [...], seconds, max_requests, stop_ms}.
RESULT: the steady phase's statistics, one per ramp step, the acknowledged completions (task ids).
Bounded: every phase ends after its seconds or its requests, whichever comes first, and the ramp stops at the
first step whose page p95 passes ``stop_ms``.
"""
from __future__ import annotations

from .load_users import REQUEST_SECONDS, SHARED, USERS, is_completion, is_page, pace  # first: locust's gevent patching

import json
import sys
import time

import gevent
from locust.env import Environment
from locust.stats import StatsEntry

SETTLE_SECONDS = 5  # after the users are spawned and signed in, before the phase's statistics start
SPAWN_SECONDS = 300  # at most, for the users of one phase to start and sign in
PERCENTILES = (0.5, 0.95, 0.99)


def entry_figures(entry: StatsEntry, seconds: float) -> dict:
    """One endpoint (or a group of them): requests, failures, requests/s and p50/p95/p99 in ms."""
    return {"name": entry.name, "method": entry.method, "requests": entry.num_requests,
            "failures": entry.num_failures, "rps": entry.num_requests / seconds if seconds else 0.0,
            **{f"p{round(p * 100)}": entry.get_response_time_percentile(p) if entry.num_requests else 0.0
               for p in PERCENTILES}}


def group(env: Environment, name: str, member) -> StatsEntry:
    """The endpoints for which ``member(name)`` is true, as one entry."""
    combined = StatsEntry(env.stats, name, "")
    for entry in env.stats.entries.values():
        if member(entry.name):
            combined.extend(entry)
    return combined


def snapshot(env: Environment, users: int, seconds: float) -> dict:
    endpoints = sorted(env.stats.entries.values(), key=lambda e: e.name)
    return {"users": users, "seconds": seconds, "rps": env.stats.total.num_requests / seconds if seconds else 0.0,
            "requests": env.stats.total.num_requests, "failures": env.stats.total.num_failures,
            "endpoints": [entry_figures(entry, seconds) for entry in endpoints],
            "pages": entry_figures(group(env, "pages", is_page), seconds),
            "completions": entry_figures(group(env, "completions", is_completion), seconds),
            "errors": [{"name": e.name, "error": str(e.error)[:300], "count": e.occurrences}
                       for e in env.stats.errors.values()]
            + [{"name": "a user's own code", "error": e["msg"][:300], "count": e["count"]}
               for e in env.runner.exceptions.values()]}


def measure(env: Environment, users: int, seconds: float, max_requests: int, settle: float = SETTLE_SECONDS) -> dict:
    """Spawn up to ``users``, wait until they have signed in and ``settle`` seconds more, then count from zero for
    the phase (signing in hashes a password: a crowd of sign-ins, and the queue it leaves, is not the peak day's
    work)."""
    env.runner.start(users, spawn_rate=max(5.0, users / 5))
    spawning = time.monotonic()
    while SHARED.signed_in < users and time.monotonic() - spawning < SPAWN_SECONDS:
        gevent.sleep(0.5)
    gevent.sleep(settle)
    env.stats.reset_all()
    env.runner.exceptions.clear()
    started = time.monotonic()
    while time.monotonic() - started < seconds and env.stats.total.num_requests < max_requests:
        gevent.sleep(0.5)
    result = snapshot(env, users, time.monotonic() - started)
    print(f"  {users} users: {result['rps']:.1f} req/s, page p95 {result['pages']['p95']:.0f} ms, "
          f"completion p95 {result['completions']['p95']:.0f} ms, {result['failures']} failures", flush=True)
    return result


def finish(env: Environment) -> None:
    """Start nothing new and wait for the POSTs on their way (at most their timeout), then stop the users: a
    completion the server committed but whose answer was cut off would count as one without acknowledgement."""
    SHARED.stopping = True
    started = time.monotonic()
    while SHARED.posting and time.monotonic() - started < REQUEST_SECONDS + 5:
        gevent.sleep(0.2)
    env.runner.quit()


def swarm(spec: dict) -> dict:
    SHARED.clerks, SHARED.projects = spec["clerks"], spec["projects"]
    pace(spec["rate"])
    env = Environment(user_classes=USERS, host=spec["host"])
    env.create_local_runner()
    steady = spec["steady"]
    result = {"steady": measure(env, steady["users"], steady["seconds"], steady["max_requests"],
                                steady.get("warmup_seconds", SETTLE_SECONDS)), "ramp": []}
    ramp = spec.get("ramp") or {}
    for users in ramp.get("users", []):
        step = measure(env, users, ramp["seconds"], ramp["max_requests"])
        result["ramp"].append(step)
        if step["pages"]["p95"] > ramp["stop_ms"]:
            break
    finish(env)
    result["completions"] = SHARED.completions
    return result


def main() -> None:
    spec_path, result_path = sys.argv[1:3]
    with open(spec_path, encoding="utf-8") as spec_file:
        result = swarm(json.load(spec_file))
    with open(result_path, "w", encoding="utf-8") as result_file:
        json.dump(result, result_file, ensure_ascii=False)


if __name__ == "__main__":
    main()
