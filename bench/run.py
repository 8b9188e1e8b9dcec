"""One benchmark run on one database: build the city's data step by step and measure each figure on the way."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, select

from engine import HumanTask, ProcessInstance
from tests.year_support import play_year
from web.core.db import new_session
from workflows.plan.models import Plan, Project
from workflows.records.models import Consultation
from workflows.runtime import process_engine, script_functions

from .bare import BareSpiff
from .consultations import fill_consultations
from .copies import copy_districts
from .database import database_url, fresh_app, settle
from .district import BPMN_DIR, YEAR, build_district
from .bulk import fill_human_tasks
from .figures import inbox_figure, pdf_figure, start_figure, state_figures
from .report import Figure
from .report_pdf import pdf_figures, use_a_fresh_report_cache
from .server import ApiClient, LiveServer
from .sizes import Scale
from .timers import timer_figures
from .year import HttpDriver, growth_figures, overhead_figures

INBOX_UNIT = "minzhengju"  # 区民政局: a department that leads and answers in many projects


@dataclass
class Run:
    database: str
    scale: Scale
    figures: list[Figure] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str):
        started = time.perf_counter()
        yield
        self.phases[name] = time.perf_counter() - started
        print(f"  {name}: {self.phases[name]:.1f} s", flush=True)


def run(database: str, scale: Scale, workers: int = 2, *, only_year: bool = False, only_timers: bool = False) -> Run:
    url = database_url(database)
    app = fresh_app(url)
    result = Run(database, scale)
    with app.app_context():
        session = new_session()
        try:
            if only_timers:
                _measure_timers(result, app, session, url, workers)
            else:
                _measure(result, app, session, url, workers, only_year)
        finally:
            session.close()
    app.extensions["sqlalchemy_engine"].dispose()
    return result


def _measure(result: Run, app, session, url: str, workers: int, only_year: bool = False) -> None:
    scale, engine = result.scale, process_engine(session, app.config["TIMEZONE"])
    with result.phase("one district: units, users, plan, diagrams"):
        build_district(session, engine, scale.projects)
    _play_year(result, app, session, engine)
    if only_year:
        return
    use_a_fresh_report_cache(app)
    client = _signed_in(app, "auditor")
    plan = session.scalar(select(Plan).where(Plan.year == YEAR))
    result.figures.append(pdf_figure(client, YEAR, len(plan.projects), 5))
    with result.phase(f"copy the played year to districts 2–{scale.districts}"):
        copy_districts(session, plan.id, YEAR, scale.districts)
    with result.phase(f"{scale.consultations} consultations"):
        fill_consultations(session, engine, scale.consultations, YEAR)
    with result.phase(f"human tasks up to {scale.human_tasks}"):
        fill_human_tasks(session, scale.human_tasks, INBOX_UNIT, scale.open_tasks, YEAR)
    with result.phase("statistics and vacuum after the bulk load"):
        settle(session, url)
    _count_rows(result, session)
    result.figures.append(inbox_figure(new_session, INBOX_UNIT, engine.clock.today(), scale.inbox_queries,
                                       scale.open_tasks))
    result.figures += pdf_figures(client, session, engine, YEAR, result.counts["projects"])
    with result.phase(f"{scale.timers} due timers, {workers} workers"):
        result.figures += timer_figures(session, engine, url, scale.timers, workers)
    with result.phase("statistics and vacuum after the timer copies"):
        settle(session, url)
    with result.phase(f"next year's plan activated for the city, {workers} workers"):
        result.figures.append(start_figure(session, engine, url, YEAR, workers))
    result.figures.sort(key=lambda figure: figure.name.split(".")[0])


def _measure_timers(result: Run, app, session, url: str, workers: int) -> None:
    """Figure 5 (and the workers' memory) alone: one district's units, users and diagrams, then the timers, on a
    database without the city's other rows (the timers' queries use their own index, not those rows)."""
    engine = process_engine(session, app.config["TIMEZONE"])
    with result.phase("one district: units, users, plan, diagrams"):
        build_district(session, engine, result.scale.projects)
    with result.phase(f"{result.scale.timers} due timers, {workers} workers"):
        result.figures += timer_figures(session, engine, url, result.scale.timers, workers)


def _play_year(result: Run, app, session, engine) -> None:
    bare = BareSpiff(BPMN_DIR, script_functions(session, engine.clock), engine.clock.local_tz)
    with LiveServer(app) as server:
        driver = HttpDriver(session, ApiClient(session, server.url), bare)
        with result.phase("one district's year played through the HTTP API"):
            play_year(driver)
    result.figures += overhead_figures(driver.steps) + growth_figures(driver.steps)
    keys = list(session.scalars(select(ProcessInstance.business_key).where(ProcessInstance.business_key.like(f"{YEAR}-%"))))
    result.figures += state_figures(session, keys)


def _count_rows(result: Run, session) -> None:
    for name, model in (("projects", Project), ("process instances", ProcessInstance), ("human tasks", HumanTask),
                        ("consultations", Consultation)):
        result.counts[name] = session.scalar(select(func.count()).select_from(model))


def _signed_in(app, username: str):
    client = app.test_client()
    answer = client.post("/login", data={"username": username, "password": "demo"})
    if answer.status_code != 302:
        raise AssertionError(f"signing in as {username} gave {answer.status_code}")
    return client
