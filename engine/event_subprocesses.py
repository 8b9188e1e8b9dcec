"""Interrupting event sub-processes. SpiffWorkflow 3.2 runs every event sub-process beside the flow it belongs to:
its parser drops a start event's ``isInterrupting``, so an interrupting one (BPMN's default when the attribute is
absent) would leave the interrupted tasks open in the inbox. The engine reads the attribute from the XML when it
restores a definition's specs (:func:`mark_interrupting`) and, after each step, cancels what a started
interrupting event sub-process interrupts (:func:`interrupt`): every unfinished task of the process or
sub-process that holds it, except the event sub-processes themselves."""
from __future__ import annotations

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from .parser import safe_xml

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _event_subprocesses(bpmn_xml: str) -> tuple[set[str], set[str]]:
    """The ids of the event sub-processes (triggeredByEvent) and of their interrupting start events
    (isInterrupting absent or true)."""
    tree = safe_xml(bpmn_xml.encode("utf-8"), "流程图", "BPMN")
    subs = [sub for sub in tree.iter(f"{{{BPMN_NS}}}subProcess") if sub.get("triggeredByEvent") == "true"]
    return ({sub.get("id") for sub in subs},
            {start.get("id") for sub in subs for start in sub.findall(f"{{{BPMN_NS}}}startEvent")
             if start.get("isInterrupting", "true") != "false"})


def mark_interrupting(spec, subprocess_specs: dict, bpmn_xml: str) -> None:
    """Mark, among a definition's restored specs, each event sub-process (``task_spec.event_subprocess``) and
    each interrupting start event (``task_spec.interrupting``). The specs are shared, read-only and never
    stored (an instance's state leaves them out), so the marks live as long as the specs do."""
    subs, starts = _event_subprocesses(bpmn_xml)
    spec.interrupts = bool(starts)  # read by interrupt(): without one, a step has nothing to look for
    for workflow_spec in [spec, *subprocess_specs.values()]:
        for task_spec in workflow_spec.task_specs.values():
            bpmn_id = getattr(task_spec, "bpmn_id", None)
            task_spec.event_subprocess = bpmn_id in subs
            task_spec.interrupting = bpmn_id in starts


def interrupt(top: BpmnWorkflow) -> bool:
    """Cancel what each started interrupting event sub-process interrupts; True when something was cancelled.
    A process whose diagram has no interrupting event sub-process (most) costs one attribute look-up."""
    if not getattr(top.spec, "interrupts", False):
        return False
    cancelled = False
    for workflow in [top, *top.subprocesses.values()]:
        event_tasks = [task for task in workflow.get_tasks() if getattr(task.task_spec, "event_subprocess", False)]
        if any(_has_interrupted(top, task) for task in event_tasks):
            cancelled |= _cancel_all_but(workflow, event_tasks)
    return cancelled


def _has_interrupted(top: BpmnWorkflow, task) -> bool:
    started = top.subprocesses.get(task.id)
    return started is not None and any(
        getattr(inner.task_spec, "interrupting", False) and inner.state == TaskState.COMPLETED
        for inner in started.get_tasks())


def _cancel_all_but(workflow, event_tasks: list) -> bool:
    """Cancel every unfinished task of ``workflow`` but the event sub-processes' tasks, what follows them and what
    leads to them (the workflow's root: cancelling it would cancel them too)."""
    kept = set()
    for task in event_tasks:
        kept |= {descendant.id for descendant in workflow.get_tasks(first_task=task)}
        while task is not None:
            kept.add(task.id)
            task = task.parent
    cancelled = False
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        if task.id not in kept and not task.has_state(TaskState.FINISHED_MASK):  # a parent's cancel may have done it
            task.cancel()
            cancelled = True
    for task in workflow.get_tasks(state=TaskState.WAITING):
        task.task_spec._update(task)  # a join waiting for a cancelled branch waits no more
    return cancelled
