"""The office's bulk 催办 from the dashboard's overdue list: one action, and per task one history entry and one
message to the unit (which marks the task 被催办 in its inbox, inbox.MARKERS)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HumanTask

from ..accounts.actor import Actor, NotAllowed
from ..directory.models import Unit
from ..forms import FormInvalid
from ..notifications.messages import notify

URGERS = ("office", "admin")
MAX_TASKS = 500  # one page's list; more in one request is a mistake


@dataclass
class OverdueTask:
    """One row of the dashboard's list: the task, its unit's name, how many working days late."""

    task: HumanTask
    unit_name: str
    business_key: str | None


def overdue_list(session: Session, today: date) -> list[OverdueTask]:
    """Every open task past its due date with a unit to chase, oldest due first."""
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    tasks = session.scalars(select(HumanTask).where(
        HumanTask.state == "ready", HumanTask.due_on < today, HumanTask.assigned_unit.is_not(None))
        .order_by(HumanTask.due_on, HumanTask.id))
    return [OverdueTask(task, names.get(task.assigned_unit, task.assigned_unit), task.instance.business_key)
            for task in tasks]


def urge(session: Session, engine: BpmnEngine, actor: Actor, task_ids: list[int], note: str = "") -> list[HumanTask]:
    """催办 each of these open, overdue tasks: a ``task_urged`` history event on its instance and a ``chased``
    message to its unit. Raises NotAllowed (not the office), FormInvalid under ``tasks`` (none chosen, or one that
    is not open and overdue: then nothing is done)."""
    if actor.role not in URGERS:
        raise NotAllowed("只有区推进办可以催办")
    tasks = _checked(session, task_ids, engine.clock.today())
    now, about = engine.clock.now(), note.strip()[:200]
    for task in tasks:
        engine.record_event(task.instance_id, "task_urged", actor=actor.username, task_name=task.name,
                            data={"task_id": task.id, "unit": task.assigned_unit, "note": about})
        key = f"（{task.instance.business_key}）" if task.instance.business_key else ""
        notify(session, "chased", f"催办：请尽快办理“{task.name}”{key}{('：' + about) if about else ''}",
               at=now, unit_code=task.assigned_unit, task=task)
    session.flush()
    return tasks


def _checked(session: Session, task_ids: list[int], today: date) -> list[HumanTask]:
    if not task_ids:
        raise FormInvalid({"tasks": "请勾选要催办的逾期待办"})
    if len(task_ids) > MAX_TASKS:
        raise FormInvalid({"tasks": f"一次最多催办 {MAX_TASKS} 项"})
    task_ids = list(dict.fromkeys(task_ids))
    tasks = list(session.scalars(select(HumanTask).where(HumanTask.id.in_(task_ids)).order_by(HumanTask.id)))
    found = {task.id: task for task in tasks}
    for task_id in task_ids:
        task = found.get(task_id)
        if task is None or task.state != "ready" or task.assigned_unit is None:
            raise FormInvalid({"tasks": f"勾选的待办（编号 {task_id}）已不在待办状态，请刷新后重试"})
        if task.due_on is None or task.due_on >= today:
            raise FormInvalid({"tasks": f"“{task.name}”尚未逾期，无需催办"})
    return tasks

