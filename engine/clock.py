"""The one clock that timers, due dates and reports read.

Real time by default; a simulated instant kept in the database lets a demo or a test play a year in
minutes. SpiffWorkflow's timers call ``datetime.now(timezone.utc)`` in their own module, so while the
engine works we hand that module a ``datetime`` whose ``now`` answers with our clock.
"""
from __future__ import annotations

import contextvars
import re
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from .errors import EngineError
from .models import ClockSetting

_ROW = "engine_clock_row"  # session.info: the clock's row (or None) as this transaction read it
_SEEN = "engine_clock_seen"  # session.info: its simulated instant (or None), read beside another row (seed)


@event.listens_for(Session, "after_transaction_end")
def _forget_row(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost one (commit, rollback, close); not a flush's or a savepoint's
        session.info.pop(_ROW, None)
        session.info.pop(_SEEN, None)


def simulated_now_column() -> Any:
    """A scalar subquery: the clock's simulated instant (NULL on real time). Selected beside a row the transaction
    reads anyway (an instance's, under its lock), it spares the clock a query of its own (:func:`seed`)."""
    return select(ClockSetting.simulated_now).where(ClockSetting.id == 1).scalar_subquery()


def seed(session: Session, simulated_now: datetime | None) -> None:
    """Take ``simulated_now`` (read by :func:`simulated_now_column` in this transaction) as the clock's reading,
    unless the transaction has read the clock already: it reads it once."""
    if _ROW not in session.info:
        session.info.setdefault(_SEEN, simulated_now)


_frozen_now: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("engine_now", default=None)


class _ClockDatetime(datetime):
    """A ``datetime`` whose ``now()`` follows the engine's clock while one is set."""

    @classmethod
    def now(cls, tz=None):
        current = _frozen_now.get()
        if current is None:
            return datetime.now(tz)
        return current.astimezone(tz) if tz else current.astimezone().replace(tzinfo=None)


def install_spiff_clock(local_tz: tzinfo) -> None:
    """Make SpiffWorkflow's timer module read our clock; naive timer dates mean ``local_tz``."""
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime
    timer.LOCALTZ = local_tz


_DURATION = re.compile(r"^\s*(\d+)\s*([wdhms])\s*$")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_step(text: str) -> timedelta:
    """``10d``, ``3h``, ``2w``, ``30m``, ``45s`` → a timedelta."""
    match = _DURATION.match(text or "")
    if not match:
        raise EngineError(f"时长格式无效：{text!r}（应为如 10d、3h、2w、30m）")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


class Clock:
    def __init__(self, session: Session, local_tz: tzinfo):
        self.session = session
        self.local_tz = local_tz

    def _row(self) -> ClockSetting | None:
        """The clock's one row, read once per transaction: a step reads the clock several times, and a worker's
        batch once per timer. The row (or that there is none) is kept in ``session.info`` till the transaction
        ends, as the session's identity map keeps its rows only while something holds them."""
        if _ROW not in self.session.info:
            self.session.info[_ROW] = self.session.get(ClockSetting, 1)
        return self.session.info[_ROW]

    def _simulated_now(self) -> datetime | None:
        """The simulated instant (naive UTC) or None on real time: as seeded, else from the row."""
        if _ROW not in self.session.info and _SEEN in self.session.info:
            return self.session.info[_SEEN]
        row = self._row()
        return row.simulated_now if row is not None else None

    def simulated(self) -> bool:
        return self._simulated_now() is not None

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC); within `frozen()` the instant it froze."""
        frozen = _frozen_now.get()
        if frozen is not None:
            return frozen
        simulated_now = self._simulated_now()
        if simulated_now is None:
            return datetime.now(timezone.utc)
        return simulated_now.replace(tzinfo=timezone.utc)

    def today(self) -> date:
        return self.now().astimezone(self.local_tz).date()

    def set(self, value: datetime | None) -> None:
        """Freeze the clock at ``value`` (a naive value is local time), or go back to real time with None."""
        stored = None
        if value is not None:
            aware = value if value.tzinfo else value.replace(tzinfo=self.local_tz)
            stored = aware.astimezone(timezone.utc).replace(tzinfo=None)
        row = self._row()
        if row is None:
            row = self.session.info[_ROW] = ClockSetting(id=1, simulated_now=stored)
            self.session.add(row)
        else:
            row.simulated_now = stored
        self.session.flush()

    def advance(self, step: timedelta) -> datetime:
        if step < timedelta(0):
            raise EngineError("时钟不能倒退")
        self.set(self.now() + step)
        return self.now()

    @contextmanager
    def frozen(self):
        """Within the block every reader, SpiffWorkflow's timers included, sees one instant."""
        token = _frozen_now.set(self.now())
        try:
            yield _frozen_now.get()
        finally:
            _frozen_now.reset(token)


def to_db(value: datetime) -> datetime:
    """Aware instant → naive UTC as stored."""
    return value.astimezone(timezone.utc).replace(tzinfo=None)
