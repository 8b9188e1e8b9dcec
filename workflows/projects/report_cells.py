"""THE status of every quarterly report, in the one list of words (records/labels.py, report_standing): each
project's four quarters as cells (on time, late, returned, missing, not yet due, not expected), read by the
dashboard, the year-end PDF and tables, the project page and the task page's 往期报告."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import HumanTask, ProcessDefinition, ProcessInstance

from ..plan.models import Plan, Project
from ..records.labels import VOCABULARIES
from ..records.models import ProjectCompletion, QuarterlyReport
from ..runtime import DEFAULT_TIMEZONE
from ..workdays import quarter_report_date, quarter_window_opens
from .activation import LIFECYCLE

QUARTERS = (1, 2, 3, 4)
CELL_LABELS = VOCABULARIES["report_standing"]  # the one list of status words (records/labels.py)
REPORT_TASK = "compile_report"  # quarterly_report.bpmn: the lead unit's 汇总填报季度报告


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


def lifecycle_start_days(session: Session, business_keys: list[str], local_tz: tzinfo) -> dict[str, date]:
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
                 local_tz: tzinfo | None = None,
                 reports: dict[tuple[int, int], QuarterlyReport] | None = None) -> dict[int, list[Cell]]:
    """THE status of every quarterly report: project id → its four quarters' cells as of ``as_of``.

    The one place the dashboard, ``GET /api/dashboard``, the year-end PDF (its project sections and appendix) and
    the CSV/XLSX tables read whether a report is on time, late, returned, missing (due and not filed), not yet due
    or not expected. Four queries whatever the number of projects; three when the caller has read the plan year's
    ``reports`` of these projects already ((project id, quarter) → report).
    """
    started = lifecycle_start_days(session, [p.business_key for p in projects],
                                    local_tz or ZoneInfo(DEFAULT_TIMEZONE))
    ids = [project.id for project in projects]
    if reports is None:
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


@dataclass
class QuarterRow:
    """A quarter a project's pages list: its cell (THE status, report_cells) and its report row, if one exists."""

    year: int
    cell: Cell
    report: QuarterlyReport | None = None

    @property
    def report_status(self) -> str:
        """The report's review status (a key of ``report_status``); ``pending`` while nothing was submitted."""
        return self.report.status if self.report is not None and self.report.status else "pending"


def is_listed(cell: Cell, year: int, as_of: date | None, has_report: bool) -> bool:
    """Whether a project's pages list this quarter: every one filed, returned or due (missing included), and one
    not yet due whose reporting window has opened."""
    if cell.status == "not_due":
        return as_of is not None and quarter_window_opens(year, cell.quarter) <= as_of
    return cell.status != "not_applicable" or has_report


def quarter_rows(session: Session, project: Project, as_of: date, local_tz: tzinfo | None = None) -> list[QuarterRow]:
    """The quarters the task page's 往期报告 and the project page list, in the words of report_cells: a report due
    and never filed is 逾期未报 whether or not the office has chased it yet (no report row exists before that)."""
    plan = project.plan
    reports = {report.quarter: report for report in session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.project_id == project.id, QuarterlyReport.year == plan.year))}
    return [QuarterRow(plan.year, cell, reports.get(cell.quarter))
            for cell in report_cells(session, plan, [project], as_of, local_tz,
                                     {(project.id, quarter): report for quarter, report in reports.items()})[project.id]
            if is_listed(cell, plan.year, as_of, cell.quarter in reports)]


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
