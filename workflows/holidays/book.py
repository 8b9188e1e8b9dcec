"""The calendar as this process knows it: the package's tables plus the office's days, checked against the
database's revision token whenever an engine is built (``refresh``, at most once a second per database), so an
edit in the web app reaches the worker at its next sweep.

Lookups (``day_kind``) need no session: the date functions of workdays.py keep their signatures, and before
any refresh the package's tables alone answer, as they did before the office could keep a calendar.
"""
from __future__ import annotations

import logging
import threading
import time
import warnings
from dataclasses import dataclass, field
from datetime import date

import chinese_calendar
from chinese_calendar import constants
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CalendarDay, CalendarRevision, CalendarYear

log = logging.getLogger(__name__)

LIBRARY_SOURCE = f"chinese-calendar {chinese_calendar.__version__}（国务院历年通知，内置）"
LIBRARY_YEARS = range(min(constants.holidays).year, max(constants.holidays).year + 1)
_HOLIDAY_NAMES = {holiday.value: holiday.chinese for holiday in constants.Holiday}


class GuessedWorkdays(UserWarning):
    """A date in a year whose holidays nobody has entered was counted Monday to Friday."""


@dataclass(frozen=True)
class DayKind:
    """What a day is: a workday or not, its name (元旦, 春节调休 …; "" for an ordinary day), and whether it
    was guessed (a year the calendar does not know, counted Monday to Friday)."""
    is_workday: bool
    name: str = ""
    guessed: bool = False


@dataclass(frozen=True)
class OfficeYear:
    """A year the office entered: where from (an imported file's name, the page) and whether it is complete."""
    source: str
    complete: bool
    updated_by: str


@dataclass(frozen=True)
class Book:
    """A snapshot of the office's layer: its days and its years, and the revision it was read at."""
    token: str | None = None
    days: dict[date, DayKind] = field(default_factory=dict)
    years: dict[int, OfficeYear] = field(default_factory=dict)

    def knows(self, year: int) -> bool:
        """Whether the year's holidays are all entered: the package's years, or the office marked it complete."""
        return year in LIBRARY_YEARS or (year in self.years and self.years[year].complete)

    def kind(self, day: date) -> DayKind:
        if day in self.days:
            return self.days[day]
        if day.year in LIBRARY_YEARS:
            return _library_kind(day)
        return DayKind(day.weekday() < 5, guessed=not self.knows(day.year))


def _library_kind(day: date) -> DayKind:
    if day in constants.holidays:
        return DayKind(False, _HOLIDAY_NAMES.get(constants.holidays[day], constants.holidays[day]))
    if day in constants.workdays:
        return DayKind(True, _HOLIDAY_NAMES.get(constants.workdays[day], constants.workdays[day]) + "调休")
    return DayKind(day.weekday() < 5)


def library_days(year: int) -> dict[date, DayKind]:
    """The package's holidays and make-up workdays of one year (empty outside LIBRARY_YEARS)."""
    found = {day: _library_kind(day) for day in (*constants.holidays, *constants.workdays) if day.year == year}
    return dict(sorted(found.items()))


_book = Book()
_lock = threading.Lock()
_listeners: list = []
_warned_years: set[int] = set()
_checked: dict[str, float] = {}  # database URL → when this process last read its revision token (monotonic)
CHECK_SECONDS = 1.0  # process_engine's max_age: an edit in another process reaches this one within a second


def current() -> Book:
    """The calendar this process uses now."""
    return _book


def on_change(listener) -> None:
    """Call ``listener()`` whenever the process's calendar is replaced (workdays.py clears its caches)."""
    _listeners.append(listener)


def refresh(session: Session, *, max_age: float = 0.0) -> Book:
    """Read the database's revision token (one small query) and reload the office's layer if it changed.

    With ``max_age`` (seconds; what :func:`workflows.runtime.process_engine` passes, ``CHECK_SECONDS``) the token
    is not read again within that time of this process's last check of the same database: every request and
    every sweep builds an engine, and an edit is rare. An edit made in this process is seen at once (the office's
    writes call :func:`expire`); one made in another process within ``max_age``."""
    where = str(session.get_bind().url)
    if max_age and time.monotonic() - _checked.get(where, -max_age) < max_age:
        return _book
    token = session.scalar(select(CalendarRevision.token).where(CalendarRevision.id == 1))
    _checked[where] = time.monotonic()
    if token is not None and token == _book.token:
        return _book
    if token is None and _book.token is None and not _book.days and not _book.years:
        return _book
    return _replace(_read(session, token))


def expire() -> None:
    """The next :func:`refresh` reads the token whatever its ``max_age`` (after the office changed the calendar)."""
    _checked.clear()


def forget() -> None:
    """Back to the package's tables alone (tests that end with another database's calendar loaded)."""
    _replace(Book())


def _read(session: Session, token: str | None) -> Book:
    days = {row.day: DayKind(row.is_workday, row.name) for row in session.scalars(select(CalendarDay))}
    years = {row.year: OfficeYear(row.source, row.complete, row.updated_by)
             for row in session.scalars(select(CalendarYear))}
    return Book(token, days, years)


def _replace(book: Book) -> Book:
    global _book
    with _lock:
        _book = book
        _checked.clear()
        _warned_years.clear()
        for listener in _listeners:
            listener()
    return book


def warn_guessed(day: date) -> None:
    """Say that ``day`` was counted Monday to Friday: a ``GuessedWorkdays`` warning and a log line, once per
    year until the calendar changes (``add_workdays`` over a long span would otherwise say it per day)."""
    if day.year in _warned_years:
        return
    _warned_years.add(day.year)
    message = f"{day.year} 年的节假日和调休安排尚未完整录入工作日历，{day.isoformat()} 按周一至周五推算"
    log.warning(message)
    warnings.warn(message, GuessedWorkdays, stacklevel=3)
