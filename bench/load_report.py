"""The load test's tables for bench/results.md: one section per database and worker count, and a summary."""
from __future__ import annotations

from .load import LoadRun
from .report import verdict

PAGE_TARGET_MS, COMPLETION_TARGET_MS, TARGET_RPS, RAMP_LIMIT_MS = 300, 200, 50, 1000


def command(run: LoadRun) -> str:
    return f"python -m bench --load --database {run.database} --load-workers {run.workers} --scale {run.size.name}"


def passes_at(run: LoadRun) -> str:
    """The users of the first ramp step whose page p95 passed 1 s, or how far the ramp went without it."""
    over = [step for step in run.swarm["ramp"] if step["pages"]["p95"] > RAMP_LIMIT_MS]
    if over:
        return f"{over[0]['users']} users ({over[0]['rps']:.0f} req/s)"
    last = run.swarm["ramp"][-1]["users"] if run.swarm["ramp"] else run.size.steady_users
    return f"not passed up to {last} users"


def history_text(run: LoadRun) -> str:
    h = run.history
    return (f"{h.acknowledged} acknowledged, {h.once} exactly once, {h.missing} missing, {h.twice} twice or more, "
            f"{h.unacknowledged} without an acknowledgement")


def errors(phase: dict) -> int:
    """Failed requests and exceptions in the users' own code (e.g. a login page without its form)."""
    return sum(error["count"] for error in phase["errors"])


def targets(run: LoadRun) -> list[str]:
    steady = run.swarm["steady"]
    pages, completions, rps = steady["pages"], steady["completions"], steady["rps"]
    at_rate = rps >= 0.95 * TARGET_RPS
    rows = [(f"offered rate ≈ {TARGET_RPS} req/s", f"{rps:.1f} req/s", at_rate),
            (f"page p95 ≤ {PAGE_TARGET_MS} ms", f"{pages['p95']:.0f} ms", pages["p95"] <= PAGE_TARGET_MS and at_rate),
            (f"completion p95 ≤ {COMPLETION_TARGET_MS} ms", f"{completions['p95']:.0f} ms ({completions['requests']})",
             completions["requests"] > 0 and completions["p95"] <= COMPLETION_TARGET_MS and at_rate),
            ("0 errors", str(errors(steady)), errors(steady) == 0),
            ("every completion in the history exactly once", history_text(run), run.history.exact)]
    return ["| target | value | met? |", "|---|---|---|"] + [f"| {t} | {v} | {verdict(m)} |" for t, v, m in rows]


def endpoint_rows(phase: dict) -> list[str]:
    lines = ["| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | failures |", "|---|---|---|---|---|---|---|"]
    rows = [e for e in phase["endpoints"] if e["requests"]] + [phase["pages"], phase["completions"]]
    for e in rows:
        name = f"**{e['name']}**" if not e["method"] else e["name"]
        lines.append(f"| {name} | {e['requests']} | {e['rps']:.1f} | {e['p50']:.0f} | {e['p95']:.0f} | "
                     f"{e['p99']:.0f} | {e['failures']} |")
    return lines


def ramp_rows(run: LoadRun) -> list[str]:
    lines = ["| users | req/s | page p50 / p95 ms | completion p95 ms | errors |", "|---|---|---|---|---|"]
    for step in run.swarm["ramp"]:
        lines.append(f"| {step['users']} | {step['rps']:.1f} | {step['pages']['p50']:.0f} / {step['pages']['p95']:.0f} | "
                     f"{step['completions']['p95']:.0f} | {errors(step)} |")
    return lines


def error_lines(run: LoadRun) -> list[str]:
    phases = [run.swarm["steady"], *run.swarm["ramp"]]
    found = [f"- {e['name']}: {e['error']} ({e['count']}×)" for phase in phases for e in phase["errors"]]
    return ["Errors:", *found[:10], ""] if found else []


def section(run: LoadRun) -> str:
    size, steady, counts = run.size, run.swarm["steady"], run.counts
    lines = [f"### Load: {run.database}, {run.workers} gunicorn workers ({size.name})", "",
             f"Command: `{command(run)}`. Data: {counts['projects']} projects activated, clock on the peak day "
             f"(2017-06-19), {counts['open report tasks']} report tasks open ({counts['ready tasks']} ready tasks "
             f"in all). Clerks and the office's staff send {size.rate:g} request/s each, the supervisor and the auditor "
             "one request every 5 s; completions are "
             "clerks' 提交 and the office's 审核 (通过).", "",
             f"Steady phase: {steady['users']} users for {steady['seconds']:.0f} s, counted after they signed in and "
             f"{size.warmup_seconds:g} s of warm-up; {steady['requests']} requests.", "",
             *targets(run), "", *endpoint_rows(steady), "",
             f"Step ramp ({size.ramp_seconds:g} s a step, counted after the step's users signed in); page p95 passes "
             f"1 s at: **{passes_at(run)}**.", "", *ramp_rows(run), "", *error_lines(run)]
    return "\n".join(lines) + "\n"


def summary(runs: list[LoadRun]) -> str:
    lines = ["### Load: summary", "", "| database | gunicorn workers | req/s | page p95 | completion p95 | errors | "
             "history exactly once | page p95 > 1 s at |", "|---|---|---|---|---|---|---|---|"]
    for run in runs:
        steady = run.swarm["steady"]
        lines.append(f"| {run.database} | {run.workers} | {steady['rps']:.1f} | {steady['pages']['p95']:.0f} ms | "
                     f"{steady['completions']['p95']:.0f} ms | {errors(steady)} | {verdict(run.history.exact)} | "
                     f"{passes_at(run)} |")
    return "\n".join(lines) + "\n"
