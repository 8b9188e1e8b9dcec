"""The year report's appendix: everything that was done after its deadline, or is still not done past it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import Unit
from ..plan.models import Plan
from ..records.models import ActionItem, Consultation, ConsultationInvitation, Meeting
from ..workdays import workdays_between
from .dashboard import UNASSIGNED, overdue_tasks
from .year_report import ProjectFacts


TRAILING = "。；，、,;. "  # a subject's closing punctuation: the item's own punctuation follows it


@dataclass
class OverdueItem:
    kind: str          # 第N季度报告, 办结报告, 督查答复, 督查整改, 约请签收, 约请答复, 例会事项, 待办逾期
    subject: str       # the project's business key and text, the consultation or the meeting decision
    units: str         # who was to do it
    due_on: date
    done_on: date | None  # None: still not done on the report date
    workdays_late: int
    status: str = ""      # a quarterly report's cell status (projects.report_cells): missing | late | returned
    business_key: str | None = None  # the project it belongs to, if any


def _late(kind: str, subject: str, units: str, due_on: date | None, done_on: date | None,
          as_of: date) -> OverdueItem | None:
    if due_on is None:
        return None
    end = done_on or as_of
    if end <= due_on:
        return None
    return OverdueItem(kind, subject, units, due_on, done_on, workdays_between(due_on, end))


def _project_items(facts: ProjectFacts, as_of: date, names: dict[str, str] | None = None) -> list[OverdueItem | None]:
    project = facts.project
    subject = f"{project.business_key} {project.text[:40].rstrip(TRAILING)}"
    leads = "、".join(unit.name for unit in project.lead_units)
    items: list[OverdueItem | None] = []
    for cell in facts.cells:  # every report due and missing, filed late, or returned after its deadline
        report = facts.reports.get(cell.quarter)
        if cell.status == "missing" or cell.status == "late" or (cell.status == "returned" and report.late):
            item = _late(f"第{cell.quarter}季度报告", subject, leads, cell.due_on, cell.submitted_on, as_of)
            if item is not None:
                item.status = cell.status
            items.append(item)
    completion = facts.completion
    if completion is None or completion.status != "confirmed" or completion.late:
        items.append(_late("办结报告", subject, leads, project.due_on, completion and completion.submitted_on, as_of))
    for check in facts.checks:
        items.append(_late("督查答复", f"{subject}（{check.subject}）", leads, check.answer_due, check.answered_on, as_of))
        if check.finding == "rectify":
            items.append(_late("督查整改", f"{subject}（{check.subject}）", leads, check.rectify_due,
                               check.rectified_on, as_of))
    items += [_task_item(task, subject, as_of, names or {}) for task in facts.overdue_tasks]
    for item in items:
        if item is not None:
            item.business_key = project.business_key
    return items


def _task_item(task, subject: str, as_of: date, names: dict[str, str]) -> OverdueItem:
    """An open task past its due date (dashboard.overdue_tasks), as the unit's inbox shows it: 已逾期."""
    units = names.get(task.assigned_unit, task.assigned_unit or UNASSIGNED)
    return OverdueItem("待办逾期", f"{subject}：{task.name}", units, task.due_on, None,
                       workdays_between(task.due_on, as_of))


def _consultation_items(session: Session, year: int, as_of: date, names: dict[str, str]) -> list[OverdueItem | None]:
    invitation = ConsultationInvitation  # columns, not objects: a city's year holds tens of thousands
    rows = session.execute(select(Consultation.street_code, Consultation.description, invitation.department_code,
                                  invitation.sign_due, invitation.signed_on, invitation.reply_due, invitation.replied_on)
                           .join(Consultation).where(Consultation.opened_on >= date(year, 1, 1),
                                                     Consultation.opened_on <= date(year, 12, 31))
                           .order_by(Consultation.opened_on, invitation.id))
    items: list[OverdueItem | None] = []
    for row in rows:
        subject = f"{names.get(row.street_code, row.street_code)}约请：{row.description[:40]}"
        department = names.get(row.department_code, row.department_code)
        items.append(_late("约请签收", subject, department, row.sign_due, row.signed_on, as_of))
        items.append(_late("约请答复", subject, department, row.reply_due, row.replied_on, as_of))
    return items


def _action_items(session: Session, year: int, as_of: date, names: dict[str, str]) -> list[OverdueItem | None]:
    rows = session.execute(select(ActionItem, Meeting).join(Meeting).where(
        Meeting.meeting_date >= date(year, 1, 1), Meeting.meeting_date <= date(year, 12, 31))
        .order_by(Meeting.meeting_date, ActionItem.position))
    return [_late("例会事项", f"{meeting.meeting_date:%m月%d日}例会：{item.task[:40]}",
                  names.get(item.unit_code, item.unit_code), item.due_on, item.reported_on, as_of)
            for item, meeting in rows]


def project_overdue(facts: ProjectFacts, as_of: date, names: dict[str, str] | None = None) -> list[OverdueItem]:
    """One project's late or overdue reports (missing ones included), completion, supervision answers and open
    tasks past their due date, by due date; ``names`` maps unit codes to names (for the tasks' units)."""
    items = [item for item in _project_items(facts, as_of, names) if item is not None]
    return sorted(items, key=lambda item: (item.due_on, item.kind))


def unit_names(session: Session) -> dict[str, str]:
    """Unit code → name, for project_overdue."""
    return {code: name for code, name in session.execute(select(Unit.code, Unit.name))}


def overdue_items(session: Session, plan: Plan, facts: list[ProjectFacts], as_of: date) -> list[OverdueItem]:
    """Every late or still overdue item of the year, by due date."""
    names = unit_names(session)
    items = [item for project in facts for item in _project_items(project, as_of, names)]
    items += _consultation_items(session, plan.year, as_of, names)
    items += _action_items(session, plan.year, as_of, names)
    keys = {project.project.business_key for project in facts}
    for task in overdue_tasks(session, as_of):  # those of the consultations, meetings and other processes
        if task.instance.business_key not in keys:
            subject = task.instance.business_key or task.instance.definition.name or task.instance.definition.key
            items.append(_task_item(task, subject, as_of, names))
    return sorted((item for item in items if item is not None), key=lambda item: (item.due_on, item.kind))
