"""Builds the engine the domain works with: our router, our timezone, our functions for diagram code.

It stands above records/ (diagram code may call ``year_end_score``, which reads the record tables), accounts/
(a user's unit, for ``camunda:assignee``) and directory/ (the router), and below every package that runs processes.
"""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, Clock

from . import workdays
from .accounts.models import User
from .directory.routing import Router
from .records.scoring import year_end_score

DEFAULT_TIMEZONE = "Asia/Shanghai"


def _iso(value: str | date) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def add_days(day: str, count: int) -> str:
    return (_iso(day) + timedelta(days=int(count))).isoformat()


def add_workdays(day: str, count: int) -> str:
    return workdays.add_workdays(_iso(day), int(count)).isoformat()


def workdays_before(day: str, count: int) -> str:
    return workdays.add_workdays(_iso(day), -int(count)).isoformat()


def quarter_report_date(year: int, quarter: int) -> str:
    return workdays.quarter_report_date(int(year), int(quarter)).isoformat()


def quarter_window_opens(year: int, quarter: int) -> str:
    return workdays.quarter_window_opens(int(year), int(quarter)).isoformat()


def script_functions(session: Session, clock: Clock) -> dict:
    """What diagram code may call besides today() and now(): dates as ISO strings in and out."""
    return {
        "add_days": add_days,
        "add_workdays": add_workdays,
        "workdays_before": workdays_before,
        "quarter_report_date": quarter_report_date,
        "quarter_window_opens": quarter_window_opens,
        "year_end_score": lambda business_key: year_end_score(session, business_key, clock.today()),
    }


def process_engine(session: Session, timezone: str = DEFAULT_TIMEZONE) -> BpmnEngine:
    local_tz = ZoneInfo(timezone)
    clock = Clock(session, local_tz)
    router = Router(session, user_unit=user_unit(session), today=clock.today)
    return BpmnEngine(session, local_tz=local_tz, router=router,
                      script_functions=script_functions(session, clock))


def user_unit(session: Session):
    """username → the unit of that active user, for ``camunda:assignee`` and ``candidateUsers``."""
    def find(username: str) -> str | None:
        return session.scalar(select(User.unit_code).where(User.username == username, User.active.is_(True)))
    return find
