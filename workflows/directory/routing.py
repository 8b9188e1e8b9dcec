"""Who gets a task: the lane names a role, and the instance's data or the directory says which unit plays it.

In order: a child of a multi-instance task goes to the unit it iterates over; a lane listed in the
instance's ``roles`` (牵头单位(统筹), 发起街镇 …) goes to that unit; a task inside a process called for each
element of a collection goes to that element's unit; a lane named after a unit (区推进办, 督查科, 区社区办,
区法制办) goes to that unit. A new diagram that uses the same lane names routes the same way.
The task's due date is the date held in the variable its ``due`` property names.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine import Assignment, ProcessInstance, TaskView

from .models import Unit
from .units import normalise_name, unit_index


# Lanes that name a role, not a unit: the instance's ``roles`` data or a multi-instance collection says who plays
# it. A diagram may use these and the directory's unit names, nothing else.
ROLE_LANES = frozenset({"牵头单位(统筹)", "牵头单位(配合)", "责任单位", "发起街镇", "被约请部门", "参会单位", "承办单位",
                        "申请单位", "申请部门"})


def unit_of(item: Any) -> str | None:
    """A collection element is a unit code, or a dict with one under ``unit``."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("unit"), str):
        return item["unit"]
    return None


def due_date(task: TaskView) -> date | None:
    variable = task.properties.get("due")
    value = task.data.get(variable) if variable else None
    if isinstance(value, dict):
        value = value.get("due_on")
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class Router:
    def __init__(self, session: Session):
        self.session = session
        self._units: dict[str, Unit] | None = None

    def __call__(self, instance: ProcessInstance, task: TaskView) -> Assignment:
        return Assignment(unit=self.unit_for(task), due_on=due_date(task))

    def unit_for(self, task: TaskView) -> str | None:
        if task.iteration_direct:
            return unit_of(task.iteration_item)
        roles = task.data.get("roles") or {}
        if task.lane in roles:
            return roles[task.lane]
        if task.iteration_item is not None:
            return unit_of(task.iteration_item)
        return self._named_unit(task.lane)

    def knows_lane(self, lane: str) -> bool:
        """Whether a task in this lane can be routed: a role lane, or the name of a unit (not a group)."""
        return normalise_name(lane) in ROLE_LANES or self._named_unit(lane) is not None

    def _named_unit(self, lane: str | None) -> str | None:
        if not lane:
            return None
        if self._units is None:
            self._units = unit_index(self.session)
        unit = self._units.get(normalise_name(lane))
        return unit.code if unit is not None and not unit.is_group else None
