"""A running SpiffWorkflow workflow together with the row that stores it, and views of its tasks."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState

from .models import ProcessInstance
from .timers import due_instants, is_waiting_timer


@dataclass
class TaskView:
    """What a router, a form or a page needs to know about one ready human task."""

    guid: str
    spec_name: str
    name: str
    lane: str | None
    data: dict[str, Any]
    form_fields: list[Any] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    documentation: str | None = None
    # The element of the collection that the nearest enclosing multi-instance activity made this task for,
    # and whether the task itself is that activity's child (not a task inside a called or embedded process).
    iteration_item: Any = None
    iteration_direct: bool = False


@dataclass
class Assignment:
    """Who gets a new human task (a unit code, None: nobody found), by when, and how urgent (Camunda's 0-100)."""

    unit: str | None
    due_on: date | None = None
    priority: int | None = None


def _form_fields(spec) -> list:
    form = getattr(spec, "form", None)
    return list(form.fields) if form is not None else []


def _properties(spec) -> dict[str, str]:
    return {str(k): str(v) for k, v in (getattr(spec, "extensions", None) or {}).items()}


def _iteration(task) -> tuple[Any, bool]:
    """Climb from the task to the workflows that contain it until a multi-instance child is found."""
    current, direct = task, True
    while current is not None:
        parent = current.parent
        parent_spec = parent.task_spec if parent is not None else None
        if isinstance(parent_spec, MultiInstanceTask) and parent_spec.task_spec == current.task_spec.name:
            item = parent_spec.input_item
            return (current.data.get(item.bpmn_id) if item is not None else None), direct
        workflow = current.workflow
        if workflow is workflow.top_workflow:
            return None, False
        current, direct = workflow.top_workflow.get_task_from_id(workflow.parent_task_id), False
    return None, False


def task_view(task) -> TaskView:
    spec = task.task_spec
    view = TaskView(
        guid=str(task.id),
        spec_name=spec.bpmn_id or spec.name,
        name=spec.bpmn_name or spec.bpmn_id or spec.name,
        lane=spec.lane,
        data=task.data,
        form_fields=_form_fields(spec),
        properties=_properties(spec),
        documentation=getattr(spec, "documentation", None),
    )
    view.iteration_item, view.iteration_direct = _iteration(task)
    return view


def is_timer(task) -> bool:
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


class Instance:
    """Wraps the stored row and the live workflow; named views of its tasks."""

    def __init__(self, row: ProcessInstance, workflow: BpmnWorkflow):
        self.row = row
        self.workflow = workflow
        self.completed_task: TaskView | None = None  # set by complete_task: the task with its data after the step
        # The keys of its stored event subscriptions, when what was read under its lock tells them (None: not
        # known, look them up): a step that only adds to them needs no lookup (events.known_subscriptions).
        self.known_subscriptions: set[tuple[str, str, str]] | None = None
        # Its stored ready human tasks by guid, when a step read them under the lock already (None: not read).
        self.stored_ready_rows: dict[str, Any] | None = None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def data(self) -> dict[str, Any]:
        return self.workflow.data

    def variables(self) -> dict[str, Any]:
        """The instance's variables now: those of the tasks it is at (a finished one: of the last task it ran),
        over the workflow's own data."""
        at = self.workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED)
        data = dict(self.workflow.data)
        for task in at or self.workflow.get_tasks(state=TaskState.COMPLETED)[-1:]:
            data |= task.data
        return data

    def ready_human_tasks(self) -> list:
        return self.workflow.get_tasks(state=TaskState.READY, manual=True)

    def may_have_ready_human_tasks(self) -> bool:
        """Whether a task of the process or of a sub-process is a ready human task, looked for in their task
        tables instead of by a walk of the tree. It may also count one that :meth:`ready_human_tasks` does not
        reach (in a sub-process a cancelled branch left behind), never misses one."""
        workflows = (self.workflow, *self.workflow.subprocesses.values())
        return any(task.state == TaskState.READY and task.task_spec.manual
                   for workflow in workflows for task in workflow.tasks.values())

    def task(self, guid: str):
        try:
            return self.workflow.get_task_from_id(UUID(guid))
        except (ValueError, KeyError, TaskNotFoundException):
            return None

    def element_states(self) -> tuple[set[str], set[str]]:
        """Ids of the top-level diagram's elements that are done and those the instance is at now.

        Elements of called processes are left out: they belong to the callee's diagram."""
        top, done, active = self.workflow.spec.name, set(), set()
        for task in self.workflow.get_tasks():
            element = getattr(task.task_spec, "bpmn_id", None)
            if element is None or task.workflow.spec.name != top:
                continue
            if task.state == TaskState.COMPLETED:
                done.add(element)
            elif task.state in (TaskState.READY, TaskState.STARTED, TaskState.WAITING):
                active.add(element)
        return done - active, active

    def next_timer_at(self) -> datetime | None:
        """The earliest instant at which a waiting timer is due, naive UTC as stored: timers of the process, of
        its sub-processes and event sub-processes, boundary timers and those behind an event-based gateway."""
        # SpiffWorkflow's event manager holds every waiting catch event of the process and its sub-processes
        # (refresh_timers fires timers from it): no walk of the task tree.
        waiting = self.workflow.event_manager.tasks.values()
        instants = [instant for task in waiting if task.state == TaskState.WAITING and is_waiting_timer(task)
                    for instant in due_instants(task)]
        if not instants:
            return None
        return min(instants).astimezone(timezone.utc).replace(tzinfo=None)
