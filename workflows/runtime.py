"""Builds the engine the domain works with: our router, our timezone, our functions for diagram code.

It stands above records/ (diagram code may call ``year_end_score``, which reads the record tables) and
directory/ (the router), and below every package that runs processes.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine import BpmnEngine, Bounds, Clock, ScriptError

from . import workdays
from .directory.routing import Router
from .holidays import book as calendar_book
from .records.scoring import year_end_score

DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_DAY_COUNT = 3660  # about ten years of days or working days: more is a mistake, and costs the host its time


def bounds_from(config: Mapping) -> Bounds:
    """The bounds on diagram code from the app's settings ``SCRIPT_SECONDS`` (2.0) and ``SCRIPT_MEGABYTES`` (256)."""
    defaults = Bounds()
    return Bounds(seconds=float(config.get("SCRIPT_SECONDS", defaults.seconds)),
                  megabytes=int(config.get("SCRIPT_MEGABYTES", defaults.megabytes)))


def _iso(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _count(count: int) -> int:
    """A count of days a diagram asks for; these functions run in the host, so the count is bounded."""
    number = int(count)
    if abs(number) > MAX_DAY_COUNT:
        raise ScriptError(f"天数 {number} 超出允许的范围（±{MAX_DAY_COUNT} 天）")
    return number


def add_days(day: str, count: int) -> str:
    return (_iso(day) + timedelta(days=_count(count))).isoformat()


def add_workdays(day: str, count: int) -> str:
    return workdays.add_workdays(_iso(day), _count(count)).isoformat()


def workdays_before(day: str, count: int) -> str:
    return workdays.add_workdays(_iso(day), -_count(count)).isoformat()


def quarter_report_date(year: int, quarter: int) -> str:
    return workdays.quarter_report_date(int(year), int(quarter)).isoformat()


def quarter_window_opens(year: int, quarter: int) -> str:
    return workdays.quarter_window_opens(int(year), int(quarter)).isoformat()


def script_functions(session: Session, clock: Clock) -> dict:
    """What diagram code may call besides today() and now(): dates as ISO strings in and out.

    They run in the host process (diagram code calls them from its child over a pipe, ``engine.isolation``), so
    they may read the database; their arguments are bounded here (a count of days by ``MAX_DAY_COUNT``)."""
    return {
        "add_days": add_days,
        "add_workdays": add_workdays,
        "workdays_before": workdays_before,
        "quarter_report_date": quarter_report_date,
        "quarter_window_opens": quarter_window_opens,
        "year_end_score": lambda business_key: year_end_score(session, business_key, clock.today()),
    }


def process_engine(session: Session, timezone: str = DEFAULT_TIMEZONE, bounds: Bounds | None = None) -> BpmnEngine:
    """The engine on ``session``; ``bounds`` (see ``bounds_from``) limit each evaluation of diagram code. Brings the
    process's working-day calendar up to the office's latest edits."""
    calendar_book.refresh(session)
    local_tz = ZoneInfo(timezone)
    return BpmnEngine(session, local_tz=local_tz, router=Router(session),
                      script_functions=script_functions(session, Clock(session, local_tz)), bounds=bounds)
