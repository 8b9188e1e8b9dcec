"""The year-end evaluation's figures, read from the record tables (never by restoring process instances).

One query per kind of record for the whole plan, so a plan of 55 projects costs the same handful of queries
as a plan of one. The overdue appendix is in overdue_items.py, the CSV/XLSX tables in tables.py.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import Unit
from ..plan.models import Plan, Project, TaskArea
from ..projects.report_cells import Cell, is_listed, report_cells
from ..records.models import (Consultation, ConsultationInvitation, Evaluation, ProjectCompletion, QuarterlyReport,
                      SupervisionCheck)
from ..records.labels import VOCABULARIES
from ..records.scoring import expected_quarters
from ..workdays import workdays_between
from .dashboard import overdue_tasks

QUARTERS = (1, 2, 3, 4)
OUTCOME_NAMES = VOCABULARIES["completion_outcome"]  # the one list of these words (records/labels.py)


@dataclass
class Rate:
    """Quarterly reports that counted (fell due while the project was open, or were filed) and those on time."""

    counted: int = 0
    on_time: int = 0

    @property
    def value(self) -> float | None:
        return self.on_time / self.counted if self.counted else None

    def add(self, other: Rate) -> None:
        self.counted += other.counted
        self.on_time += other.on_time


@dataclass
class ProjectFacts:
    """One project's records of the year."""

    project: Project
    reports: dict[int, QuarterlyReport]
    completion: ProjectCompletion | None
    checks: list[SupervisionCheck]
    evaluation: Evaluation | None
    counted_quarters: list[int]
    cells: list[Cell] = field(default_factory=list)  # the four quarters' report status (projects.report_cells)
    overdue_tasks: list = field(default_factory=list)  # its open tasks past their due date (HumanTask rows)
    as_of: date | None = None

    def cell(self, quarter: int) -> Cell | None:
        return next((cell for cell in self.cells if cell.quarter == quarter), None)

    @property
    def shown_cells(self) -> list[Cell]:
        """The quarters the project's section lists: every one filed, returned or due (missing included), and
        one not yet due whose reporting window has opened."""
        return [cell for cell in self.cells
                if is_listed(cell, self.project.plan.year, self.as_of, cell.quarter in self.reports)]

    @property
    def outcome(self) -> str:
        """on_time | late | open: whether the office confirmed the completion, and whether it came in time."""
        if self.completion is None or self.completion.status != "confirmed":
            return "open"
        return "late" if self.completion.late else "on_time"

    @property
    def outcome_name(self) -> str:
        return OUTCOME_NAMES[self.outcome]

    @property
    def score(self) -> int | None:
        if self.evaluation is None:
            return None
        return self.evaluation.final_score if self.evaluation.final_score is not None else self.evaluation.computed_score

    def reported_on_time(self, quarter: int) -> bool:
        report = self.reports.get(quarter)
        return report is not None and report.submitted_on is not None and not report.late

    def rate(self, quarter: int | None = None) -> Rate:
        quarters = [q for q in self.counted_quarters if quarter is None or q == quarter]
        return Rate(len(quarters), sum(1 for q in quarters if self.reported_on_time(q)))


@dataclass
class OutcomeCounts:
    on_time: int = 0
    late: int = 0
    open: int = 0


@dataclass
class AreaRates:
    area: TaskArea
    quarters: dict[int, Rate]
    year: Rate


@dataclass
class UnitRank:
    unit: Unit
    projects: int
    scores: list[int] = field(default_factory=list)
    rate: Rate = field(default_factory=Rate)

    @property
    def average_score(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None


@dataclass
class DepartmentConsultations:
    unit: Unit
    invitations: int
    signed: int
    replied: int
    rated: int
    satisfied: int
    average_sign_days: float | None
    average_reply_days: float | None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None


@dataclass
class YearSummary:
    plan: Plan
    as_of: date
    projects: list[ProjectFacts]
    outcomes: OutcomeCounts
    quarter_rates: dict[int, Rate]
    area_rates: list[AreaRates]
    unit_ranking: list[UnitRank]
    consultations: list[DepartmentConsultations]

    @property
    def year_rate(self) -> Rate:
        total = Rate()
        for rate in self.quarter_rates.values():
            total.add(rate)
        return total

    @property
    def has_data(self) -> bool:
        """False before the plan is started and anything is recorded: the report then only says so."""
        return self.plan.activated_at is not None or any(
            facts.reports or facts.completion or facts.evaluation or facts.checks for facts in self.projects)


def find_plan(session: Session, year: int) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.year == year))


def report_date(plan: Plan, today: date) -> date:
    """Figures are as of today, or as of the year's last day once the year is over."""
    return min(today, date(plan.year, 12, 31))


def _by_project(rows) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row.project_id].append(row)
    return grouped


