"""BPMN errors thrown by error end events, as the history records them.

Semantics follow Camunda 7 (docs.camunda.org/manual/latest/reference/bpmn20/events/error-events/, "Error End
Event" and "Unhandled BPMN Error"): an error thrown in a called process propagates up its scopes to the call
activity, where a matching error boundary event catches it; "in case no matching error boundary event is found,
the execution semantics defaults to the none end event semantics" — the default behaviour "is to log information
and end the current execution". SpiffWorkflow 3.2 does the same, silently; here each thrown error becomes an
``error_thrown`` history event with its code and whether something caught it, so an uncaught one is visible in
the instance's history instead of passing as if nothing happened. Camunda's opt-in
``enableExceptionsAfterUnhandledBpmnError`` is the setting ``UNHANDLED_ERROR_INCIDENT`` here (engine/bounds.py):
with it, an uncaught error fails the step, which becomes an incident naming the error end event.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent


@dataclass
class ThrownError:
    """One error an error end event threw in a step: where, its code and name, and whether it was caught."""

    element: str
    element_name: str | None
    code: str | None
    name: str | None
    process: str
    caught: bool = True

    def history_data(self) -> dict:
        return {"element": self.element, "code": self.code, "error_name": self.name, "process": self.process,
                "caught": self.caught}


def thrown_by(task) -> ThrownError | None:
    """The error a finished task threw, if it is an error end event."""
    spec = task.task_spec
    if not isinstance(spec, EndEvent) or not isinstance(spec.event_definition, ErrorEventDefinition):
        return None
    definition = spec.event_definition
    return ThrownError(spec.bpmn_id, spec.bpmn_name, definition.code, definition.name, task.workflow.spec.name)


def mark_uncaught(workflow, thrown: list[ThrownError]) -> None:
    """Errors no boundary event caught reach the top workflow's pending events: mark them uncaught (matched by
    code) and take them out, so they are not stored with the instance for ever."""
    uncaught = [event for event in workflow.bpmn_events if isinstance(event.event_definition, ErrorEventDefinition)]
    if not uncaught:
        return
    workflow.bpmn_events = [event for event in workflow.bpmn_events if event not in uncaught]
    codes = [event.event_definition.code for event in uncaught]
    for error in thrown:
        if error.code in codes:
            error.caught = False
            codes.remove(error.code)
