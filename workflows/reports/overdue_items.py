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
from .year_report import ProjectFacts


@dataclass
class OverdueItem:
    kind: str          # 季度报告, 办结报告, 督查答复, 督查整改, 约请签收, 约请答复, 例会事项
    subject: str       # the project's business key and text, the consultation or the meeting decision
    units: str         # who was to do it
    due_on: date
    done_on: date | None  # None: still not done on the report date
    workdays_late: int


def _late(kind: str, subject: str, units: str, due_on: date | None, done_on: date | None,
          as_of: date) -> OverdueItem | None:
    if due_on is None:
        return None
    end = done_on or as_of
    if end <= due_on:
        return None
    return OverdueItem(kind, subject, units, due_on, done_on, workdays_between(due_on, end))


def _project_items(facts: ProjectFacts, as_of: date) -> list[OverdueItem | None]:
    project = facts.project
    subject = f"{project.business_key} {project.text[:40]}"
    leads = "、".join(unit.name for unit in project.lead_units)
    items: list[OverdueItem | None] = [
        _late(f"第{quarter}季度报告", subject, leads, facts.reports[quarter].due_on,
              facts.reports[quarter].submitted_on, as_of) if quarter in facts.reports else None
        for quarter in facts.counted_quarters]
    completion = facts.completion
    if completion is None or completion.status != "confirmed" or completion.late:
        items.append(_late("办结报告", subject, leads, project.due_on, completion and completion.submitted_on, as_of))
    for check in facts.checks:
        items.append(_late("督查答复", f"{subject}（{check.subject}）", leads, check.answer_due, check.answered_on, as_of))
        if check.finding == "rectify":
            items.append(_late("督查整改", f"{subject}（{check.subject}）", leads, check.rectify_due,
                               check.rectified_on, as_of))
    return items


def _consultation_items(session: Session, year: int, as_of: date, names: dict[str, str]) -> list[OverdueItem | None]:
    rows = session.execute(select(ConsultationInvitation, Consultation).join(Consultation).where(
        Consultation.opened_on >= date(year, 1, 1), Consultation.opened_on <= date(year, 12, 31))
        .order_by(Consultation.opened_on, ConsultationInvitation.id))
    items: list[OverdueItem | None] = []
    for invitation, consultation in rows:
        subject = f"{names.get(consultation.street_code, consultation.street_code)}约请：{consultation.description[:40]}"
        department = names.get(invitation.department_code, invitation.department_code)
        items.append(_late("约请签收", subject, department, invitation.sign_due, invitation.signed_on, as_of))
        items.append(_late("约请答复", subject, department, invitation.reply_due, invitation.replied_on, as_of))
    return items


def _action_items(session: Session, year: int, as_of: date, names: dict[str, str]) -> list[OverdueItem | None]:
    rows = session.execute(select(ActionItem, Meeting).join(Meeting).where(
        Meeting.meeting_date >= date(year, 1, 1), Meeting.meeting_date <= date(year, 12, 31))
        .order_by(Meeting.meeting_date, ActionItem.position))
    return [_late("例会事项", f"{meeting.meeting_date:%m月%d日}例会：{item.task[:40]}",
                  names.get(item.unit_code, item.unit_code), item.due_on, item.reported_on, as_of)
            for item, meeting in rows]


def project_overdue(facts: ProjectFacts, as_of: date) -> list[OverdueItem]:
    """One project's late or overdue reports, completion and supervision answers."""
    return [item for item in _project_items(facts, as_of) if item is not None]


def overdue_items(session: Session, plan: Plan, facts: list[ProjectFacts], as_of: date) -> list[OverdueItem]:
    """Every late or still overdue item of the year, by due date."""
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))}
    items = [item for project in facts for item in _project_items(project, as_of)]
    items += _consultation_items(session, plan.year, as_of, names)
    items += _action_items(session, plan.year, as_of, names)
    return sorted((item for item in items if item is not None), key=lambda item: (item.due_on, item.kind))
