"""The office's dashboard (办公室驾驶舱): quarterly reports per project and quarter, overdue tasks per unit,
consultation figures and completion counts, computed from the fact tables and the task table for one plan year.

Working days are Chinese working days (workflows/workdays.py); a span counts the working days after its first day up to
and including its last, as the inbox's warnings do.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import HumanTask

from ..directory.models import Unit
from ..plan.models import Plan, Project
from ..projects.report_cells import CELL_LABELS, QUARTERS, Cell, lifecycle_start_days, report_cells
from ..records.labels import VOCABULARIES
from ..records.models import Consultation, ConsultationInvitation, ProjectCompletion
from ..runtime import DEFAULT_TIMEZONE
from ..workdays import urgency, workdays_between

# The dashboard's completion counts, in this order, worded by the one list (records/labels.py).
COMPLETION_LABELS = {status: VOCABULARIES["completion_status"][status]
                     for status in ("confirmed", "submitted", "returned", "not_submitted")}
UNASSIGNED = "（未分配单位）"


class PlanNotFound(Exception):
    """There is no plan for the year asked for (or none at all)."""


@dataclass
class MatrixRow:
    number: int
    business_key: str
    text: str
    lead_units: str
    started: bool
    cells: list[Cell]


@dataclass
class Matrix:
    rows: list[MatrixRow]
    totals: dict[int, dict[str, int]]  # quarter → status → count


@dataclass
class UnitLoad:
    unit_code: str | None
    unit_name: str
    overdue: int = 0
    oldest_overdue_workdays: int = 0
    due_soon: int = 0


@dataclass
class ConsultationStats:
    """Signing and reply times count working days from the invitation (both deadlines run from it)."""

    name: str
    invitations: int = 0
    signed: int = 0
    average_sign_workdays: float | None = None
    replied: int = 0
    average_reply_workdays: float | None = None
    rated: int = 0
    satisfied: int = 0
    satisfaction_rate: float | None = None  # satisfied / rated, 0..1


@dataclass
class ConsultationFigures:
    total: int
    open: int
    overall: ConsultationStats
    by_department: list[ConsultationStats] = field(default_factory=list)


@dataclass
class CompletionFigures:
    counts: dict[str, int]  # keys of COMPLETION_LABELS
    late: int  # submitted after the project's due date
    overdue_not_submitted: int  # due date passed, nothing submitted yet


@dataclass
class Dashboard:
    year: int
    today: date
    matrix: Matrix
    units: list[UnitLoad]
    consultations: ConsultationFigures
    completions: CompletionFigures


def choose_plan(session: Session, year: int | None) -> Plan:
    """The plan of that year; without a year the newest activated plan (the newest plan if none is activated)."""
    if year is not None:
        plan = session.scalar(select(Plan).where(Plan.year == year))
        if plan is None:
            raise PlanNotFound(f"没有 {year} 年的计划")
        return plan
    plan = session.scalar(select(Plan).where(Plan.activated_at.is_not(None)).order_by(Plan.year.desc()).limit(1))
    plan = plan or session.scalar(select(Plan).order_by(Plan.year.desc()).limit(1))
    if plan is None:
        raise PlanNotFound("尚未导入年度计划")
    return plan


def dashboard(session: Session, year: int | None, today: date, local_tz: tzinfo | None = None) -> Dashboard:
    plan = choose_plan(session, year)
    return Dashboard(plan.year, today, report_matrix(session, plan, today, local_tz),
                     unit_loads(session, today), consultation_figures(session, plan.year),
                     completion_figures(session, plan, today))


# -- the report matrix --------------------------------------------------------------------------------------

def report_matrix(session: Session, plan: Plan, today: date, local_tz: tzinfo | None = None) -> Matrix:
    """Every project's four quarters (report_cells) and, per quarter, how many cells have each status."""
    projects = list(plan.projects)
    started = lifecycle_start_days(session, [p.business_key for p in projects],
                                    local_tz or ZoneInfo(DEFAULT_TIMEZONE))
    cells = report_cells(session, plan, projects, today, local_tz)
    rows = [MatrixRow(project.number, project.business_key, project.text,
                      "、".join(unit.name for unit in project.lead_units), project.business_key in started,
                      cells[project.id]) for project in projects]
    totals = {q: {status: 0 for status in CELL_LABELS} for q in QUARTERS}
    for row in rows:
        for cell in row.cells:
            totals[cell.quarter][cell.status] += 1
    return Matrix(rows, totals)


