"""When each waiting timer is due, wherever it waits, so that every one of them is in the schedule.

SpiffWorkflow keeps a timer's next instant in its task's internal data (``event_value``). An event-based gateway
is one waiting task whose event is a *multiple* event definition holding each branch's timer, and SpiffWorkflow
3.2 lets those timers share the one ``event_value`` (and ``event_fired``): the first branch's instant is taken for
all of them, so a P1D and a P5D branch would both be due after one day, or both after five, depending on the order
of the flows. :func:`install` gives each timer of a multiple event its own ``event_value_<n>``; :func:`due_instants`
reads all of them.
"""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

_OWN_VALUE = "event_value_"


def _seen(definition, seen_events) -> bool:
    return any(event.event_definition is definition or event.event_definition == definition for event in seen_events)


def _has_fired(self, my_task):
    """MultipleEventDefinition.has_fired, each timer keeping its own instant."""
    seen_events = my_task.internal_data.get("seen_events", [])
    data = my_task.internal_data
    for index, definition in enumerate(self.event_definitions):
        if not isinstance(definition, TimerEventDefinition) or _seen(definition, seen_events):
            continue
        data.pop("event_fired", None)
        data["event_value"] = data.get(f"{_OWN_VALUE}{index}")
        fired = definition.has_fired(my_task)
        data[f"{_OWN_VALUE}{index}"] = data.pop("event_value", None)
        data.pop("event_fired", None)
        if fired:
            seen_events.append(BpmnEvent(definition))
    data["seen_events"] = seen_events
    if self.parallel:
        return all(_seen(definition, seen_events) for definition in self.event_definitions)
    return len(seen_events) > 0


_original_reset = MultipleEventDefinition.reset


def _reset(self, my_task):
    for key in [key for key in my_task.internal_data if key.startswith(_OWN_VALUE)]:
        del my_task.internal_data[key]
    _original_reset(self, my_task)


def install() -> None:
    """Give each timer of a multiple event (event-based gateways) its own instant. Idempotent."""
    MultipleEventDefinition.has_fired = _has_fired
    MultipleEventDefinition.reset = _reset


def is_waiting_timer(task) -> bool:
    """Whether the task waits on a timer, alone or among the events of an event-based gateway."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(inner, TimerEventDefinition) for inner in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def due_instants(task) -> list[datetime]:
    """The instants (aware, UTC) at which the task's timers are next due; a cycle that has run out has none."""
    data = task.internal_data
    values = [data.get("event_value")] + [value for key, value in data.items() if key.startswith(_OWN_VALUE)]
    instants = []
    for value in values:
        if isinstance(value, dict):
            value = value.get("next") if value.get("cycles", 0) != 0 else None
        if isinstance(value, str):
            try:
                instants.append(TimerEventDefinition.get_datetime(value).astimezone(timezone.utc))
            except ValueError:
                continue
    return instants
