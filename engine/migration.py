"""Moving a running instance's saved state onto another version of its diagram.

SpiffWorkflow 3.2 has no migration of its own. A saved instance is a tree of tasks, each naming its task spec
(the BPMN id, for the elements of a diagram). The state can be read against the new version's specs when every
task that stays in the tree names a spec the new version has. Predicted branches ahead of the open tasks are
dropped first and predicted again from the new version, so only what has happened and what is waiting must exist
in both versions.
"""
from __future__ import annotations

from uuid import UUID

from SpiffWorkflow.util.task import TaskState

from .errors import MigrationRefused

OPEN = TaskState.WAITING | TaskState.READY | TaskState.STARTED
AHEAD = TaskState.PREDICTED_MASK | TaskState.FUTURE


def move_state(state: dict, spec, subprocess_specs: dict) -> list[str]:
    """Make ``state`` (the serializer's dict, without specs) fit the new specs, in place.

    Returns the ids of the open tasks whose predictions must be made again once restored; raises
    MigrationRefused naming what the new version lacks.
    """
    missing_open, missing_done, reopened = [], [], []
    for workflow_state, names in _workflows(state, spec, subprocess_specs, missing_done):
        tasks = workflow_state["tasks"]
        for task_id in [i for i, task in tasks.items() if task["state"] & OPEN]:
            _drop_ahead(tasks, task_id)
            reopened.append(task_id)
        for task in tasks.values():
            if task["task_spec"] not in names:
                (missing_open if task["state"] & OPEN else missing_done).append(task["task_spec"])
    if missing_open:
        raise MigrationRefused(f"新版本中没有实例正在等待的任务：{'、'.join(sorted(set(missing_open)))}")
    if missing_done:
        raise MigrationRefused(f"新版本中没有实例已经走过的步骤：{'、'.join(sorted(set(missing_done)))}")
    return reopened


def _workflows(state: dict, spec, subprocess_specs: dict, missing: list):
    """The top workflow and each running subprocess, with the task spec names of its spec in the new version."""
    yield state, set(spec.task_specs)
    for subprocess in state.get("subprocesses", {}).values():
        new_spec = subprocess_specs.get(subprocess["spec"])
        if new_spec is None:
            missing.append(subprocess["spec"])
            continue
        yield subprocess, set(new_spec.task_specs)


def _drop_ahead(tasks: dict, task_id: str) -> None:
    """Remove the predicted and future tasks below an open task: the new version predicts its own."""
    task = tasks[task_id]
    kept = []
    for child_id in task["children"]:
        child = tasks.get(child_id)
        if child is not None and child["state"] & AHEAD and not child.get("triggered"):
            _remove(tasks, child_id)
        else:
            kept.append(child_id)
    task["children"] = kept


def _remove(tasks: dict, task_id: str) -> None:
    for child_id in tasks[task_id]["children"]:
        if child_id in tasks:
            _remove(tasks, child_id)
    del tasks[task_id]


def predict_again(workflow, reopened: list[str]) -> None:
    """Give the open tasks their children from the new version's outputs."""
    for task_id in reopened:
        task = workflow.get_task_from_id(UUID(task_id))
        task.task_spec._predict(task, mask=TaskState.NOT_FINISHED_MASK)
