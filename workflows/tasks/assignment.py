"""The office hands an open task to another unit (改派), e.g. when the plan named the wrong lead unit.

Only the task moves: the claim on it is dropped and its history says who moved it, from which unit to which
and why. Tasks that the diagram creates later still follow its lanes and the instance's ``roles``.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HumanTask, NotFound, TaskNotReady

from ..accounts.actor import Actor, NotAllowed
from ..cases.opening import Checker
from ..directory.models import UNIT_KINDS, Unit
from ..directory.units import find_unit

REASSIGNERS = ("office", "admin")


def may_reassign(actor: Actor) -> bool:
    return actor.role in REASSIGNERS


def reassign(session: Session, engine: BpmnEngine, actor: Actor, human_task_id: int, unit_code, reason) -> HumanTask:
    """Move a ready task to a real unit (not a group); NotAllowed for anyone but the office and admins."""
    if not may_reassign(actor):
        raise NotAllowed("只有区推进办可以改派任务")
    task = session.get(HumanTask, human_task_id)
    if task is None:
        raise NotFound(f"任务 {human_task_id} 不存在")
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态，不能改派")
    check = Checker(session, {"unit": unit_code, "reason": reason})
    reason = check.text("reason", "改派理由", limit=500)
    unit = _target_unit(check, task)
    check.done({"unit", "reason"})
    return engine.reassign_task(task.id, unit.code, actor=actor.username, reason=reason)


def _target_unit(check: Checker, task: HumanTask) -> Unit | None:
    """The unit named by code or name; a message on ``unit`` when there is none, it is a group or the same."""
    value = check.text("unit", "改派给", limit=100)
    if not value:
        return None
    unit = check.session.get(Unit, value) or find_unit(check.session, value)
    if unit is None:
        check.errors["unit"] = f"没有单位“{value}”"
    elif unit.is_group:
        check.errors["unit"] = f"“{unit.name}”是单位组，请选择一个具体单位"
    elif unit.code == task.assigned_unit:
        check.errors["unit"] = f"任务已由{unit.name}办理，请选择另一个单位"
    return unit


def reassign_choices(session: Session) -> list[tuple[str, list[Unit]]]:
    """The units a task can go to, under the names of their kinds (区级部门, 街道 …), groups left out."""
    units = session.scalars(select(Unit).where(Unit.kind != "group").order_by(Unit.code)).all()
    return [(name, [u for u in units if u.kind == kind]) for kind, name in UNIT_KINDS.items()
            if any(u.kind == kind for u in units)]
