"""Tamper-evident history: each history event carries ``chain_hash``, a SHA-256 over its content and the hash of
the previous event of the same instance (the first event of an instance follows GENESIS).

Chains are per instance because an instance's events are written under that instance's row lock (taken here too,
PostgreSQL's SELECT … FOR UPDATE), so two workers never append to one chain at once; the history's head
(``history_head``) is a SHA-256 over every instance's last hash. ``verify`` walks every chain and returns the first event (lowest id) whose hash does not
fit: an edited, inserted or deleted row breaks its own hash or its successor's.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import HistoryEvent, ProcessInstance

GENESIS = "0" * 64
_HEADS = "history_chain_heads"  # session.info: the newest hash of each instance written in this transaction


def event_digest(previous: str, at: datetime, kind: str, task_name: str | None, actor: str | None,
                 data: dict[str, Any] | None) -> str:
    """The SHA-256 (64 hex digits) of an event: the previous hash and the event's fields as canonical JSON."""
    content = [previous, at.isoformat(timespec="microseconds"), kind, task_name, actor, data or {}]
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _heads(session: Session) -> dict:
    return session.info.setdefault(_HEADS, {})


@sa_event.listens_for(Session, "after_commit")
@sa_event.listens_for(Session, "after_rollback")
@sa_event.listens_for(Session, "after_soft_rollback")
def _forget_heads(session: Session, *_previous_transaction) -> None:
    # after_soft_rollback also covers a savepoint rolled back: its events are gone, and so must their hashes be
    # (what was flushed before it is read again from the database).
    session.info.pop(_HEADS, None)


def last_hash(instance_id) -> Any:
    """A scalar subquery: the chain hash of the newest event of ``instance_id`` (a column or a value), NULL if none.
    Selected beside the instance's row under its lock (:func:`seed`), it spares the chain a query of its own."""
    return (select(HistoryEvent.chain_hash).where(HistoryEvent.instance_id == instance_id)
            .order_by(HistoryEvent.id.desc()).limit(1).scalar_subquery())


def seed(session: Session, instance_id: int, last: str | None) -> None:
    """Take ``last`` (read by :func:`last_hash` while the instance's row was locked for this transaction) as the
    chain's head, unless this transaction has already written a newer one."""
    _heads(session).setdefault(("id", instance_id), last or GENESIS)


def _previous(session: Session, owner: ProcessInstance | int | None) -> str:
    heads = _heads(session)
    instance_id = owner if isinstance(owner, int) or owner is None else owner.id
    for key in ((("row", id(owner)),) if isinstance(owner, ProcessInstance) else ()) + (("id", instance_id),):
        if key in heads:
            return heads[key]
    if instance_id is None:
        return GENESIS
    with session.no_autoflush:  # the pending events of this instance are all in the heads
        # Hold the instance's row till commit (PostgreSQL; the engine's own steps hold it already and seed the
        # head), so that an event the domain adds beside a task's completion cannot fork the chain. One
        # statement: the lock and the newest hash.
        last = session.execute(select(ProcessInstance.id, last_hash(ProcessInstance.id))
                               .where(ProcessInstance.id == instance_id)
                               .with_for_update(of=ProcessInstance)).first()
    return (last[1] if last is not None else None) or GENESIS


def append(session: Session, event: HistoryEvent, owner: ProcessInstance | int | None) -> HistoryEvent:
    """Link ``event`` to its instance's chain and add it to the session. ``owner`` is the instance's row (it may
    have no id yet: an instance started in a batch) or its id."""
    previous = _previous(session, owner)
    event.chain_hash = event_digest(previous, event.at, event.kind, event.task_name, event.actor, event.data)
    heads = _heads(session)
    if isinstance(owner, ProcessInstance):
        heads[("row", id(owner))] = event.chain_hash
        owner = owner.id
    if owner is not None:
        heads[("id", owner)] = event.chain_hash
    session.add(event)
    return event


@dataclass(frozen=True)
class Break:
    """The first event that does not fit its chain: its id, instance, kind and why (Chinese, for the auditor)."""
    event_id: int
    instance_id: int
    kind: str
    reason: str


def _events(session: Session, up_to: int | None) -> Iterator[HistoryEvent]:
    query = select(HistoryEvent).order_by(HistoryEvent.instance_id, HistoryEvent.id)
    if up_to is not None:
        query = query.where(HistoryEvent.id <= up_to)
    # populate_existing: the rows as stored now, not as this session last saw them
    yield from session.scalars(query.execution_options(yield_per=2000, populate_existing=True))


def verify(session: Session, up_to: int | None = None) -> Break | None:
    """Walk every instance's chain (events with id ≤ ``up_to``, default all); the break with the lowest event id,
    or None when every event fits."""
    breaks: list[Break] = []
    instance, previous, broken = None, GENESIS, False
    for row in _events(session, up_to):
        if row.instance_id != instance:
            instance, previous, broken = row.instance_id, GENESIS, False
        if broken:  # one break per chain: the events after it no longer fit either
            continue
        if not row.chain_hash:
            breaks.append(Break(row.id, row.instance_id, row.kind, "缺少哈希"))
            broken = True
        elif row.chain_hash != event_digest(previous, row.at, row.kind, row.task_name, row.actor, row.data):
            breaks.append(Break(row.id, row.instance_id, row.kind, "内容或前一事件与记录的哈希不符"))
            broken = True
        previous = row.chain_hash
    return min(breaks, key=lambda b: b.event_id) if breaks else None


@dataclass(frozen=True)
class Version:
    """The data version a document was made from: the newest history event's id, and the chain head then."""
    event_id: int
    head: str


def history_head(session: Session, up_to: int | None = None) -> Version:
    """The SHA-256 over every instance's last hash (in instance order) among events with id ≤ ``up_to``."""
    newest = session.scalar(select(func.max(HistoryEvent.id)))
    up_to = newest or 0 if up_to is None else min(up_to, newest or 0)
    last_ids = select(func.max(HistoryEvent.id)).where(HistoryEvent.id <= up_to).group_by(HistoryEvent.instance_id)
    rows = session.execute(select(HistoryEvent.instance_id, HistoryEvent.chain_hash)
                           .where(HistoryEvent.id.in_(last_ids)).order_by(HistoryEvent.instance_id))
    digest = hashlib.sha256()
    for instance_id, chain_hash in rows:
        digest.update(f"{instance_id}:{chain_hash or ''}\n".encode())
    return Version(up_to, digest.hexdigest())
