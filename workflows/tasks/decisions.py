"""What a decision task is deciding: the report under review, the completion report to confirm, the rectification
to verify, the self-evaluation to score, the reply to rate, the meeting decision to carry out, shown as labelled
sections beside the form (one panel per task kind, drawn by one macro in inbox/_decision.html).

The facts come from the task's own data (what the earlier steps submitted), the instance's history (each round of a
review, each unit's input) and the record tables (the check, the consultation, the meeting).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent, HumanTask, TaskView

from ..records.history import person, person_names, unit_names
from ..records.labels import FIELDS, shown_value
from ..records.models import ActionItem, Consultation, ConsultationInvitation, Meeting
from .models import Attachment
from .quarters import ReportThread, quarter_of, report_threads


@dataclass
class Row:
    """One labelled value; ``before`` is what it said in the previous round when it changed since."""

    label: str
    text: str
    before: str | None = None


@dataclass
class Pending:
    """An input another unit owes: its open task (to 催) or, once given, who gave it and when."""

    unit: str
    task_id: int
    given_by: str = ""
    given_at: datetime | None = None
    text: str = ""


@dataclass
class Section:
    """A titled block of the panel: rows, and optionally the inputs of other units."""

    title: str
    rows: list[Row] = field(default_factory=list)
    inputs: list[Pending] = field(default_factory=list)
    note: str = ""


@dataclass
class Context:
    """What a panel handler reads: the task, its live data, and the names of units, people and files."""

    session: Session
    engine: BpmnEngine
    task: HumanTask
    data: dict[str, Any]
    units: dict[str, str]
    people: dict[str, str]
    files: dict[int, str]
    events: list[HistoryEvent] | None = None  # the instance's history, if the caller has read it

    def rows(self, field_ids, values: dict | None = None) -> list[Row]:
        """Rows for the fields that have a value, labelled as FIELDS names them."""
        values = self.data if values is None else values
        shown = ((field_id, shown_value(field_id, values.get(field_id), units=self.units, files=self.files))
                 for field_id in field_ids)
        return [Row(FIELDS[field_id], text) for field_id, text in shown if text]


# Each handler below is named for the task's id in its diagram (KINDS) and returns the panel's sections.
REPORT_FIELDS = ("progress", "percent", "status", "problems", "experience", "attachments")


def _report_rows(c: Context, thread: ReportThread | None) -> list[Row]:
    rows = c.rows(REPORT_FIELDS)
    earlier = thread.rounds[-2].submitted if thread and len(thread.rounds) > 1 else None
    if earlier is not None:
        before = {row.label: row for row in c.rows(REPORT_FIELDS, earlier)}
        for row in rows:
            old = before.get(row.label)
            if old is None or old.text != row.text:
                row.before = old.text if old else "（未填写）"
    return rows


def _rounds(c: Context, thread: ReportThread) -> Section:
    section = Section("审核轮次")
    for number, round_ in enumerate(thread.rounds, start=1):
        submitted = f"{person(c.people, round_.submitted_by)}于{_day(round_.submitted_at)}提交"
        if round_.verdict is None:
            section.rows.append(Row(f"第{number}轮", f"{submitted}，待审核"))
            continue
        verdict = shown_value("verdict", round_.verdict, units=c.units)
        comment = f"；推进办意见：{round_.comment}" if round_.comment else ""
        section.rows.append(Row(f"第{number}轮", f"{submitted}；{person(c.people, round_.reviewed_by)}"
                                               f"{_day(round_.reviewed_at)}审核：{verdict}{comment}"))
    return section


def _inputs(c: Context, thread: ReportThread | None) -> Section:
    section = Section("各单位材料")
    for given in (thread.inputs if thread else []):
        section.inputs.append(Pending(c.units.get(given.unit, given.unit), given.task_id,
                                      person(c.people, given.by), given.at, given.text))
    return section


def _thread(c: Context) -> ReportThread | None:
    quarter = c.data.get("quarter") or quarter_of(c.task.due_on)
    return report_threads(c.session, c.engine, c.task.instance_id, c.events).get(quarter)


def review_report(c: Context) -> list[Section]:
    thread = _thread(c)
    title = f"{c.data.get('year')}年第{c.data.get('quarter')}季度报告"
    sections = [Section(title, _report_rows(c, thread),
                        note="标有“原为”的内容是退回后修改的。" if thread and len(thread.rounds) > 1 else "")]
    return sections + [_inputs(c, thread)] + ([_rounds(c, thread)] if thread and thread.rounds else [])


def compile_report(c: Context) -> list[Section]:
    """Also once compiled: a lead that asked the responsible units for input waits on this page for them."""
    thread = _thread(c)
    sections = [_inputs(c, thread)]
    if thread and thread.rounds:
        sections.append(_rounds(c, thread))
    return sections


def _day(value: date | datetime | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def confirm_completion(c: Context) -> list[Section]:
    rows = c.rows(("completion_summary", "completion_results", "attachments"))
    earlier = c.rows(("completion_comment",))
    return [Section("办结报告", rows), *([Section("上一轮推进办意见", earlier)] if earlier else [])]


def record_finding(c: Context) -> list[Section]:
    return [Section("反馈的落实情况", c.rows(("answer", "evidence")))]


def verify_rectification(c: Context) -> list[Section]:
    return [Section("督查结论", c.rows(("finding", "finding_note", "rectify_due"))),
            Section("整改情况", c.rows(("rectification", "evidence")))]


def rectify(c: Context) -> list[Section]:
    return [Section("督查结论", c.rows(("finding", "finding_note", "rectify_due")))]


def score_evaluation(c: Context) -> list[Section]:
    """The self-evaluation, and the score the rules give with each rule's points and reason."""
    breakdown = c.data.get("score_breakdown") or {}
    rules = [Row(item["rule"], f"{item['points']:g} / {item['max']:g} 分：{item.get('reason', '')}")
             for item in breakdown.get("items", [])]
    if c.data.get("computed_score") is not None:
        rules.append(Row("合计", f"{c.data['computed_score']} 分"))
    if breakdown.get("grade"):
        rules.append(Row("等级", f"{breakdown['grade']}（评定等级规则第{breakdown.get('grade_row')}行）"))
    return [Section("自评报告", c.rows(("self_summary", "self_shortcomings", "self_score", "attachments"))),
            Section("按规则计算", rules)]


