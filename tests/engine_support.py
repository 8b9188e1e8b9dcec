"""Helpers for engine tests: a session on the migrated test database and a simple lane router."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from engine import Assignment, BpmnEngine

DIAGRAMS = Path(__file__).parent / "diagrams"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def route_by_roles(instance, task) -> Assignment:
    """A child of a multi-instance task goes to its item; any other task to the unit its lane names."""
    if task.iteration_item is not None:
        return Assignment(unit=task.iteration_item)
    return Assignment(unit=task.data["roles"].get(task.lane))


def make_engine(session) -> BpmnEngine:
    return BpmnEngine(session, local_tz=SHANGHAI, router=route_by_roles)


def diagram(name: str) -> bytes:
    return (DIAGRAMS / name).read_bytes()
