"""Activating a year's plan: one 项目全年推进 instance per project, business key YYYY-NN."""
from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import repeat
from multiprocessing import get_context

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, ProcessDefinition, ProcessInstance
from engine.database import open_database

from ..directory.models import Unit
from ..plan.models import Plan, Project
from ..runtime import DEFAULT_TIMEZONE, process_engine
from ..workdays import quarter_report_date

LIFECYCLE = "project_lifecycle"
OFFICE_ROLE, SUPERVISION_ROLE, COORDINATOR_ROLE = "区推进办", "督查科", "牵头单位(统筹)"
NO_DATE = "9999-12-31T00:00:00"  # a timer that never fires, for projects without a fixed date
BATCH = 100  # lifecycles started (and held in memory) per flush


class ActivationError(Exception):
    pass


@dataclass
class ActivationResult:
    started: list[str] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)


def expand(units: list[Unit]) -> list[Unit]:
    """Groups become their members (in code order); vague groups with no members yet drop out."""
    expanded: list[Unit] = []
    for unit in units:
        for member in (unit.members if unit.is_group else [unit]):
            if member not in expanded:
                expanded.append(member)
    return expanded


def fixed_unit(session: Session, kind: str) -> str:
    unit = session.scalar(select(Unit).where(Unit.kind == kind).order_by(Unit.code).limit(1))
    if unit is None:
        raise ActivationError(f"单位目录里没有类别为 {kind} 的单位")
    return unit.code


def fixed_roles(session: Session) -> dict[str, str]:
    """The lanes that one unit plays in every project: the office's and the supervision section's."""
    return {OFFICE_ROLE: fixed_unit(session, "office"), SUPERVISION_ROLE: fixed_unit(session, "supervision")}


def project_data(session: Session, project: Project, today: date, fixed: dict[str, str] | None = None) -> dict:
    """What a project's lifecycle starts with: the project, who plays which lane, and its dates.

    ``fixed`` is `fixed_roles`, looked up once by a caller that starts many projects."""
    leads = expand(project.lead_units)
    if not leads:
        raise ActivationError(f"项目 {project.business_key} 没有可以统筹的牵头单位")
    responsible = [u for u in expand(project.responsible_units) if u not in leads]
    year = project.plan.year
    due = project.due_on
    return {
        "year": year,
        "project": {
            "year": year, "number": project.number, "business_key": project.business_key, "text": project.text,
            "area": project.area.heading, "deadline": project.deadline_text,
            "due_on": due.isoformat() if due else None, "no_fixed_date": project.no_fixed_date,
        },
        "roles": {COORDINATOR_ROLE: leads[0].code} | (fixed or fixed_roles(session)),
        "lead_partners": [u.code for u in leads[1:]],
        "responsible_units": [u.code for u in responsible],
        "quarters": [q for q in range(1, 5) if quarter_report_date(year, q) >= today],
        "completion_due": due.isoformat() if due else None,
        "completion_overdue_at": f"{due + timedelta(days=1)}T00:00:00" if due else NO_DATE,
        # The year-end evaluation opens the day after the last quarterly report was due.
        "evaluation_opens": f"{quarter_report_date(year, 4) + timedelta(days=1)}T00:00:00",
    }


def _lifecycles():
    return (select(ProcessInstance).join(ProcessDefinition)
            .where(ProcessDefinition.key == LIFECYCLE, ProcessInstance.status.in_(("running", "completed", "error"))))


def lifecycle_instance(session: Session, business_key: str) -> ProcessInstance | None:
    return session.scalar(_lifecycles().where(ProcessInstance.business_key == business_key)
                          .order_by(ProcessInstance.id.desc()).limit(1))


def started_business_keys(session: Session, business_keys: list[str]) -> set[str]:
    """Which of these projects already have a lifecycle (running, completed or failed), in one query."""
    query = _lifecycles().where(ProcessInstance.business_key.in_(business_keys))
    return set(session.scalars(query.with_only_columns(ProcessInstance.business_key)))


def activate_plan(session: Session, engine: BpmnEngine, year: int, *, actor: str) -> ActivationResult:
    """Start every project's lifecycle that is not running yet; running it twice starts nothing new.

    In this process and the caller's transaction. The lifecycles are started by the engine's batch start,
    `BATCH` at a time: a few queries per batch, not per project."""
    plan = _plan(session, year)
    result, pending = _pending(session, plan)
    start = _starter(session, engine, actor)
    for batch in _batches(pending):
        result.started += start(batch)
    _mark_activated(plan, engine)
    session.flush()
    return result


