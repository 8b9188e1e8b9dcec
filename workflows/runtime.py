"""Builds the engine the domain works with: our router and our timezone."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine import BpmnEngine

from .routing import route

DEFAULT_TIMEZONE = "Asia/Shanghai"


def process_engine(session: Session, timezone: str = DEFAULT_TIMEZONE) -> BpmnEngine:
    return BpmnEngine(session, local_tz=ZoneInfo(timezone), router=route)
