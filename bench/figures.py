"""Figures 3, 4, 6 and 7: the inbox at a million rows, starting a city's instances, the year-end PDFs and the
size of a year's state (figure 5, the timer sweep, is in timers.py)."""
from __future__ import annotations

import json
import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent, ProcessInstance
from workflows.projects.activation import activate_and_commit
from workflows.tasks.inbox import inbox

from .copies import Ids, copy_rows, shift_year, table
from .database import fix_sequences
from .report import Figure, median_p95, ms


def inbox_figure(new_session, unit: str, today: date, queries: int, expected: int) -> Figure:
    """The inbox's first page, each query in a new session as a request would have it."""
    samples = []
    for index in range(queries + 1):
        with new_session() as session:
            started = time.perf_counter()
            page = inbox(session, unit, today=today)
            if index:  # the first one warms the caches
                samples.append(time.perf_counter() - started)
    if page.total != expected:
        raise AssertionError(f"{unit} has {page.total} open tasks, expected {expected}")
    median, p95 = median_p95(samples)
    return Figure(f"3. inbox of {unit} ({page.total} open tasks), median / p95", f"{ms(median)} / {ms(p95)}",
                  "p95 ≤ 10 ms", p95 <= 0.010, number=p95)


def pdf_figure(client, year: int, projects: int, target_seconds: float) -> Figure:
    started = time.perf_counter()
    response = client.get(f"/reports/year-end/{year}.pdf")
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.data.startswith(b"%PDF"):
        raise AssertionError(f"the year-end PDF gave {response.status_code}")
    return Figure(f"6. year-end PDF, {projects} projects ({len(response.data) / 1024:.0f} KiB)", f"{seconds:.1f} s",
                  f"≤ {target_seconds:.0f} s", seconds <= target_seconds, number=seconds)


def state_figures(session: Session, business_keys: list[str]) -> list[Figure]:
    rows = session.execute(select(ProcessInstance.id, ProcessInstance.state)
                           .where(ProcessInstance.business_key.in_(business_keys))).all()
    sizes = [len(json.dumps(state).encode()) for _, state in rows]
    events = session.scalar(select(func.count(HistoryEvent.id)).where(
        HistoryEvent.instance_id.in_([instance_id for instance_id, _ in rows])))
    median, _ = median_p95(sizes)
    return [Figure(f"7. instance state after a full year ({len(sizes)} lifecycles), median / max",
                   f"{median / 1024:.0f} KiB / {max(sizes) / 1024:.0f} KiB", number=median),
            Figure("7. history events per lifecycle after a full year", f"{events / max(1, len(rows)):.0f}",
                   number=events / max(1, len(rows)))]


def next_year_plan(session: Session, year: int) -> int:
    """The whole city's plan copied as next year's (dates a year on), not yet activated."""
    ids = Ids(session, ("plan", "task_area", "project", "project_unit"))
    plans = copy_rows(session, ids, "plan", table("plan").c.year == year,
                      lambda row: row | {"year": year + 1, "issued_on": shift_year(row["issued_on"], 1),
                                         "activated_at": None})
    areas = copy_rows(session, ids, "task_area", table("task_area").c.plan_id.in_(plans),
                      lambda row: row | {"plan_id": plans[row["plan_id"]]})
    projects = copy_rows(session, ids, "project", table("project").c.plan_id.in_(plans),
                         lambda row: row | {"plan_id": plans[row["plan_id"]], "area_id": areas[row["area_id"]],
                                            "due_on": shift_year(row["due_on"], 1)})
    copy_rows(session, ids, "project_unit", table("project_unit").c.project_id.in_(projects),
              lambda row: row | {"project_id": projects[row["project_id"]]})
    fix_sequences(session, ["plan", "task_area", "project", "project_unit"])
    session.commit()
    return len(projects)


def start_figure(session: Session, engine: BpmnEngine, url: str, year: int, workers: int) -> Figure:
    """Activating next year's plan for the whole city: one lifecycle per project, started by the engine in
    ``workers`` processes."""
    projects = next_year_plan(session, year)
    started = time.perf_counter()
    result = activate_and_commit(session, engine, url, year + 1, actor="bench", workers=workers)
    seconds = time.perf_counter() - started
    how = f"{workers} worker processes" if workers > 1 else "one process"
    return Figure(f"4. starting {len(result.started)} project instances (plan activation, {how})", f"{seconds:.1f} s",
                  "≤ 10 s" if projects >= 880 else "≤ 10 s for 880", seconds <= 10, number=seconds)
