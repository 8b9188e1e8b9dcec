"""Activating a year's plan: one 项目全年推进 instance per project, business key YYYY-NN."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, ProcessDefinition, ProcessInstance

from .models import Plan, Project, Unit
from .workdays import quarter_report_date

LIFECYCLE = "project_lifecycle"
OFFICE_ROLE, SUPERVISION_ROLE, COORDINATOR_ROLE = "区推进办", "督查科", "牵头单位(统筹)"
NO_DATE = "9999-12-31T00:00:00"  # a timer that never fires, for projects without a fixed date


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


def project_data(session: Session, project: Project, today: date) -> dict:
    """What a project's lifecycle starts with: the project, who plays which lane, and its dates."""
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
        "roles": {COORDINATOR_ROLE: leads[0].code, OFFICE_ROLE: fixed_unit(session, "office"),
                  SUPERVISION_ROLE: fixed_unit(session, "supervision")},
        "lead_partners": [u.code for u in leads[1:]],
        "responsible_units": [u.code for u in responsible],
        "quarters": [q for q in range(1, 5) if quarter_report_date(year, q) >= today],
        "completion_due": due.isoformat() if due else None,
        "completion_overdue_at": f"{due + timedelta(days=1)}T00:00:00" if due else NO_DATE,
        # The year-end evaluation opens the day after the last quarterly report was due.
        "evaluation_opens": f"{quarter_report_date(year, 4) + timedelta(days=1)}T00:00:00",
    }


def lifecycle_instance(session: Session, business_key: str) -> ProcessInstance | None:
    return session.scalar(
        select(ProcessInstance).join(ProcessDefinition)
        .where(ProcessDefinition.key == LIFECYCLE, ProcessInstance.business_key == business_key,
               ProcessInstance.status.in_(("running", "completed", "error")))
        .order_by(ProcessInstance.id.desc()).limit(1))


def activate_plan(session: Session, engine: BpmnEngine, year: int, *, actor: str) -> ActivationResult:
    """Start every project's lifecycle that is not running yet; running it twice starts nothing new."""
    plan = session.scalar(select(Plan).where(Plan.year == year))
    if plan is None:
        raise ActivationError(f"没有 {year} 年的计划，请先导入")
    engine.latest_definition(LIFECYCLE)
    today = engine.clock.today()
    result = ActivationResult()
    for project in plan.projects:
        if lifecycle_instance(session, project.business_key) is not None:
            result.already_running.append(project.business_key)
            continue
        engine.start_instance(LIFECYCLE, business_key=project.business_key,
                              data=project_data(session, project, today), actor=actor)
        result.started.append(project.business_key)
    if plan.activated_at is None:
        plan.activated_at = engine.clock.now().astimezone(engine.clock.local_tz).replace(tzinfo=None)
    session.flush()
    return result