def confirm_score(c: Context) -> list[Section]:
    return score_evaluation(c) + [Section("督查科评分", c.rows(("supervisor_score", "supervisor_comment")))]


def access_review(c: Context) -> list[Section]:
    return [Section("法律意见", c.rows(("lawful", "legal_note")))]


def _action(c: Context) -> tuple[Meeting, ActionItem] | tuple[None, None]:
    meeting = c.session.scalar(select(Meeting).where(Meeting.instance_id == c.task.instance_id))
    position = (c.data.get("action_item") or {}).get("position")
    items = [item for item in (meeting.action_items if meeting else []) if item.position == position]
    return (meeting, items[0]) if items else (None, None)


def report_action_done(c: Context) -> list[Section]:
    meeting, item = _action(c)
    if item is None:
        return []
    return [Section("决定事项", [
        Row("承办单位", c.units.get(item.unit_code, item.unit_code)), Row("事项", item.task),
        Row("完成期限", _day(item.due_on)), Row("会议", f"{_day(meeting.meeting_date)} {meeting.topics}"),
        Row("会议纪要", meeting.minutes or "—")])]


def confirm_action(c: Context) -> list[Section]:
    return report_action_done(c) + [Section("落实情况", c.rows(("action_result", "attachments")))]


def _invitation(c: Context) -> tuple[Consultation, ConsultationInvitation] | tuple[None, None]:
    department = c.data.get("department")
    found = c.session.execute(select(Consultation, ConsultationInvitation).join(ConsultationInvitation).where(
        Consultation.instance_id == c.task.instance_id, ConsultationInvitation.department_code == department)).first()
    return tuple(found) if found else (None, None)


def _round_note(invitation: ConsultationInvitation, c: Context) -> str:
    if not invitation.unsatisfied_count:
        return ""
    reason = f"，原因：{c.data['rating_reason']}" if c.data.get("rating_reason") else ""
    return (f"上一轮答复被评为不满意{reason}。这是第 {invitation.unsatisfied_count + 1} 轮答复。")