def project_facts(session: Session, plan: Plan, projects: list[Project], as_of: date,
                  local_tz: tzinfo | None = None) -> list[ProjectFacts]:
    """The records of these projects of the plan as of ``as_of``, a handful of queries whatever their number;
    the reports' status and the overdue tasks come from projects.report_cells and dashboard.overdue_tasks."""
    ids = [project.id for project in projects]
    reports = _by_project(session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.project_id.in_(ids), QuarterlyReport.year == plan.year)))
    completions = {c.project_id: c for c in session.scalars(
        select(ProjectCompletion).where(ProjectCompletion.project_id.in_(ids)))}
    checks = _by_project(session.scalars(select(SupervisionCheck).where(SupervisionCheck.project_id.in_(ids))
                                         .order_by(SupervisionCheck.opened_on, SupervisionCheck.id)))
    evaluations = {e.project_id: e for e in session.scalars(
        select(Evaluation).where(Evaluation.project_id.in_(ids), Evaluation.year == plan.year))}
    cells = report_cells(session, plan, projects, as_of, local_tz)
    late_tasks: dict[str, list] = defaultdict(list)
    keys = {project.business_key for project in projects}
    for task in overdue_tasks(session, as_of):
        if task.instance.business_key in keys:
            late_tasks[task.instance.business_key].append(task)
    facts = []
    for project in projects:
        by_quarter = {report.quarter: report for report in reports.get(project.id, [])}
        completion = completions.get(project.id)
        facts.append(ProjectFacts(project, by_quarter, completion, checks.get(project.id, []),
                                  evaluations.get(project.id), _counted_quarters(project, by_quarter, completion, as_of),
                                  cells[project.id], late_tasks.get(project.business_key, []), as_of))
    return facts


def _counted_quarters(project: Project, reports: dict[int, QuarterlyReport], completion: ProjectCompletion | None,
                      as_of: date) -> list[int]:
    """The quarters the score counts (records/scoring.py): due while the project was open, or reported anyway."""
    filed = {quarter for quarter, report in reports.items() if report.submitted_on is not None}
    if project.plan.activated_at is None and not filed:
        return []
    return sorted(set(expected_quarters(project, completion, as_of)) | filed)


def outcome_counts(facts: list[ProjectFacts]) -> OutcomeCounts:
    counts = OutcomeCounts()
    for item in facts:
        setattr(counts, item.outcome, getattr(counts, item.outcome) + 1)
    return counts


def quarter_rates(facts: list[ProjectFacts]) -> dict[int, Rate]:
    rates = {quarter: Rate() for quarter in QUARTERS}
    for item in facts:
        for quarter in QUARTERS:
            rates[quarter].add(item.rate(quarter))
    return rates


def area_rates(plan: Plan, facts: list[ProjectFacts]) -> list[AreaRates]:
    rows = []
    for area in plan.areas:
        in_area = [item for item in facts if item.project.area_id == area.id]
        year = Rate()
        for item in in_area:
            year.add(item.rate())
        rows.append(AreaRates(area, quarter_rates(in_area), year))
    return rows


def unit_ranking(facts: list[ProjectFacts]) -> list[UnitRank]:
    """Lead units by their projects' average score, then by their reports' on-time rate."""
    ranks: dict[str, UnitRank] = {}
    for item in facts:
        for unit in item.project.lead_units:
            rank = ranks.setdefault(unit.code, UnitRank(unit, 0))
            rank.projects += 1
            rank.rate.add(item.rate())
            if item.score is not None:
                rank.scores.append(item.score)
    return sorted(ranks.values(), key=lambda r: (-(r.average_score or 0), -(r.rate.value or 0), r.unit.code))


def _average(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def consultation_figures(session: Session, year: int) -> list[DepartmentConsultations]:
    """Per invited department, the consultations opened in the year: signing and reply time in working days
    from the invitation, and the streets' satisfaction."""
    # Columns, not objects: a city's year holds tens of thousands of invitations, and building an ORM object for
    # each was most of the year-end book's time after one change.
    invitation = ConsultationInvitation
    rows = session.execute(select(invitation.department_code, invitation.invited_on, invitation.signed_on,
                                  invitation.replied_on, invitation.rating).join(Consultation).where(
        Consultation.opened_on >= date(year, 1, 1), Consultation.opened_on <= date(year, 12, 31)))
    by_department: dict[str, list] = defaultdict(list)
    for row in rows:
        by_department[row.department_code].append(row)
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(list(by_department))))}
    figures = []
    for code, items in sorted(by_department.items()):
        sign_days = [workdays_between(i.invited_on, i.signed_on) for i in items if i.signed_on]
        reply_days = [workdays_between(i.invited_on, i.replied_on) for i in items if i.replied_on]
        figures.append(DepartmentConsultations(
            units[code], len(items), len(sign_days), len(reply_days), sum(1 for i in items if i.rating),
            sum(1 for i in items if i.rating == "satisfied"), _average(sign_days), _average(reply_days)))
    return figures


def year_summary(session: Session, plan: Plan, today: date, local_tz: tzinfo | None = None) -> YearSummary:
    """The year's figures as of report_date: what the PDF and the CSV/XLSX tables show."""
    as_of = report_date(plan, today)
    facts = project_facts(session, plan, list(plan.projects), as_of, local_tz)
    return YearSummary(plan, as_of, facts, outcome_counts(facts), quarter_rates(facts), area_rates(plan, facts),
                       unit_ranking(facts), consultation_figures(session, plan.year))
