"""Who may see and do a task: a unit its own tasks, the district's overseers every task, and the office the tasks
that no unit was found for."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import HistoryEvent, HumanTask

from ..accounts.actor import Actor
from ..accounts.models import User

# Roles that oversee the whole district and may look at any unit's task.
OVERSEERS = ("office", "admin", "supervisor", "auditor")


def may_complete(actor: Actor, task: HumanTask) -> bool:
    """A unit does its own tasks; the office also takes tasks that no unit was found for."""
    if actor.role == "auditor":
        return False
    if task.assigned_unit == actor.unit_code:
        return True
    return task.assigned_unit is None and actor.role in ("office", "admin")


def may_view(actor: Actor, task: HumanTask) -> bool:
    """A unit sees its own tasks; the office, supervisors, auditors and admins see every task."""
    return actor.role in OVERSEERS or task.assigned_unit == actor.unit_code


def may_view_instance(session: Session, actor: Actor, instance_id: int) -> bool:
    """Overseers see every instance; a unit those it started or has (or had) a task in."""
    if actor.role in OVERSEERS:
        return True
    had_task = select(HumanTask.id).where(HumanTask.instance_id == instance_id,
                                          HumanTask.assigned_unit == actor.unit_code)
    started = select(HistoryEvent.id).join(User, User.username == HistoryEvent.actor).where(
        HistoryEvent.instance_id == instance_id, HistoryEvent.kind == "started", User.unit_code == actor.unit_code)
    return session.scalar(select(had_task.exists() | started.exists())) is True
