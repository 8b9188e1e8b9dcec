"""Chinese working days: official holidays and make-up workdays (调休) from the office's calendar (holidays/).

The same calendar feeds timers, due dates and the yellow/red warnings. The calendar is the chinese-calendar
package's tables under the office's own days; ``holidays.book.refresh(session)`` (run by runtime.process_engine)
brings in the office's latest edits. A day of a year nobody has entered is taken Monday to Friday and raises a
``GuessedWorkdays`` warning (and a log line) once per year and calendar load; ``year_known`` lets pages say so.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache

from .holidays import book
from .holidays.book import GuessedWorkdays  # noqa: F401  (callers catch or filter it from here)

SOON_WORKDAYS = 3  # a due date this close is shown yellow


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    """Whether ``day`` is a working day; Monday to Friday with a ``GuessedWorkdays`` warning in a year the
    calendar does not know. Cached (an inbox page counts a year's worth of days for a long-overdue task);
    the cache empties when the calendar changes."""
    kind = book.current().kind(day)
    if kind.guessed:
        book.warn_guessed(day)
    return kind.is_workday


def year_known(year: int) -> bool:
    """Whether the calendar holds the year's holidays and 调休 (so its dates are not guessed)."""
    return book.current().knows(year)


def add_workdays(start: date, count: int) -> date:
    """The ``count``-th working day after ``start`` (before it when ``count`` is negative)."""
    step = timedelta(days=1 if count >= 0 else -1)
    day, remaining = start, abs(count)
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


@lru_cache(maxsize=65536)  # every inbox row asks it, mostly the same (today, due date) pairs
def workdays_between(start: date, end: date) -> int:
    """Working days from ``start`` (exclusive) to ``end`` (inclusive); negative when ``end`` is earlier."""
    if end < start:
        return -workdays_between(end, start)
    return sum(1 for offset in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=offset)))


def _clear_caches() -> None:
    is_workday.cache_clear()
    workdays_between.cache_clear()


book.on_change(_clear_caches)


def month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def quarter_report_date(year: int, quarter: int) -> date:
    """The quarterly report goes in before the 20th of the quarter's last month (03-20, 06-20, 09-20, 12-20)."""
    return date(year, quarter * 3, 20)


def quarter_window_opens(year: int, quarter: int) -> date:
    return date(year, quarter * 3, 1)


def working_days_left(due_on: date | None, today: date) -> int | None:
    """Chinese working days from today to the due date; 0 on the day, negative once it has passed."""
    return None if due_on is None else workdays_between(today, due_on)


def urgency(due_on: date | None, today: date) -> str:
    """``overdue`` (red) after the due date, ``soon`` (yellow) within 3 working days, else ``normal``."""
    if due_on is None:
        return "normal"
    if today > due_on:
        return "overdue"
    return "soon" if workdays_between(today, due_on) <= SOON_WORKDAYS else "normal"
