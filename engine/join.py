"""The data after a parallel join: a three-way merge of the branches against the data at the split.

SpiffWorkflow 3.2 merges each branch's *whole copy* of the data into the join, the last branch finished last, so a
value a branch never touched overwrites what another branch changed: before a split ``z = "未填"``, branch 甲 sets
``z = "同意"``, branch 乙 (finishing last) still holds ``"未填"`` and wins. Here each branch contributes only what it
changed since the split:

- a value a branch did not change never overwrites another branch's change;
- dicts merge key by key (``tally["a"]`` from 甲, ``tally["b"]`` from 乙);
- a list that both branches appended to gets both appends, in the order the branches finished;
- when two branches changed the same value otherwise, the branch that finished last wins;
- a variable a branch deleted is deleted unless another branch changed it.
"""
from __future__ import annotations

import copy

from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState

_MISSING = object()


def merge3(base, ours, theirs):
    """Merge ``theirs`` into ``ours``, both changed from ``base``; returns the merged value (inputs unchanged)."""
    if _same(theirs, base):
        return ours
    if _same(ours, base):
        return theirs
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_dicts(base if isinstance(base, dict) else {}, ours, theirs)
    if isinstance(ours, list) and isinstance(theirs, list) and isinstance(base, list) \
            and ours[:len(base)] == base and theirs[:len(base)] == base:
        return ours + theirs[len(base):]
    return theirs


def _same(left, right) -> bool:
    return left is right or (left is not _MISSING and right is not _MISSING and type(left) is type(right)
                             and left == right)


def _merge_dicts(base: dict, ours: dict, theirs: dict) -> dict:
    merged = {}
    for key in list(ours) + [key for key in theirs if key not in ours]:
        value = merge3(base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING))
        if value is not _MISSING:
            merged[key] = value
    return merged


def _split_data(branches: list) -> dict:
    """The data of the nearest task that is an ancestor of every branch (the split), else an empty dict."""
    first, others = branches[0], branches[1:]
    ancestor = first.parent
    while ancestor is not None:
        if all(branch.is_descendant_of(ancestor) for branch in others):
            return ancestor.data
        ancestor = ancestor.parent
    return {}


def _run_hook(self, my_task):
    """UnstructuredJoin._run_hook with the three-way merge in place of DeepMerge of whole copies."""
    others = sorted((task for task in my_task.workflow.tasks.values()
                     if task.task_spec == self and task.has_state(TaskState.FINISHED_MASK)
                     and not my_task.is_descendant_of(task)), key=lambda task: task.last_state_change)
    branches = [task.parent for task in others] + [my_task.parent]
    base = _split_data(branches)
    merged = base
    for branch in branches:
        merged = merge3(base, merged, branch.data)
    for task in others:
        if task.has_state(TaskState.COMPLETED):  # as SpiffWorkflow does: a branch reset into must not linger
            task._drop_children(force=True)
    my_task.data = copy.deepcopy(merged)
    return True


def install() -> None:
    """Make parallel joins (and a process's end join) merge three-way. Idempotent."""
    UnstructuredJoin._run_hook = _run_hook
