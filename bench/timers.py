"""Figure 5 and the worker's memory: due timers fired by worker processes (`flask --app web worker --once`).

One instance of a small timer diagram is started by the engine and copied to the wanted count, less one: the
poison instance of issue 14 (its script after the timer leaves ``r = range(3)``, which no database can store), due
at the same instant. The clock is moved past the timers; the workers sweep at once; afterwards every healthy
instance must have fired exactly once and the poison one must be in ``error`` with its incident.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent, Incident, ProcessInstance

from .copies import BATCH, Ids, chunks, table
from .database import ROOT, fix_sequences
from .report import Figure

DIAGRAM = Path(__file__).resolve().parent / "bench_timer.bpmn"
POISON = Path(__file__).resolve().parent / "bench_timer_poison.bpmn"


def due_timers(session: Session, engine: BpmnEngine, count: int) -> tuple[list[int], int]:
    """``count`` - 1 healthy instances waiting on a due timer and the poison one: (healthy ids, poison id)."""
    engine.deploy(DIAGRAM.read_bytes(), deployed_by="bench", source=DIAGRAM.name)
    engine.deploy(POISON.read_bytes(), deployed_by="bench", source=POISON.name)
    template = engine.start_instance("bench_timer", business_key="定时-1", actor="bench").row
    poison = engine.start_instance("bench_timer_poison", business_key="定时-坏", actor="bench").row
    session.commit()
    ids = Ids(session, ("process_instance",))
    copied = [template.id]
    for chunk in chunks(list(range(2, count)), BATCH):
        rows = [{"id": ids.take("process_instance"), "definition_id": template.definition_id, "status": "running",
                 "business_key": f"定时-{number}", "state": template.state,
                 "serializer_version": template.serializer_version, "next_timer_at": template.next_timer_at,
                 "error_message": None, "started_at": template.started_at, "updated_at": template.updated_at,
                 "ended_at": None} for number in chunk]
        session.execute(insert(table("process_instance")), rows)
        copied += [row["id"] for row in rows]
    fix_sequences(session, ["process_instance"])
    engine.clock.advance(timedelta(days=2))
    session.commit()
    return copied, poison.id


def peak_rss_kib(pid: int) -> int:
    """The process's own high-water RSS (VmHWM). Not ru_maxrss: a child's counts the parent's at fork."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            return next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), 0)
    except OSError:
        return 0


def children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's children that have ended (and were waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_workers(url: str, workers: int) -> tuple[float, list[int], list[str], float]:
    """Seconds until every worker is done, each one's peak RSS in KiB, what each said on stderr, and the CPU
    seconds they used in all (a measure that other processes' load on the machine does not inflate much)."""
    cpu_before = children_cpu_seconds()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    command = [sys.executable, "-m", "flask", "--app", "web", "worker", "--once"]
    logs = [tempfile.TemporaryFile() for _ in range(workers)]
    started = time.perf_counter()
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log) for log in logs]
    peaks = [0] * workers
    while any(process.poll() is None for process in processes):
        peaks = [max(peak, peak_rss_kib(process.pid)) for peak, process in zip(peaks, processes)]
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    cpu = children_cpu_seconds() - cpu_before
    failures = []
    for process, log in zip(processes, logs):
        log.seek(0)
        if process.returncode != 0:
            failures.append(log.read().decode(errors="replace")[-2000:])
    return seconds, peaks, failures, cpu


def fired_counts(session: Session, instance_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk in chunks(instance_ids, 5_000):
        counts |= dict(session.execute(select(HistoryEvent.instance_id, func.count()).where(
            HistoryEvent.kind == "timer_fired", HistoryEvent.instance_id.in_(chunk)).group_by(HistoryEvent.instance_id)).all())
    return counts


def poison_figure(session: Session, poison_id: int, fired: int) -> Figure:
    status = session.scalar(select(ProcessInstance.status).where(ProcessInstance.id == poison_id))
    incidents = session.scalar(select(func.count(Incident.id)).where(Incident.instance_id == poison_id))
    return Figure("5. the poison instance: status, incidents, timer fired", f"{status}, {incidents}, {fired}",
                  "error, 1, 0", (status, incidents, fired) == ("error", 1, 0), number=incidents)


def timer_figures(session: Session, engine: BpmnEngine, url: str, count: int, workers: int) -> list[Figure]:
    instance_ids, poison_id = due_timers(session, engine, count)
    seconds, peaks, failures, cpu = run_workers(url, workers)
    if failures:
        raise AssertionError(f"a worker failed: {failures[0]}")
    session.expire_all()
    counts = fired_counts(session, instance_ids + [poison_id])
    once = sum(1 for instance_id in instance_ids if counts.get(instance_id) == 1)
    twice = sum(1 for value in counts.values() if value > 1)
    healthy = len(instance_ids)
    return [
        Figure(f"5. timer sweep: {count} due timers (one poison), {workers} workers", f"{seconds:.1f} s "
               f"({count / seconds:.0f} timers/s)", "≤ 10 s (PostgreSQL)",
               seconds <= 10 if url.startswith("postgresql") else None, number=seconds),
        Figure("5. the workers' CPU time (user + system, all workers; the database's not included)",
               f"{cpu:.1f} s ({cpu / count * 1000:.2f} ms a timer)", number=cpu),
        Figure("5. fired exactly once / fired twice or more (the healthy ones)", f"{once} / {twice}", f"{healthy} / 0",
               once == healthy and twice == 0, number=once),
        poison_figure(session, poison_id, counts.get(poison_id, 0)),
        Figure("7. worker peak memory (max RSS), per worker", " / ".join(f"{kib / 1024:.0f} MiB" for kib in peaks),
               number=max(peaks) / 1024),
    ]
