"""Drafts and comments on a task, and what the task page shows beside its form: the instance's files and
comments, and the project's earlier reports with their status.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import HumanTask, TaskNotReady

from ..accounts.actor import Actor, NotAllowed
from ..directory.models import Unit
from ..forms import FieldSpec, FormInvalid
from ..notifications.messages import notify
from ..plan.models import Project
from ..records.models import ProjectCompletion
from ..projects.report_cells import QuarterRow, quarter_rows
from . import attachments as files
from .inbox import as_form_text, check_not_held_by_other
from .models import Attachment, TaskComment, TaskDraft
from .permissions import may_complete
from .quarters import INPUT_SPECS

MAX_DRAFT_BYTES = 64 * 1024
MAX_COMMENT = 2000


class NoteInvalid(FormInvalid):
    """A draft or comment that cannot be kept: a form error on one input, with a message saying why."""

    def __init__(self, field_name: str, message: str):
        super().__init__({field_name: message})
        self.message = message


def save_draft(session: Session, task: HumanTask, actor: Actor, fields: list[FieldSpec], submitted: Any, *,
               now: datetime) -> TaskDraft:
    """Keep the form as it is, unchecked (fields not on the form are dropped), for the task's unit to go on later."""
    if not may_complete(actor, task):
        raise NotAllowed(f"任务“{task.name}”不由您所在单位办理，不能保存草稿")
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态")
    check_not_held_by_other(task, actor)
    if not isinstance(submitted, dict):
        raise NoteInvalid("_draft", "草稿应为对象（字段名 → 值）")
    known = {spec.id for spec in fields if not spec.readonly}
    data = {name: value for name, value in submitted.items() if name in known}
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_DRAFT_BYTES:
        raise NoteInvalid("_draft", f"草稿过大（超过 {MAX_DRAFT_BYTES // 1024} KB），请精简后再保存")
    # Two clerks of the unit saving the first draft at once: an UPDATE that changes nothing takes the task's row
    # (PostgreSQL) or the write lock (SQLite) first, so the second waits and then finds the first one's draft,
    # instead of inserting a duplicate key.
    session.execute(update(HumanTask).where(HumanTask.id == task.id).values(claimed_by=HumanTask.claimed_by)
                    .execution_options(synchronize_session=False))
    draft = session.get(TaskDraft, task.id, populate_existing=True) or TaskDraft(human_task_id=task.id)
    draft.data, draft.saved_by, draft.saved_at = data, actor.username, now.replace(tzinfo=None)
    session.add(draft)
    session.flush()
    return draft


def load_draft(session: Session, task: HumanTask) -> TaskDraft | None:
    return session.get(TaskDraft, task.id) if task.state == "ready" else None


def values_with_draft(fields: list[FieldSpec], values: dict, draft: TaskDraft | None) -> dict:
    """The form's values with the draft's on top, as the form shows them."""
    if draft is None:
        return values
    shown = {spec.id: as_form_text(spec, draft.data[spec.id]) for spec in fields if spec.id in draft.data}
    return {**values, **shown}


def add_comment(session: Session, task: HumanTask, actor: Actor, body: Any, *, now: datetime) -> TaskComment:
    """A remark on the task for everyone working on its instance; auditors only read."""
    if actor.role == "auditor":
        raise NotAllowed("审计（只读）账号不能发表意见")
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise NoteInvalid("body", "请填写意见内容")
    if len(text) > MAX_COMMENT:
        raise NoteInvalid("body", f"意见不能超过 {MAX_COMMENT} 个字（现有 {len(text)} 个字）")
    comment = TaskComment(instance_id=task.instance_id, human_task_id=task.id, author=actor.username,
                          unit_code=actor.unit_code, body=text, created_at=now.replace(tzinfo=None))
    session.add(comment)
    if task.assigned_unit and task.assigned_unit != actor.unit_code:
        excerpt = text if len(text) <= 60 else text[:60] + "…"
        notify(session, "comment", f"“{task.name}”有新意见：{excerpt}", at=now, unit_code=task.assigned_unit,
               task=task)
    session.flush()
    return comment


@dataclass
class CommentRow:
    comment: TaskComment
    unit_name: str
    task_name: str | None


def comments_of(session: Session, instance_id: int) -> list[CommentRow]:
    """The instance's comments, newest last, with the author's unit name and the task they were made on."""
    query = (select(TaskComment, Unit.name, HumanTask.name)
             .outerjoin(Unit, Unit.code == TaskComment.unit_code)
             .outerjoin(HumanTask, HumanTask.id == TaskComment.human_task_id)
             .where(TaskComment.instance_id == instance_id).order_by(TaskComment.created_at, TaskComment.id))
    return [CommentRow(comment, unit_name or comment.unit_code, task_name)
            for comment, unit_name, task_name in session.execute(query)]


@dataclass
class TaskNotes:
    draft: TaskDraft | None
    attachments: list[Attachment]
    comments: list[CommentRow]
    quarters: list[QuarterRow] = field(default_factory=list)  # 往期报告: the project's quarters in report_cells' words
    completion: ProjectCompletion | None = None
    may_upload: bool = False
    may_comment: bool = False
    deletable: set[int] = field(default_factory=set)  # the files this person may delete


def notes_for(session: Session, task: HumanTask, actor: Actor, project: Project | None, today: date) -> TaskNotes:
    """Everything the task page shows besides the form and the history; ``today``: the clock's day."""
    quarters, completion = [], None
    if project is not None:
        quarters = quarter_rows(session, project, today)
        completion = session.scalar(select(ProjectCompletion).where(ProjectCompletion.project_id == project.id))
    uploaded = files.of_instance(session, task.instance_id)
    other_tasks = {a.human_task_id for a in uploaded if a.human_task_id} - {task.id}
    task_states = {task.id: task.state} | (dict(session.execute(select(HumanTask.id, HumanTask.state).where(
        HumanTask.id.in_(other_tasks))).all()) if other_tasks else {})
    deletable = {a.id for a in uploaded if files.may_delete(a, actor, task_states.get(a.human_task_id))}
    return TaskNotes(load_draft(session, task), uploaded, comments_of(session, task.instance_id), quarters, completion,
                     may_upload=task.state == "ready" and may_complete(actor, task),
                     may_comment=actor.role != "auditor", deletable=deletable)


def chase_input(session: Session, task: HumanTask, owed: HumanTask, actor: Actor, *, now: datetime) -> TaskComment:
    """The lead, on its own ``task`` of compiling the report (open, or done and waiting for input), 催 a unit whose input ``owed`` (an open task of the same instance)
    is still missing: a comment on the owed task that both units see. Raises NotAllowed or TaskNotReady."""
    if not may_complete(actor, task) or task.spec_name != "compile_report":
        raise NotAllowed("只有汇总本报告的单位可以催办")
    if owed.instance_id != task.instance_id or owed.spec_name not in INPUT_SPECS:
        raise NotAllowed("只能催办本报告尚未提供材料的单位")
    if owed.state != "ready":
        raise TaskNotReady(f"“{owed.name}”已办理，无需催办")
    unit = session.get(Unit, owed.assigned_unit) if owed.assigned_unit else None
    body = f"催办：请{unit.name if unit else ''}尽快办理“{owed.name}”，本季度报告等待贵单位的材料。"
    comment = TaskComment(instance_id=task.instance_id, human_task_id=owed.id, author=actor.username,
                          unit_code=actor.unit_code, body=body, created_at=now.replace(tzinfo=None))
    session.add(comment)
    session.flush()
    return comment
