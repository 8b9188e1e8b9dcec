"""Who gets a task, by when and how urgently: the diagram's Camunda attributes, its lanes, and the office's mappings.

The unit of a new task is the first of these that gives one (the documented priority):

1. a child of a multi-instance task: the unit its element names;
2. ``camunda:assignee``: a user (their unit) or a unit;
3. ``camunda:candidateUsers``: the first of the users that exists (their unit);
4. ``camunda:candidateGroups``: the first name that resolves (see below);
   a task with any of 2–4 that resolves to nobody is 待分派: its lane is not used;
5. the lane: a role listed in the instance's ``roles`` data (牵头单位(统筹), 发起街镇 …), the unit of the
   element a called process iterates over, or the lane's name resolved as below.

Each of 2–4 may be ``${variable}`` or ``${variable.field}`` over the instance's data (``${initiator}``: the
user who started it). A name resolves to a unit by, in order: the roles ``office`` and ``supervisor``, a unit
code, a unit name or alias, and the office's mapping of that name for this process (``role_mapping``: it
holds for every version). A group resolves to its only member; a task left without a unit goes to the office's
inbox as 待分派 (assigned to nobody). The due date: the variable the ``due`` property names, else
``camunda:dueDate`` (a date, an ISO duration from today, or an expression); the priority: ``camunda:priority``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import Assignment, ProcessInstance, TaskView
from engine.camunda_attributes import TaskAttributes, definition_attributes, due_on

from .models import RoleMapping, Unit
from .units import normalise_name, unit_index

# Lanes that name a role, not a unit: the instance's ``roles`` data or a multi-instance collection says who plays
# it. A diagram may use these and the directory's unit names without a mapping.
ROLE_LANES = frozenset({"牵头单位(统筹)", "牵头单位(配合)", "责任单位", "发起街镇", "被约请部门", "参会单位", "承办单位",
                        "申请单位", "申请部门"})
# Roles a diagram may name as a candidate group, and the kind of unit that plays each.
ROLE_UNIT_KINDS = {"office": "office", "supervisor": "supervision"}
_EXPRESSION = re.compile(r"^\$\{\s*([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\s*\}$")

UserUnit = Callable[[str], "str | None"]  # username → the unit the user acts for, None if no such user


def unit_of(item: Any) -> str | None:
    """A collection element is a unit code, or a dict with one under ``unit``."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and isinstance(item.get("unit"), str):
        return item["unit"]
    return None


def is_expression(text: str) -> bool:
    return text.strip().startswith("${")


def evaluate(text: str, data: dict[str, Any]) -> Any:
    """``${name}`` or ``${name.field}`` looked up in ``data`` (None when absent); other text is itself."""
    match = _EXPRESSION.match(text.strip())
    if not match:
        return None if is_expression(text) else text
    value: Any = data
    for part in match.group(1).split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def due_date(task: TaskView) -> date | None:
    """The date in the variable the task's ``due`` property names (a date, or a dict with ``due_on``)."""
    variable = task.properties.get("due")
    value = task.data.get(variable) if variable else None
    if isinstance(value, dict):
        value = value.get("due_on")
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class Router:
    """The engine's router: ``router(instance, task) -> Assignment``. ``user_unit`` finds a user's unit (the
    accounts package gives it; the directory does not know users); ``today`` dates a ``camunda:dueDate`` duration."""

    def __init__(self, session: Session, *, user_unit: UserUnit = lambda username: None,
                 today: Callable[[], date] = date.today):
        self.session = session
        self.user_unit = user_unit
        self.today = today
        self._units: dict[str, Unit] | None = None

    def __call__(self, instance: ProcessInstance, task: TaskView) -> Assignment:
        attributes = self._attributes(instance, task)
        key = instance.definition.key if instance.definition is not None else None
        return Assignment(unit=self.unit_for(task, attributes, key),
                          due_on=due_date(task) or self._camunda_due(attributes, task),
                          priority=self._priority(attributes, task))

    @staticmethod
    def _attributes(instance: ProcessInstance, task: TaskView) -> TaskAttributes:
        if instance.definition is None:
            return TaskAttributes()
        return definition_attributes(instance.definition).tasks.get(task.spec_name, TaskAttributes())

    def unit_for(self, task: TaskView, attributes: TaskAttributes = TaskAttributes(),
                 process_key: str | None = None) -> str | None:
        if task.iteration_direct:
            return unit_of(task.iteration_item)
        if attributes.assignee or attributes.candidate_users or attributes.candidate_groups:
            # What the task itself names wins over its lane, even when nobody plays it yet (待分派).
            return self._named_by_attributes(task, attributes, process_key)
        roles = task.data.get("roles") or {}
        if task.lane in roles:
            return roles[task.lane]
        if task.iteration_item is not None:
            return unit_of(task.iteration_item)
        return self.resolve_name(task.lane, process_key) if task.lane else None

    def _named_by_attributes(self, task: TaskView, attributes: TaskAttributes, process_key: str | None) -> str | None:
        users = ([attributes.assignee] if attributes.assignee else []) + list(attributes.candidate_users)
        for user in users:
            unit = self._user_or_unit(evaluate(user, task.data), process_key)
            if unit is not None:
                return unit
        for group in attributes.candidate_groups:
            value = evaluate(group, task.data)
            for name in (value if isinstance(value, list) else [value]):
                unit = self.resolve_name(unit_of(name), process_key)
                if unit is not None:
                    return unit
        return None

    def _user_or_unit(self, value: Any, process_key: str | None) -> str | None:
        name = unit_of(value)
        if not name:
            return None
        return self.user_unit(name) or self.resolve_name(name, process_key)

    def resolve_name(self, name: str | None, process_key: str | None = None) -> str | None:
        """The unit code a role, unit code, unit name or the office's mapping names; None if none does."""
        unit = self.named_unit(name, process_key)
        if unit is None:
            return None
        if unit.is_group:
            return unit.members[0].code if len(unit.members) == 1 else None
        return unit.code

    def named_unit(self, name: str | None, process_key: str | None = None) -> Unit | None:
        """The unit (or group) a name stands for, without the instance's data; None when nothing says."""
        if not name or not name.strip():
            return None
        name = name.strip()
        if name in ROLE_UNIT_KINDS:
            return self.session.scalar(select(Unit).where(Unit.kind == ROLE_UNIT_KINDS[name]).limit(1))
        unit = self.session.get(Unit, name) or self._index().get(normalise_name(name))
        if unit is None and process_key:
            mapping = self.session.get(RoleMapping, (process_key, name))
            unit = self.session.get(Unit, mapping.unit_code) if mapping else None
        return unit

    def knows_lane(self, lane: str, process_key: str | None = None) -> bool:
        """Whether a task in this lane can be routed: a role lane, a unit, a role, or a name the office mapped."""
        return normalise_name(lane) in ROLE_LANES or self.resolve_name(lane, process_key) is not None

    def _index(self) -> dict[str, Unit]:
        if self._units is None:
            self._units = unit_index(self.session)
        return self._units

    def _camunda_due(self, attributes: TaskAttributes, task: TaskView) -> date | None:
        if not attributes.due_date:
            return None
        value = evaluate(attributes.due_date, task.data)
        return due_on(str(value), self.today()) if value else None

    @staticmethod
    def _priority(attributes: TaskAttributes, task: TaskView) -> int | None:
        value = evaluate(attributes.priority, task.data) if attributes.priority else None
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None