def rate_reply(c: Context) -> list[Section]:
    consultation, invitation = _invitation(c)
    if invitation is None:
        return []
    rows = [Row("被约请部门", c.units.get(invitation.department_code, invitation.department_code)),
            Row("约请事项", consultation.description)] + c.rows(("reply_kind", "reply_text", "attachments"))
    return [Section("部门答复", rows, note=_round_note(invitation, c))]


def reply(c: Context) -> list[Section]:
    consultation, invitation = _invitation(c)
    if invitation is None or not invitation.unsatisfied_count:
        return []
    return [Section("重新答复", c.rows(("reply_kind", "reply_text", "rating_reason")), note=_round_note(invitation, c))]


def coordinate(c: Context) -> list[Section]:
    """The office steps in after repeated 不满意: the reply, and how often and why it was rejected."""
    sections = rate_reply(c)
    _, invitation = _invitation(c)
    if sections and invitation is not None:
        reason = f"，最近一次的原因：{c.data['rating_reason']}" if c.data.get("rating_reason") else ""
        sections[0].note = f"街镇已 {invitation.unsatisfied_count} 次评为不满意{reason}。"
    return sections


KINDS: dict[str, Callable[[Context], list[Section]]] = {handler.__name__: handler for handler in (
    review_report, compile_report, confirm_completion, record_finding, verify_rectification, rectify,
    score_evaluation, confirm_score, access_review, report_action_done, confirm_action, rate_reply, reply,
    coordinate)}


SHOWN_WHEN_DONE = {"compile_report"}
# Decisions whose form opens empty each round: the previous round's verdict is shown in the panel, not preset.
FRESH_DECISIONS = {"review_report", "confirm_completion", "record_finding", "verify_rectification", "score_evaluation",
                   "confirm_score", "legal_opinion", "access_review", "confirm_action", "rate_reply", "coordinate"}
# Tasks that several units hold side by side in one instance: the inbox names whose they are (评价答复 · 区民政局).
SUBJECT_SPECS = {"sign", "reply", "chase_signing", "chase_reply", "rate_reply", "coordinate", "report_action_done",
                 "confirm_action"}


def _live_view(engine: BpmnEngine, task: HumanTask, view: TaskView | None) -> TaskView | None:
    """The ready task's view: the one the caller already read, else read now (restoring the instance)."""
    if task.state != "ready":
        return None
    return view if view is not None else engine.task_view(task)


def subjects(session: Session, engine: BpmnEngine, tasks: list[HumanTask],
             views: dict[int, TaskView] | None = None) -> dict[int, str]:
    """Task id → what sets the task apart from its namesakes (the invited department, the decision's unit and
    matter), for the ready tasks of SUBJECT_SPECS among ``tasks``; the others have none. ``views``: task id →
    its view, where the caller has read it already."""
    wanted_any = any(task.spec_name in SUBJECT_SPECS for task in tasks)
    units, found = (unit_names(session) if wanted_any else {}), {}  # most pages list none: no query for them
    for task in tasks:
        wanted = task.spec_name in SUBJECT_SPECS
        view = _live_view(engine, task, (views or {}).get(task.id)) if wanted else None
        data = view.data if view else {}
        if data.get("department"):
            found[task.id] = units.get(data["department"], "")
        elif isinstance(data.get("action_item"), dict):
            item = data["action_item"]
            found[task.id] = f"{units.get(item.get('unit'), '')}：{item.get('task', '')}"
    return found


def decision_context(session: Session, engine: BpmnEngine, task: HumanTask, view: TaskView | None = None,
                     events: list[HistoryEvent] | None = None) -> list[Section]:
    """The labelled sections showing what the ready ``task`` decides on; [] for tasks that decide on nothing
    beyond their own form, or once the task is no longer ready (except SHOWN_WHEN_DONE). ``view``: the task's
    view and ``events`` the instance's history, if the caller has read them. Raises MissingLabel for an unlabelled code."""
    handler = KINDS.get(task.spec_name)
    view = _live_view(engine, task, view) if handler is not None else None
    if view is None and task.spec_name not in SHOWN_WHEN_DONE:
        return []
    files = dict(session.execute(select(Attachment.id, Attachment.filename)
                                 .where(Attachment.instance_id == task.instance_id)).all())
    context = Context(session, engine, task, view.data if view else {}, unit_names(session), person_names(session),
                      files, events)
    return [section for section in handler(context) if section.rows or section.inputs or section.note]

