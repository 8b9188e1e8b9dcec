"""Builds the engine the domain works with: our router, our timezone, our functions for diagram code.

It stands above records/ (diagram code may call ``year_end_score``, which reads the record tables), accounts/
(a user's unit, for ``camunda:assignee``) and directory/ (the router), and below every package that runs processes.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import fields
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Assignment, BpmnEngine, Clock, ProcessInstance, ScriptError, TaskView
from engine.bounds import EngineBounds

from . import workdays
from .accounts.models import User
from .directory.routing import Router
from .holidays import book as calendar_book
from .records import settings
from .records.scoring import year_end_score
from .records.settings import get_setting

DEFAULT_TIMEZONE = "Asia/Shanghai"
# Tasks whose diagram gives no due date but the office's setting ``task_deadlines`` does, in working days from the
# day the task arrives: a returned quarterly report, and the office's own 催办 and 督办 tasks.
SETTING_DEADLINES = {"revise_report": "returned_report_workdays", "chase_report": "urge_workdays",
                     "chase_completion": "urge_workdays", "chase_signing": "urge_workdays",
                     "chase_reply": "urge_workdays"}
MAX_DAY_COUNT = 3660  # about ten years of days or working days: more is a mistake, and costs the host its time


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
        "office_setting": lambda key, name: office_setting(session, str(key), str(name)),
    }


def office_setting(session: Session, key: str, name: str) -> float:
    """A value the office sets on /admin/settings (``office_setting("reminders", "report_reminder_workdays")``),
    read when the diagram's code runs, so a change holds for what is computed after it."""
    try:
        settings.item_of(key, name)
    except settings.SettingError as error:
        raise ScriptError(str(error)) from None
    with session.no_autoflush:  # read while a step runs: the instance being started has no state to flush yet
        return settings.get_setting(session, key)[name]


def engine_bounds(settings: Mapping[str, object] | None = None) -> EngineBounds:
    """The engine's bounds from settings named SCRIPT_SECONDS, SCRIPT_MEGABYTES, MAX_TIMER_YEARS, MIN_CYCLE_MINUTES,
    MAX_INSTANCES_PER_ACTIVITY, STEP_SECONDS and UNHANDLED_ERROR_INCIDENT (0 or 1) — the app's configuration, or the
    environment when None; a setting left out keeps its default (engine.bounds.EngineBounds)."""
    settings = os.environ if settings is None else settings
    values = {}
    for field in fields(EngineBounds):
        value = settings.get(field.name.upper())
        if value is not None:
            values[field.name] = {"int": int, "bool": bool}.get(field.type, float)(float(value))
    return EngineBounds(**values)


def process_engine(session: Session, timezone: str = DEFAULT_TIMEZONE, bounds: EngineBounds | None = None) -> BpmnEngine:
    """The engine on ``session``; ``bounds`` default to :func:`engine_bounds` of the environment. Brings the
    process's working-day calendar up to the office's latest edits (checked at most once a second)."""
    calendar_book.refresh(session, max_age=calendar_book.CHECK_SECONDS)
    local_tz = ZoneInfo(timezone)
    clock = Clock(session, local_tz)
    router = SettingDeadlines(Router(session, user_unit=user_unit(session), today=clock.today), session, clock)
    return BpmnEngine(session, local_tz=local_tz, router=router, script_functions=script_functions(session, clock),
                      bounds=bounds or engine_bounds())


class SettingDeadlines:
    """The engine's router with due dates from the ``task_deadlines`` setting for the tasks SETTING_DEADLINES names,
    where the diagram itself sets none: ``router(instance, task) -> Assignment``."""

    def __init__(self, router: Router, session: Session, clock: Clock):
        self.router, self.session, self.clock = router, session, clock

    def __call__(self, instance: ProcessInstance, task: TaskView) -> Assignment:
        assignment = self.router(instance, task)
        setting = SETTING_DEADLINES.get(task.spec_name)
        if assignment.due_on is None and setting is not None:
            count = int(get_setting(self.session, "task_deadlines")[setting])
            assignment.due_on = workdays.add_workdays(self.clock.today(), count)
        return assignment

    def __getattr__(self, name: str):
        return getattr(self.router, name)  # resolve_name, unit_for … for the callers that use the router's own


def user_unit(session: Session):
    """username → the unit of that active user, for ``camunda:assignee`` and ``candidateUsers``."""
    def find(username: str) -> str | None:
        return session.scalar(select(User.unit_code).where(User.username == username, User.active.is_(True)))
    return find
