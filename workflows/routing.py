"""Who gets a task: the lane names a role, and the instance's data says which unit plays it.

A process is started with ``roles``: a mapping from lane name (牵头单位(统筹), 区推进办, 被约请部门 …) to a
unit code. A child of a multi-instance task goes to the unit it iterates over. A new diagram that uses
the same lane names therefore routes the same way with no code change.
"""
from __future__ import annotations

from engine import Assignment, ProcessInstance, TaskView


def route(instance: ProcessInstance, task: TaskView) -> Assignment:
    if isinstance(task.iteration_item, str):
        return Assignment(unit=task.iteration_item, due_on=None)
    roles = task.data.get("roles") or {}
    unit = roles.get(task.lane) if task.lane else None
    if isinstance(unit, list):
        unit = unit[0] if unit else None
    return Assignment(unit=unit, due_on=None)
