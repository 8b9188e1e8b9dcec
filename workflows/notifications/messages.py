"""Writing messages (``notify`` and the few helpers the recorders call) and reading them for a person.

A person is anything with ``username`` and ``unit_code`` (accounts' Actor): they see their unit's messages and
their own."""
from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine import HistoryEvent, HumanTask, NotFound, ProcessInstance

from .models import KINDS, Notification
from .outbox import enqueue

MAX_TEXT = 500


class Reader(Protocol):
    username: str
    unit_code: str


def notify(session: Session, kind: str, text: str, *, at: datetime, unit_code: str | None = None,
           username: str | None = None, task: HumanTask | None = None,
           instance: ProcessInstance | None = None) -> Notification:
    """Add one message for a unit or a user (not both), about a task or an instance; flushed with the fact, with
    its outbound deliveries (outbox.py) in the same transaction."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    if (unit_code is None) == (username is None):
        raise ValueError("a notification goes to a unit or to a user")
    if instance is None and task is not None:
        instance = task.instance
    message = Notification(kind=kind, text=text[:MAX_TEXT], unit_code=unit_code, username=username,
                           human_task=task, instance=instance, created_at=at.replace(tzinfo=None))
    session.add(message)
    enqueue(session, message)
    return message


def notify_units_at_work(session: Session, instance: ProcessInstance, spec_names: tuple[str, ...], kind: str,
                         text: str, *, at: datetime) -> list[Notification]:
    """A message to each unit with an open task of these diagram elements in the instance, pointing at its newest
    such task: the unit whose report was returned (its 修改 task) or is chased (its 填报 task)."""
    open_tasks = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == "ready", HumanTask.assigned_unit.is_not(None),
        HumanTask.spec_name.in_(spec_names)).order_by(HumanTask.id.desc())).all()
    newest_per_unit: dict[str, HumanTask] = {}
    for task in open_tasks:
        newest_per_unit.setdefault(task.assigned_unit, task)
    return [notify(session, kind, text, at=at, unit_code=unit, task=task) for unit, task in newest_per_unit.items()]


def incident_on_instance(session: Session, instance: ProcessInstance, message: str, *,
                         at: datetime) -> Notification | None:
    """The hook for incidents: a message to the user who started the instance (None when no user did, e.g. a
    timer or the plan's activation)."""
    starter = session.scalar(select(HistoryEvent.actor).where(
        HistoryEvent.instance_id == instance.id, HistoryEvent.kind == "started").order_by(HistoryEvent.id))
    if not starter:
        return None
    key = f"（{instance.business_key}）" if instance.business_key else ""
    return notify(session, "incident", f"您发起的流程{key}出现异常：{message}", at=at, username=starter,
                  instance=instance)


def _visible_to(reader: Reader):
    return or_(Notification.unit_code == reader.unit_code, Notification.username == reader.username)


def for_reader(session: Session, reader: Reader, *, unread_only: bool = False, limit: int = 50,
               offset: int = 0) -> list[Notification]:
    """The reader's messages, newest first."""
    query = select(Notification).where(_visible_to(reader))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def unread_count(session: Session, reader: Reader) -> int:
    """How many of the reader's messages are unread (the bell's number)."""
    return session.scalar(select(func.count(Notification.id)).where(
        _visible_to(reader), Notification.read_at.is_(None))) or 0


def get_for_reader(session: Session, reader: Reader, notification_id: int) -> Notification:
    """One of the reader's messages; raises engine's NotFound (404) for another's, as if it did not exist."""
    message = session.get(Notification, notification_id)
    if message is None or not (message.unit_code == reader.unit_code or message.username == reader.username):
        raise NotFound(f"消息 {notification_id} 不存在")
    return message


def mark_read(session: Session, reader: Reader, notification_id: int, *, at: datetime) -> Notification:
    """Mark one message read (for the whole unit if it is the unit's); reading it again changes nothing."""
    message = get_for_reader(session, reader, notification_id)
    if message.read_at is None:
        message.read_at = at.replace(tzinfo=None)
    return message


def mark_all_read(session: Session, reader: Reader, *, at: datetime) -> int:
    """Mark every unread message of the reader read; returns how many."""
    result = session.execute(update(Notification).where(_visible_to(reader), Notification.read_at.is_(None))
                             .values(read_at=at.replace(tzinfo=None)).execution_options(synchronize_session=False))
    return result.rowcount