def activate_and_commit(session: Session, engine: BpmnEngine, database_url: str, year: int, *, actor: str,
                        workers: int) -> ActivationResult:
    """The plan activated and committed: in this session with one worker, else by `activate_plan_parallel`
    (the session's transaction is committed first, so that the workers do not wait on it)."""
    session.commit()
    if workers > 1:
        result = activate_plan_parallel(database_url, year, actor=actor, workers=workers,
                                        timezone=engine.clock.local_tz.key)
    else:
        result = activate_plan(session, engine, year, actor=actor)
    session.commit()
    return result


def activate_plan_parallel(database_url: str, year: int, *, actor: str, workers: int,
                           timezone: str = DEFAULT_TIMEZONE) -> ActivationResult:
    """`activate_plan` shared out among ``workers`` processes, for a caller that holds no open transaction.

    Each worker has its own connection and commits its projects batch by batch: if one fails, what was
    started stays started, and running activation again starts the rest."""
    bind = open_database(database_url)
    try:
        with Session(bind, expire_on_commit=False) as session:
            engine = process_engine(session, timezone)
            plan = _plan(session, year)
            engine.latest_definition(LIFECYCLE)  # a missing diagram fails here, not in each worker
            result, pending = _pending(session, plan)
            shares = [[p.number for p in pending[index::workers]] for index in range(workers)]
            started = _run_workers(database_url, timezone, year, actor, [share for share in shares if share])
            result.started = [p.business_key for p in pending if p.business_key in started]
            _mark_activated(plan, engine)
            session.commit()
    finally:
        bind.dispose()
    return result


def _run_workers(database_url: str, timezone: str, year: int, actor: str, shares: list[list[int]]) -> set[str]:
    if not shares:
        return set()
    # Spawned, not forked: a child must not inherit the parent's connections.
    with ProcessPoolExecutor(len(shares), mp_context=get_context("spawn")) as pool:
        done = pool.map(_activate_share, repeat(database_url), repeat(timezone), repeat(year), repeat(actor), shares)
        return {business_key for started in done for business_key in started}


def _activate_share(database_url: str, timezone: str, year: int, actor: str, numbers: list[int]) -> list[str]:
    """One worker's share of `activate_plan_parallel`: these projects' lifecycles, committed batch by batch."""
    bind = open_database(database_url)
    try:
        with Session(bind, expire_on_commit=False) as session:
            wanted = set(numbers)
            start = _starter(session, process_engine(session, timezone), actor)
            started = []
            for batch in _batches([p for p in _plan(session, year).projects if p.number in wanted]):
                started += start(batch)
                session.commit()
            return started
    finally:
        bind.dispose()


def _plan(session: Session, year: int) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.year == year))
    if plan is None:
        raise ActivationError(f"没有 {year} 年的计划，请先导入")
    return plan


def _pending(session: Session, plan: Plan) -> tuple[ActivationResult, list[Project]]:
    """The result with the projects already running filled in, and the projects to start."""
    running = started_business_keys(session, [project.business_key for project in plan.projects])
    result = ActivationResult(already_running=[p.business_key for p in plan.projects if p.business_key in running])
    return result, [p for p in plan.projects if p.business_key not in running]


def _starter(session: Session, engine: BpmnEngine, actor: str) -> Callable[[list[Project]], list[str]]:
    """Starts a batch of projects' lifecycles; what every batch shares (the diagram, the day, the office and
    the supervision section) is looked up once."""
    definition, today, fixed = engine.latest_definition(LIFECYCLE), engine.clock.today(), fixed_roles(session)

    def start(projects: list[Project]) -> list[str]:
        engine.start_instances(definition, [(p.business_key, project_data(session, p, today, fixed)) for p in projects],
                               actor=actor)
        return [project.business_key for project in projects]

    return start


def _mark_activated(plan: Plan, engine: BpmnEngine) -> None:
    if plan.activated_at is None:
        plan.activated_at = engine.clock.now().astimezone(engine.clock.local_tz).replace(tzinfo=None)


def _batches(projects: list[Project]) -> list[list[Project]]:
    return [projects[start:start + BATCH] for start in range(0, len(projects), BATCH)]
