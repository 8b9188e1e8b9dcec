"""Completing a task: who may (permissions.py), what the form accepts, what the completion records."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HumanTask, Instance, NotFound, TaskView

from ..accounts.actor import Actor, NotAllowed
from ..directory.units import unit_resolver
from ..forms import FieldSpec, field_specs, validate
from ..records import recorders
from . import extensions
from .attachments import InstanceFiles
from .models import TaskDraft
from .permissions import may_complete


def form_of(view: TaskView) -> list[FieldSpec]:
    return field_specs(view.form_fields)


@dataclass
class Completion:
    """A completed task's instance after the step, and its ready human tasks then (by id)."""

    instance: Instance
    next_tasks: list[HumanTask]


def complete_task(session: Session, engine: BpmnEngine, actor: Actor, human_task_id: int,
                  submitted: dict[str, Any]) -> Completion:
    """Validate against the task's form, complete it, record its facts; raises FormInvalid, NotAllowed …"""
    task = session.get(HumanTask, human_task_id)
    if task is None:
        raise NotFound(f"任务 {human_task_id} 不存在")
    if not may_complete(actor, task):
        raise NotAllowed(f"任务“{task.name}”不属于{actor.unit_code}")
    resolve, files, cleaned = unit_resolver(session), InstanceFiles(session, task.instance_id), {}

    def check(view: TaskView, data: dict[str, Any]) -> dict[str, Any]:
        cleaned.update(validate(form_of(view), data, resolve, files))
        return dict(cleaned)

    with _tasks_arriving(session) as arrived:
        instance = engine.complete_task(task.id, submitted, actor=actor.username, validate=check)
        completed = instance.completed_task
        session.execute(delete(TaskDraft).where(TaskDraft.human_task_id == task.id))  # the draft is done with
        today = engine.clock.today()
        facts = recorders.Completed(session, instance.row, task, completed.data, cleaned, today)
        _record(completed.properties.get("record"), facts)
        if instance.row.status == "completed":
            recorders.instance_ended(session, instance.row, today)
        session.flush()
    return Completion(instance, _open_tasks(session, instance, arrived))


def _record(tag: str | None, facts: recorders.Completed) -> None:
    """What the task's ``record`` property names: a row of the record tables, or the office's decision on a
    延期申请, which moves another task's due date and so is the tasks' own (extensions.py)."""
    if tag == extensions.DECISION_RECORD:
        extensions.record_decision(facts)
    else:
        recorders.record(tag, facts)


def _open_tasks(session: Session, instance: Instance, arrived: list[HumanTask]) -> list[HumanTask]:
    """The instance's ready human tasks after the step, by id: those it had (read under its lock by the engine)
    that are still ready, and those the step added. Nothing else changes them while the lock is held."""
    if instance.stored_ready_rows is None:  # not read by the step: ask the database
        return list(session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == "ready").order_by(HumanTask.id)))
    rows = [*instance.stored_ready_rows.values(), *arrived]
    return sorted((row for row in rows if row.instance_id == instance.id and row.state == "ready"),
                  key=lambda row: row.id)


_ARRIVING = "workflows.tasks.completion.arriving"


@event.listens_for(Session, "before_flush")
def _keep_arrivals(session: Session, _flush_context, _instances) -> None:
    arriving = session.info.get(_ARRIVING)
    if arriving is not None:
        arriving.extend(row for row in session.new if isinstance(row, HumanTask))


@contextmanager
def _tasks_arriving(session: Session) -> Iterator[list[HumanTask]]:
    """The human tasks the session's flushes add inside the block (of any instance): the rows themselves, which
    the session's identity map, holding them weakly, would forget once they are flushed."""
    session.info[_ARRIVING] = arriving = []
    try:
        yield arriving
    finally:
        del session.info[_ARRIVING]