# -- overdue tasks per unit ---------------------------------------------------------------------------------

def overdue_tasks(session: Session, as_of: date) -> list[HumanTask]:
    """Open (ready) tasks past their due date on ``as_of``, oldest due first: the inbox's 已逾期. The dashboard's
    per-unit counts and the year-end appendix both read them from here."""
    return list(session.scalars(select(HumanTask).where(HumanTask.state == "ready", HumanTask.due_on < as_of)
                                .order_by(HumanTask.due_on, HumanTask.id)))


def unit_loads(session: Session, today: date) -> list[UnitLoad]:
    """Per unit: ready tasks past their due date (overdue_tasks, and the oldest in working days) and those due
    within 3 working days."""
    # 3 working days never span more than 20 calendar days, even across the National Day week.
    soon = session.execute(select(HumanTask.assigned_unit, HumanTask.due_on).where(
        HumanTask.state == "ready", HumanTask.due_on >= today, HumanTask.due_on <= today + timedelta(20))).all()
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    loads: dict[str | None, UnitLoad] = {}

    def load_of(unit_code: str | None) -> UnitLoad:
        return loads.setdefault(unit_code, UnitLoad(unit_code, names.get(unit_code, unit_code or UNASSIGNED)))

    for task in overdue_tasks(session, today):
        load = load_of(task.assigned_unit)
        load.overdue += 1
        load.oldest_overdue_workdays = max(load.oldest_overdue_workdays, workdays_between(task.due_on, today))
    for unit_code, due_on in soon:
        if urgency(due_on, today) == "soon":
            load_of(unit_code).due_soon += 1
    return sorted(loads.values(), key=lambda load: (-load.overdue, -load.oldest_overdue_workdays,
                                                    -load.due_soon, load.unit_code or ""))


# -- consultations ------------------------------------------------------------------------------------------

def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def consultation_stats(name: str, invitations: list[ConsultationInvitation]) -> ConsultationStats:
    signing = [workdays_between(i.invited_on, i.signed_on) for i in invitations if i.signed_on]
    replying = [workdays_between(i.invited_on, i.replied_on) for i in invitations if i.replied_on]
    rated = [i for i in invitations if i.rating]
    satisfied = sum(1 for i in rated if i.rating == "satisfied")
    return ConsultationStats(name, len(invitations), len(signing), _average(signing), len(replying),
                             _average(replying), len(rated), satisfied,
                             round(satisfied / len(rated), 4) if rated else None)


def consultation_figures(session: Session, year: int) -> ConsultationFigures:
    """The consultations raised in the plan's year, all together and per invited department."""
    in_year = Consultation.opened_on.between(date(year, 1, 1), date(year, 12, 31))
    statuses = Counter(session.scalars(select(Consultation.status).where(in_year)))
    invitations = list(session.scalars(select(ConsultationInvitation).join(Consultation).where(in_year)
                                       .order_by(ConsultationInvitation.department_code, ConsultationInvitation.id)))
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    by_code: dict[str, list[ConsultationInvitation]] = {}
    for invitation in invitations:
        by_code.setdefault(invitation.department_code, []).append(invitation)
    departments = [consultation_stats(names.get(code, code), rows) for code, rows in by_code.items()]
    return ConsultationFigures(sum(statuses.values()), statuses.get("open", 0),
                               consultation_stats("合计", invitations), departments)


# -- completions --------------------------------------------------------------------------------------------

def completion_figures(session: Session, plan: Plan, today: date) -> CompletionFigures:
    completions = {c.project_id: c for c in session.scalars(
        select(ProjectCompletion).join(Project, ProjectCompletion.project_id == Project.id)
        .where(Project.plan_id == plan.id))}
    counts = {status: 0 for status in COMPLETION_LABELS}
    late = overdue = 0
    for project in plan.projects:
        completion = completions.get(project.id)
        submitted = completion is not None and completion.submitted_on is not None
        status = completion.status if submitted and completion.status in counts else "not_submitted"
        counts[status] += 1
        late += bool(submitted and completion.late)
        overdue += bool(not submitted and project.due_on is not None and project.due_on < today)
    return CompletionFigures(counts, late, overdue)


# -- as JSON ------------------------------------------------------------------------------------------------

def _plain(value):
    if is_dataclass(value):
        plain = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Cell):
            plain["label"] = value.label
        return plain
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def as_json(board: Dashboard) -> dict:
    """The dashboard as JSON-ready data: dates as ISO strings, quarters as "1".."4"."""
    return _plain(board)

