"""Writing facts when a tagged user task is completed: the task's ``record`` property names the handler.

tasks/completion.py calls `record` after each completion. One tag is not here: ``extension_decided`` (the
office's decision on a 延期申请) moves another task's due date, which is the tasks' own business
(tasks/extensions.py), not a fact of these tables.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from engine import HumanTask, ProcessInstance

from ..directory.models import Unit
from ..notifications import messages
from ..plan.models import Plan, Project
from .labels import choice_label
from .models import (AccessApplication, ActionItem, Consultation, ConsultationInvitation, Evaluation, Meeting,
                      ProjectCompletion, QuarterlyReport, SupervisionCheck)


# The quarterly report's tasks of the lead and responsible units (bpmn/quarterly_report.bpmn): a 催办 reaches them.
REPORT_DRAFTING = ("partner_input", "compile_report", "responsible_input", "revise_report")


@dataclass
class Completed:
    """A just-completed task: its data after the step, what was submitted, and the day by the clock."""

    session: Session
    instance: ProcessInstance
    task: HumanTask
    data: dict[str, Any]
    submitted: dict[str, Any]
    today: date

    def project_row(self, model, **keys):
        """The row of ``model`` (a record of the instance's project: a ``project_id`` column) with these keys,
        created (not yet flushed) if there is none. The project and its row are read by one query, without the
        project's units. Raises LookupError when the instance's data names no project of the plan."""
        info = self.data.get("project") or {}
        matches = [getattr(model, name) == value for name, value in keys.items()]
        found = self.session.execute(
            select(Project.id, model).join(Plan).outerjoin(model, and_(model.project_id == Project.id, *matches))
            .where(Plan.year == info.get("year"), Project.number == info.get("number"))).first()
        if found is None:
            raise LookupError(f"流程数据中的项目 {info.get('year')}-{info.get('number')} 不在计划中")
        project_id, row = found
        if row is None:
            row = model(project_id=project_id, **keys)
            self.session.add(row)
        return row

    def tell_units_at_work(self, spec_names: tuple[str, ...], kind: str, text: str) -> None:
        """A message to the units with an open task of these diagram elements in this instance (at that task)."""
        messages.notify_units_at_work(self.session, self.instance, spec_names, kind, text, at=self.task.completed_at)

    def tell_unit(self, kind: str, unit_code: str, text: str) -> None:
        messages.notify(self.session, kind, text, at=self.task.completed_at, unit_code=unit_code,
                        instance=self.instance)

    def one(self, model, **keys):
        """The row with these keys, created (not yet flushed) if there is none."""
        row = self.session.scalar(select(model).filter_by(**keys))
        if row is None:
            row = model(**keys)
            self.session.add(row)
        return row


def _about(c: Completed) -> str:
    """The instance's business key in brackets, for a message; nothing when it has none."""
    return f"（{c.instance.business_key}）" if c.instance.business_key else ""


def _unit_name(session: Session, code: str) -> str:
    unit = session.get(Unit, code)
    return unit.name if unit is not None else code


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _report(c: Completed) -> QuarterlyReport:
    report = c.project_row(QuarterlyReport, year=c.data["year"], quarter=c.data["quarter"])
    report.instance_id = c.instance.id
    # An approved 延期申请 moved the last day later (see report_drafted); the diagram's date never undoes that.
    report.due_on = max(day for day in (report.due_on, _day(c.data["report_last_day"])) if day is not None)
    return report


def _fill_report(report: QuarterlyReport, c: Completed) -> None:
    report.percent = c.submitted.get("percent")
    report.progress_status = c.submitted.get("status")
    report.content = {k: v for k, v in c.submitted.items() if k != "next_step"}
    report.status = "submitted"


def report_drafted(c: Completed) -> None:
    # Mirrors the diagram's gateway: asking for input when there is no responsible unit submits the report.
    if c.submitted.get("next_step") == "consult" and c.data.get("responsible_units"):
        return
    report = _report(c)
    if report.submitted_on is None:
        report.submitted_on = c.today
        report.due_on = max(report.due_on, c.task.due_on or report.due_on)  # the task's, if an extension moved it
        report.late = c.today > report.due_on
    _fill_report(report, c)


def report_revised(c: Completed) -> None:
    _fill_report(_report(c), c)


def report_reviewed(c: Completed) -> None:
    report = _report(c)
    report.reviewed_on, report.office_comment = c.today, c.submitted.get("office_comment")
    if c.submitted["verdict"] == "return":
        report.status, report.returned_count = "returned", (report.returned_count or 0) + 1
        comment = f"：{report.office_comment}" if report.office_comment else ""
        c.tell_units_at_work(("revise_report",), "report_returned", f"季度报告被退回修改{_about(c)}{comment}")
    else:
        report.status = "accepted"


def report_chased(c: Completed) -> None:
    report = _report(c)
    report.chased = True
    if report.status is None:
        report.status = "pending"
    c.tell_units_at_work(REPORT_DRAFTING, "chased", f"催办：请尽快报送季度报告{_about(c)}")


def _completion(c: Completed) -> ProjectCompletion:
    return c.project_row(ProjectCompletion)


def completion_submitted(c: Completed) -> None:
    completion = _completion(c)
    # The task's due date is the diagram's, or later where an approved 延期申请 moved it.
    due = max(filter(None, (_day(c.data.get("completion_due")), c.task.due_on)), default=None)
    completion.status, completion.submitted_on = "submitted", c.today
    completion.summary = c.submitted.get("completion_summary", "")
    completion.late = due is not None and c.today > due


def completion_reviewed(c: Completed) -> None:
    completion = _completion(c)
    completion.office_comment = c.submitted.get("completion_comment")
    if c.submitted["completion_verdict"] == "return":
        completion.status, completion.returned_count = "returned", (completion.returned_count or 0) + 1
        comment = f"：{completion.office_comment}" if completion.office_comment else ""
        c.tell_units_at_work(("revise_completion",), "report_returned", f"办结报告被退回补充{_about(c)}{comment}")
    else:
        completion.status, completion.confirmed_on = "confirmed", c.today


def completion_chased(c: Completed) -> None:
    completion = _completion(c)
    completion.chased = True
    completion.status = completion.status or "pending"
    c.tell_units_at_work(("submit_completion", "revise_completion"), "chased", f"催办：请尽快报送办结报告{_about(c)}")


def _evaluation(c: Completed) -> Evaluation:
    return c.project_row(Evaluation, year=c.data["year"])


def self_evaluation(c: Completed) -> None:
    evaluation = _evaluation(c)
    evaluation.self_summary, evaluation.self_score = c.submitted["self_summary"], c.submitted.get("self_score")


def evaluation_scored(c: Completed) -> None:
    evaluation = _evaluation(c)
    evaluation.breakdown = c.data.get("score_breakdown") or {}
    evaluation.computed_score = c.data.get("computed_score")
    evaluation.supervisor_score = c.submitted["supervisor_score"]
    evaluation.supervisor_comment = c.submitted.get("supervisor_comment")


def evaluation_confirmed(c: Completed) -> None:
    if c.submitted["score_decision"] == "confirm":
        evaluation = _evaluation(c)
        evaluation.final_score, evaluation.confirmed_on = c.submitted["final_score"], c.today


def _check(c: Completed) -> SupervisionCheck:
    return c.session.scalar(select(SupervisionCheck).where(SupervisionCheck.instance_id == c.instance.id))


def supervision_answered(c: Completed) -> None:
    check = _check(c)
    check.status, check.answered_on = "answered", c.today


def supervision_finding(c: Completed) -> None:
    check = _check(c)
    check.finding, check.finding_note = c.submitted["finding"], c.submitted["finding_note"]
    if check.finding == "rectify":
        check.status, check.rectify_due = "rectifying", _day(c.submitted["rectify_due"])
    else:
        check.status = "closed"


def rectification_submitted(c: Completed) -> None:
    _check(c).rectified_on = c.today


def rectification_verified(c: Completed) -> None:
    check = _check(c)
    if c.submitted["verification"] == "passed":
        check.status, check.verified_on = "closed", c.today


def _consultation(c: Completed) -> Consultation:
    return c.session.scalar(select(Consultation).where(Consultation.instance_id == c.instance.id))


def _invitation(c: Completed) -> ConsultationInvitation:
    consultation = _consultation(c)
    invitation = c.one(ConsultationInvitation, consultation_id=consultation.id, department_code=c.data["department"])
    invitation.invited_on = invitation.invited_on or c.today
    invitation.sign_due, invitation.reply_due = _day(c.data.get("sign_due")), _day(c.data.get("reply_due"))
    return invitation


def consultation_dispatched(c: Completed) -> None:
    consultation = _consultation(c)
    for code in c.data["invited_departments"]:
        c.one(ConsultationInvitation, consultation_id=consultation.id, department_code=code).invited_on = c.today


def consultation_signed(c: Completed) -> None:
    _invitation(c).signed_on = c.today


def consultation_replied(c: Completed) -> None:
    invitation = _invitation(c)
    invitation.replied_on = invitation.replied_on or c.today
    invitation.reply = c.submitted.get("reply_text")
    department = _unit_name(c.session, invitation.department_code)
    c.tell_unit("consultation_replied", _consultation(c).street_code, f"{department}已答复您的约请{_about(c)}")


def consultation_rated(c: Completed) -> None:
    invitation = _invitation(c)
    invitation.rating = c.submitted["rating"]
    rating = choice_label("rating", invitation.rating)
    c.tell_unit("consultation_rated", invitation.department_code, f"您对约请的答复被评为“{rating}”{_about(c)}")
    if invitation.rating == "unsatisfied":
        invitation.unsatisfied_count = (invitation.unsatisfied_count or 0) + 1


def consultation_escalated(c: Completed) -> None:
    _invitation(c).escalated = True


def consultation_coordinated(c: Completed) -> None:
    invitation = _invitation(c)
    invitation.escalated = True
    invitation.closed_by_office = c.submitted["coordination"] == "close"


def _application(c: Completed) -> AccessApplication:
    return c.session.scalar(select(AccessApplication).where(AccessApplication.instance_id == c.instance.id))


def access_legal_opinion(c: Completed) -> None:
    application = _application(c)
    application.lawful, application.legal_note = c.submitted["lawful"], c.submitted["legal_note"]


def access_decided(c: Completed) -> None:
    application = _application(c)
    decision = c.submitted["access_decision"]
    application.status = {"approve": "approved", "reject": "rejected", "return": "returned"}[decision]
    application.decision_comment, application.decided_on = c.submitted["access_comment"], c.today


def access_revised(c: Completed) -> None:
    application = _application(c)
    for name in ("affair", "legal_basis", "on_responsibility_list", "funding", "staffing"):
        if name in c.submitted:
            setattr(application, name, c.submitted[name])
    application.status = "reviewing"


def _meeting(c: Completed) -> Meeting:
    return c.session.scalar(select(Meeting).where(Meeting.instance_id == c.instance.id))


def meeting_minutes(c: Completed) -> None:
    meeting = _meeting(c)
    meeting.minutes, meeting.status = c.submitted["minutes"], "held"
    for position, item in enumerate(c.data.get("decisions") or []):
        meeting.action_items.append(ActionItem(position=position, unit_code=item["unit"], task=item["task"],
                                               due_on=_day(item["due_on"])))


def _action(c: Completed) -> ActionItem:
    position = c.data["action_item"]["position"]
    return next(item for item in _meeting(c).action_items if item.position == position)


def action_reported(c: Completed) -> None:
    action = _action(c)
    action.status, action.reported_on = "reported", c.today


def action_confirmed(c: Completed) -> None:
    action = _action(c)
    if c.submitted["action_verdict"] == "done":
        action.status, action.confirmed_on = "done", c.today
    else:
        action.status = "open"


RECORDERS: dict[str, Callable[[Completed], None]] = {handler.__name__: handler for handler in (
    report_drafted, report_revised, report_reviewed, report_chased, completion_submitted,
    completion_reviewed, completion_chased, self_evaluation, evaluation_scored, evaluation_confirmed,
    supervision_answered, supervision_finding, rectification_submitted, rectification_verified,
    consultation_dispatched, consultation_signed, consultation_replied, consultation_rated,
    consultation_escalated, consultation_coordinated, access_legal_opinion, access_decided, access_revised,
    meeting_minutes, action_reported, action_confirmed,
)}


def record(tag: str | None, completed: Completed) -> None:
    """Run the handler the tag names; a tag no handler knows records nothing (history keeps the data)."""
    handler = RECORDERS.get(tag or "")
    if handler is not None:
        handler(completed)


def instance_ended(session: Session, instance: ProcessInstance, today: date) -> None:
    """Close the fact rows that follow an instance when it completes."""
    consultation = session.scalar(select(Consultation).where(Consultation.instance_id == instance.id))
    if consultation is not None and consultation.status != "closed":
        consultation.status, consultation.closed_on = "closed", today
    meeting = session.scalar(select(Meeting).where(Meeting.instance_id == instance.id))
    if meeting is not None:
        meeting.status = "closed"
