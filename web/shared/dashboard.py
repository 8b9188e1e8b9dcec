"""What the dashboard page and /api/dashboard share: who may see the figures, the ``?year=`` parameter, and the
figures of a plan year as of the clock's today."""
from __future__ import annotations

from flask import request

from workflows.reports import dashboard as dashboards
from workflows.tasks.permissions import OVERSEERS

from ..core.db import get_process_engine, get_session


class BadYear(Exception):
    """The ``year`` parameter is not a year."""


def may_view(role: str) -> bool:
    """The dashboard is for the district's overseers: the office, supervisors, auditors and admins."""
    return role in OVERSEERS


def year_arg() -> int | None:
    """``?year=`` as an int, None when absent; BadYear when it is not a four-digit year."""
    text = request.args.get("year", "").strip()
    if not text:
        return None
    if not (text.isdigit() and len(text) == 4):
        raise BadYear(f"参数 year 应为四位年份，如 2017，而不是“{text[:20]}”")
    return int(text)


def load(year: int | None) -> dashboards.Dashboard:
    """The figures of that plan year (None: the newest activated plan); raises dashboards.PlanNotFound."""
    engine = get_process_engine()
    return dashboards.dashboard(get_session(), year, engine.clock.today(), engine.clock.local_tz)
