"""Chinese working days: official holidays and make-up workdays (调休) from the chinese-calendar package.

The same calendar feeds timers, due dates and the yellow/red warnings. Outside the years the package
knows, Monday to Friday are taken as working days.
"""
from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

SOON_WORKDAYS = 3  # a due date this close is shown yellow


@lru_cache(maxsize=8192)
def is_workday(day: date) -> bool:
    # Cached: chinese_calendar scans its holiday tables on every call, and an inbox page counts the working
    # days left for each of its tasks, a year's worth of days for a long-overdue one.
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


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
