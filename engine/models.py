"""Tables the engine owns: deployed definitions, instances, their human tasks and history, the clock."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ProcessDefinition(Base):
    """One deployed version of a diagram, keyed by its process id."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    # The XML and the specs' JSON are read only when used (a diagram's page, a cache miss in storage.restored_specs),
    # not with every instance that joins its definition.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    spec_state: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    deployed_at: Mapped[datetime] = mapped_column(DateTime)
    deployed_by: Mapped[str] = mapped_column(String(100), default="")


class DecisionDefinition(Base):
    """One deployed version of a DMN decision, keyed by its decision id; ``dmn_xml`` is the whole file it came in
    (a file may hold several decisions, each versioned on its own)."""

    __tablename__ = "decision_definition"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200), default="")
    dmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(DateTime)
    deployed_by: Mapped[str] = mapped_column(String(100), default="")


class ProcessInstance(Base):
    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    business_key: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default="running", index=True)
    # Tens of KiB of JSON: read by BpmnEngine.get_instance, not with every human task that joins its instance.
    state: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    serializer_version: Mapped[str] = mapped_column(String(20))
    next_timer_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    definition: Mapped[ProcessDefinition] = relationship(lazy="joined")


class HumanTask(Base):
    """A denormalised copy of each user task so that an inbox is one indexed query."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_inbox", "assigned_unit", "state", "due_on"),
        Index("ix_human_task_done", "completed_by", "completed_at"),  # the 已办 list, latest first
        UniqueConstraint("instance_id", "task_guid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str | None] = mapped_column(String(200))
    assigned_unit: Mapped[str | None] = mapped_column(String(100))
    due_on: Mapped[date | None] = mapped_column(Date)
    priority: Mapped[int | None] = mapped_column(Integer)  # camunda:priority, higher is more urgent
    state: Mapped[str] = mapped_column(String(20), default="ready")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))

    instance: Mapped[ProcessInstance] = relationship(lazy="joined")


class HistoryEvent(Base):
    """Append-only: rows are only ever inserted."""

    __tablename__ = "history_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(40))
    task_name: Mapped[str | None] = mapped_column(String(300))
    actor: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # SHA-256 over this event and the previous event's hash of the same instance (engine/chain.py)
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    instance: Mapped[ProcessInstance] = relationship()


class Incident(Base):
    """A step that failed (Camunda's incident): the instance waits in status ``error`` until it is retried or
    cancelled. ``element`` is the BPMN id of the element whose step failed (None when it cannot be told)."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    element: Mapped[str | None] = mapped_column(String(200))
    element_name: Mapped[str | None] = mapped_column(String(300))
    variable: Mapped[str | None] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))


class EventSubscription(Base):
    """What a running instance waits for now (Camunda's event subscription): a message or signal catch event,
    receive task, boundary event or event-based gateway branch, one row each. Rewritten after every step (like
    ``human_task``) so that delivery finds its targets by name without restoring every instance."""

    __tablename__ = "event_subscription"
    __table_args__ = (Index("ix_event_subscription_name", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "message" or "signal"
    name: Mapped[str] = mapped_column(String(200))
    element: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    instance: Mapped[ProcessInstance] = relationship()


class TimerStart(Base):
    """A timer start event (timeDate or timeCycle) of the newest version of a process: when it is next due
    (naive UTC; None when its cycles have run out) and how many occurrences remain (-1: unbounded)."""

    __tablename__ = "timer_start"
    __table_args__ = (UniqueConstraint("process_key", "element"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    element: Mapped[str] = mapped_column(String(200))
    expression: Mapped[str] = mapped_column(String(500))
    next_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    remaining: Mapped[int] = mapped_column(Integer, default=-1)


class TimerStartOccurrence(Base):
    """One occurrence of a timer start, claimed by the worker that starts its instance: the unique constraint
    makes a second worker's claim of the same occurrence fail, so each occurrence starts one instance."""

    __tablename__ = "timer_start_occurrence"
    __table_args__ = (UniqueConstraint("process_key", "element", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    element: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime] = mapped_column(DateTime)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    started_at: Mapped[datetime] = mapped_column(DateTime)


class HistoryIsAppendOnly(Exception):
    """Code tried to change or delete a history event."""


@event.listens_for(Session, "before_flush")
def _refuse_history_changes(session: Session, flush_context, instances) -> None:
    changed = [obj for obj in session.dirty if isinstance(obj, HistoryEvent) and session.is_modified(obj)]
    deleted = [obj for obj in session.deleted if isinstance(obj, HistoryEvent)]
    if changed or deleted:
        raise HistoryIsAppendOnly("流程历史只能追加，不能修改或删除")


class ClockSetting(Base):
    """A single row: the simulated instant, or NULL for real time."""

    __tablename__ = "clock_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    simulated_now: Mapped[datetime | None] = mapped_column(DateTime)
