"""The load test's data: the whole city's plan (16 districts × 55 projects = 880) activated by the engine and
the clock moved to the peak day, so that every lead unit's Q2 report is open in its inbox.

Unlike `copies.py` (a played year copied as history), these are live instances: the plan's projects are copied
as districts 2–16 *before* activation, and activation starts one real lifecycle per project. The lead units of
the copies are district 1's units, so each unit leads 16 times as many projects, the way a city's office would
see them all on one day.
"""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime

from sqlalchemy import func, select

from engine import HumanTask
from web.core.db import new_session
from workflows.plan.models import Plan
from workflows.projects.activation import activate_and_commit
from workflows.runtime import process_engine

from .copies import Ids, copy_rows, district_number, table
from .database import ROOT, fix_sequences, fresh_app
from .district import YEAR, build_district

PEAK_DAY = datetime(2017, 6, 19, 9, 0)  # the last day before the Q2 reports fall due on the 20th
REPORT_TASKS = ("汇总填报季度报告", "提供季度进展材料")


def copy_plan_projects(session, plan_id: int, districts: int) -> int:
    """District 1's projects (numbers 1–55) again as districts 2 … ``districts`` of the same plan, with their
    units; returns the plan's project count afterwards."""
    projects = table("project")
    for district in range(2, districts + 1):
        ids = Ids(session, ("project", "project_unit"))
        copied = copy_rows(session, ids, "project", (projects.c.plan_id == plan_id) & (projects.c.number < 100),
                           lambda row, d=district: row | {"number": district_number(d, row["number"])})
        copy_rows(session, ids, "project_unit", table("project_unit").c.project_id.in_(copied),
                  lambda row, ids_=copied: row | {"project_id": ids_[row["project_id"]]})
        fix_sequences(session, ["project", "project_unit"])
    session.commit()
    return session.scalar(select(func.count()).select_from(projects).where(projects.c.plan_id == plan_id))


def fire_due_timers(url: str) -> None:
    """The worker's sweep once (`flask --app web worker --once`), as the Procfile's worker would by the peak day:
    the reminders three working days before the due date."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    subprocess.run([sys.executable, "-m", "flask", "--app", "web", "worker", "--once"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def build_city(url: str, districts: int, projects: int | None = None, workers: int = 2) -> dict[str, int]:
    """An emptied database with the city's plan activated on its issue date and the clock on `PEAK_DAY`.

    ``projects`` keeps only the plan's first projects per district (smoke runs). Returns counts: projects,
    open report tasks (the clerks' work) and ready tasks in all."""
    app = fresh_app(url)
    with app.app_context():
        session = new_session()
        try:
            engine = process_engine(session, app.config["TIMEZONE"])
            build_district(session, engine, projects)
            plan_id = session.scalar(select(Plan.id).where(Plan.year == YEAR))
            count = copy_plan_projects(session, plan_id, districts)
            activate_and_commit(session, engine, url, YEAR, actor="bench", workers=workers)
            engine.clock.set(PEAK_DAY)
            session.commit()
        finally:
            session.close()
        fire_due_timers(url)
        with new_session() as session:
            counts = {"projects": count, **ready_counts(session)}
    app.extensions["sqlalchemy_engine"].dispose()
    return counts


def ready_counts(session) -> dict[str, int]:
    ready = select(func.count()).select_from(HumanTask).where(HumanTask.state == "ready")
    return {"open report tasks": session.scalar(ready.where(HumanTask.name.in_(REPORT_TASKS))),
            "ready tasks": session.scalar(ready)}
