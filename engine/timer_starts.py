"""Timer start events (``timeDate``, ``timeCycle``) of deployed processes: the schedule, and the worker's turn that
starts one instance per occurrence.

Deploying a version writes one ``timer_start`` row per timer start event of the process (an unchanged expression
keeps its place in the schedule across versions). The worker claims a due row (``FOR UPDATE SKIP LOCKED``; SQLite
serialises writers instead) and inserts the occurrence into ``timer_start_occurrence``, whose unique constraint on
(process, element, instant) lets only one worker start it even if both read the row; then it starts the instance
through that start event and moves the row to the next occurrence after the clock. Occurrences missed while no
worker ran start one instance, for the latest of them, as the engine's cycle timers fire a missed reminder once.
A ``timeDuration`` start (relative to nothing) and an expression that is not a literal are not scheduled.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (CycleTimerEventDefinition, TimeDateEventDefinition,
                                                              TimerEventDefinition)

from .clock import to_db
from .events import TIMER, start_events
from .incidents import UNAVAILABLE, StepTrace, describe
from .models import ProcessDefinition, TimerStart, TimerStartOccurrence

log = logging.getLogger(__name__)


def _literal(expression: str) -> str:
    text = (expression or "").strip()
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _cycle(text: str) -> tuple[int, datetime, str]:
    """``R[n]/start/duration`` → (cycles, first instant (aware), the duration's text); -1 cycles: unbounded."""
    parts = text.upper().strip("R").split("/")
    if len(parts) != 3 or not parts[2].startswith("P"):
        raise ValueError(text)
    return (int(parts[0]) if parts[0] else -1), TimerEventDefinition.get_datetime(parts[1]), parts[2]


def _after(instant: datetime, duration: str) -> datetime:
    parsed = TimerEventDefinition.parse_iso_duration(duration)
    return instant + TimerEventDefinition.get_timedelta_from_start(parsed, instant)


def _skip_past(instant: datetime, duration: str, remaining: int, now: datetime) -> tuple[datetime | None, int]:
    """The cycle's first occurrence not before ``now`` from ``instant`` on, and the cycles left (-1: unbounded)."""
    while instant < now and remaining != 0:
        instant = _after(instant, duration)
        remaining -= 1 if remaining > 0 else 0
    return (instant, remaining) if remaining != 0 else (None, 0)


def first_occurrence(expression: str, kind: str, now: datetime) -> tuple[datetime | None, int]:
    """When a newly scheduled timer start is first due (aware UTC) and how many occurrences are left with it:
    a date once (even when past: it is due at once, as in Camunda), a cycle from its first occurrence not
    before ``now``."""
    text = _literal(expression)
    if kind == "date":
        return TimerEventDefinition.get_datetime(text), 1
    cycles, instant, duration = _cycle(text)
    return _skip_past(instant, duration, cycles, now)


def following_occurrence(expression: str, due: datetime, remaining: int, now: datetime) -> tuple[datetime | None, int]:
    """After the occurrence ``due`` started its instance: the next one not before ``now`` (those missed are
    skipped), and the cycles left."""
    text = _literal(expression)
    if not text.upper().startswith("R"):
        return None, 0
    duration = _cycle(text)[2]
    return _skip_past(_after(due, duration), duration, remaining - 1 if remaining > 0 else remaining, now)


def _kind(definition) -> str | None:
    if isinstance(definition, CycleTimerEventDefinition):
        return "cycle"
    if isinstance(definition, TimeDateEventDefinition):
        return "date"
    return None


def schedule(session: Session, definitions: list[ProcessDefinition], now: datetime) -> None:
    """Write the timer starts of newly deployed versions (see the module's docstring)."""
    for definition in definitions:
        current = {row.element: row for row in session.scalars(
            select(TimerStart).where(TimerStart.process_key == definition.key))}
        wanted = {element: timer for kind, _, element, timer in start_events(definition)
                  if kind == TIMER and _kind(timer) is not None}
        for element, row in current.items():
            if element not in wanted:
                session.delete(row)
        for element, timer in wanted.items():
            _schedule_one(session, definition, element, timer, current.get(element), now)
    session.flush()


def _schedule_one(session, definition, element, timer, row, now) -> None:
    expression = str(timer.expression)[:500]
    if row is not None and row.expression == expression:
        row.definition_id = definition.id
        return
    try:
        first, remaining = first_occurrence(expression, _kind(timer), now)
    except Exception:  # noqa: BLE001 — SpiffWorkflow's parsers raise bare Exceptions for what is not a literal
        log.info("timer start %s.%s not scheduled: %r is not a literal date or cycle", definition.key, element,
                 expression)
        return
    if row is None:
        row = TimerStart(process_key=definition.key, element=element)
        session.add(row)
    row.definition_id, row.expression, row.remaining = definition.id, expression, remaining
    row.next_at = to_db(first) if first is not None else None


@dataclass
class StartsResult:
    """What one turn did: the ids of the instances it started, and (process key, message) for each that failed."""

    started: list[int] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def start_due(new_session: Callable[[], Session], new_engine: Callable[[Session], object],
              limit: int = 1000) -> StartsResult:
    """Start an instance for each due occurrence of each timer start, one occurrence per transaction."""
    result = StartsResult()
    for _ in range(limit):
        with new_session() as session:
            if not _start_one(session, new_engine(session), result):
                session.rollback()
                return result
    return result


def _start_one(session: Session, engine, result: StartsResult) -> bool:
    """Claim and start one due occurrence; False when none is due."""
    now = engine.clock.now()
    row = session.scalar(select(TimerStart).where(TimerStart.next_at <= to_db(now)).order_by(TimerStart.next_at)
                         .limit(1).with_for_update(skip_locked=True))
    if row is None:
        return False
    row_id, due = row.id, _latest_passed(row, now)
    key, element = row.process_key, row.element
    occurrence = TimerStartOccurrence(process_key=key, element=element, due_at=due, started_at=to_db(now))
    try:
        with session.begin_nested():
            session.add(occurrence)
    except IntegrityError:  # another worker started this occurrence: only move the row past it
        session.rollback()
        row = session.get(TimerStart, row_id, with_for_update=True)
        if row is not None and row.next_at is not None and row.next_at <= due:
            _advance(row, due, now)
        session.commit()
        return True
    try:
        with session.begin_nested():
            instance = engine.start_by_event(engine.latest_definition(key), element,
                                             business_key=f"{key}-{_local(due, engine):%Y%m%d%H%M}")
            occurrence.instance_id = instance.id
            result.started.append(instance.id)
    except UNAVAILABLE:
        raise
    except Exception as error:  # noqa: BLE001 — a failing process must not stop the schedule
        failure = describe(error, StepTrace())
        log.error("timer start of %s failed: %s", key, failure.message)
        result.failed.append((key, failure.message))
    _advance(row, due, now)
    session.commit()
    return True


def _latest_passed(row: TimerStart, now: datetime) -> datetime:
    """The row's latest occurrence not after ``now`` (naive UTC): a worker that was down starts the one that
    passed last, and those before it count as used."""
    text = _literal(row.expression)
    due = row.next_at
    if not text.upper().startswith("R"):
        return due
    duration = _cycle(text)[2]
    while row.remaining != 1 and (following := to_db(_after(due.replace(tzinfo=timezone.utc), duration))) <= to_db(now):
        due, row.remaining = following, row.remaining - 1 if row.remaining > 0 else row.remaining
    return due


def _advance(row: TimerStart, due: datetime, now: datetime) -> None:
    following, row.remaining = following_occurrence(row.expression, due.replace(tzinfo=timezone.utc), row.remaining,
                                                    now)
    row.next_at = to_db(following) if following is not None else None


def _local(due: datetime, engine) -> datetime:
    return due.replace(tzinfo=timezone.utc).astimezone(engine.clock.local_tz)
