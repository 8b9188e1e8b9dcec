"""The office's dashboard (办公室驾驶舱): quarterly reports per project and quarter, overdue tasks per unit,
consultation figures and completion counts, computed from the fact tables and the task table for one plan year.

Working days are Chinese working days (workflows/workdays.py); a span counts the working days after its first day up to
and including its last, as the inbox's warnings do.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import HumanTask, ProcessDefinition, ProcessInstance

from ..directory.models import Unit
from ..plan.models import Plan, Project
from ..projects.activation import LIFECYCLE
from ..records.labels import VOCABULARIES
from ..records.models import Consultation, ConsultationInvitation, ProjectCompletion, QuarterlyReport
from ..runtime import DEFAULT_TIMEZONE
from ..workdays import quarter_report_date, urgency, workdays_between

QUARTERS = (1, 2, 3, 4)
CELL_LABELS = VOCABULARIES["report_standing"]  # the one list of status words (records/labels.py)
# The dashboard's completion counts, in this order, worded by the one list (records/labels.py).
COMPLETION_LABELS = {status: VOCABULARIES["completion_status"][status]
                     for status in ("confirmed", "submitted", "returned", "not_submitted")}
UNASSIGNED = "（未分配单位）"
REPORT_TASK = "compile_report"  # quarterly_report.bpmn: the lead unit's 汇总填报季度报告


class PlanNotFound(Exception):
    """There is no plan for the year asked for (or none at all)."""


@dataclass
class Cell:
    quarter: int
    status: str
    due_on: date
    submitted_on: date | None = None
    accepted: bool = False

    @property
    def label(self) -> str:
        return CELL_LABELS[self.status]


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

def _lifecycle_start_days(session: Session, business_keys: list[str], local_tz: tzinfo) -> dict[str, date]:
    """The local day each project's (latest live) lifecycle started: its quarters are those due from then on."""
    rows = session.execute(
        select(ProcessInstance.business_key, ProcessInstance.started_at).join(ProcessDefinition)
        .where(ProcessDefinition.key == LIFECYCLE, ProcessInstance.business_key.in_(business_keys),
               ProcessInstance.status.in_(("running", "completed", "error")))
        .order_by(ProcessInstance.id))
    return {key: started.replace(tzinfo=timezone.utc).astimezone(local_tz).date() for key, started in rows}


def scheduled_quarters(year: int, started_on: date | None) -> set[int]:
    """Mirrors activation.project_data: a lifecycle reports the quarters whose report date has not passed."""
    if started_on is None:
        return set()
    return {q for q in QUARTERS if quarter_report_date(year, q) >= started_on}


def report_cell(year: int, quarter: int, scheduled: set[int], report: QuarterlyReport | None,
                closed_on: date | None, today: date, extended_to: date | None = None) -> Cell:
    """One quarter of one project. A report row without a submission day is only an office's chase;
    ``extended_to`` is the open report task's due date when an approved 延期申请 moved it past the quarter's."""
    due = report.due_on if report is not None and report.due_on else quarter_report_date(year, quarter) - timedelta(1)
    if extended_to is not None and extended_to > due:
        due = extended_to
    if report is not None and report.status == "returned":
        return Cell(quarter, "returned", due, report.submitted_on)
    if report is not None and report.submitted_on is not None:
        return Cell(quarter, "late" if report.late else "on_time", due, report.submitted_on,
                    report.status == "accepted")
    # A confirmed completion withdraws the reports not yet due (the lifecycle's signal stops them).
    withdrawn = closed_on is not None and quarter_report_date(year, quarter) > closed_on
    if quarter not in scheduled or withdrawn:
        return Cell(quarter, "not_applicable", due)
    return Cell(quarter, "missing" if today > due else "not_due", due)


def report_cells(session: Session, plan: Plan, projects: list[Project], as_of: date,
                 local_tz: tzinfo | None = None) -> dict[int, list[Cell]]:
    """THE status of every quarterly report: project id → its four quarters' cells as of ``as_of``.

    The one place the dashboard, ``GET /api/dashboard``, the year-end PDF (its project sections and appendix) and
    the CSV/XLSX tables read whether a report is on time, late, returned, missing (due and not filed), not yet due
    or not expected. Three queries whatever the number of projects.
    """
    started = _lifecycle_start_days(session, [p.business_key for p in projects],
                                    local_tz or ZoneInfo(DEFAULT_TIMEZONE))
    ids = [project.id for project in projects]
    reports = {(r.project_id, r.quarter): r for r in session.scalars(
        select(QuarterlyReport).where(QuarterlyReport.project_id.in_(ids), QuarterlyReport.year == plan.year))}
    closed = dict(session.execute(select(ProjectCompletion.project_id, ProjectCompletion.confirmed_on).where(
        ProjectCompletion.project_id.in_(ids), ProjectCompletion.status == "confirmed")).all())
    extended = _open_report_dues(session, plan.year, [p.business_key for p in projects],
                                 local_tz or ZoneInfo(DEFAULT_TIMEZONE))
    cells = {}
    for project in projects:
        scheduled = scheduled_quarters(plan.year, started.get(project.business_key))
        cells[project.id] = [report_cell(plan.year, q, scheduled, reports.get((project.id, q)),
                                         closed.get(project.id), as_of, extended.get((project.business_key, q)))
                             for q in QUARTERS]
    return cells


def _open_report_dues(session: Session, year: int, business_keys: list[str],
                      local_tz: tzinfo) -> dict[tuple[str, int], date]:
    """(business key, quarter) → the due date of the open 汇总填报季度报告 task (an extension moves it). A quarter's
    task is created in that quarter (its window opens on the quarter's last month's first day, or at activation)."""
    rows = session.execute(select(ProcessInstance.business_key, HumanTask.created_at, HumanTask.due_on)
                           .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                           .where(HumanTask.spec_name == REPORT_TASK, HumanTask.state == "ready",
                                  HumanTask.due_on.is_not(None), ProcessInstance.business_key.in_(business_keys)))
    dues = {}
    for key, created_at, due_on in rows:
        created = created_at.replace(tzinfo=timezone.utc).astimezone(local_tz).date()
        if created.year == year:
            dues[(key, (created.month - 1) // 3 + 1)] = due_on
    return dues


def report_matrix(session: Session, plan: Plan, today: date, local_tz: tzinfo | None = None) -> Matrix:
    """Every project's four quarters (report_cells) and, per quarter, how many cells have each status."""
    projects = list(plan.projects)
    started = _lifecycle_start_days(session, [p.business_key for p in projects],
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

