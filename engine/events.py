"""Messages and signals as data: what an instance waits for (its event subscriptions, kept in the
``event_subscription`` table after every step), which start events a definition has, and SpiffWorkflow's message
and signal definitions made to carry variables between instances.

SpiffWorkflow 3.2 delivers a thrown event inside the instance that threw it; what no task of that instance catches
is left in ``workflow.bpmn_events`` for the application (engine/delivery.py delivers it to other instances). Two
gaps are closed by :func:`install`:

- Camunda's message definition (which the parser uses, engine/storage.py) evaluates ``camunda:expression`` when
  thrown and fails on a message without one ("Error evaluating expression 'None'"). Here a message without an
  expression carries the thrower's variables, as SpiffWorkflow's plain BPMN message does, and the receiver gets
  them as its own variables.

A thrown signal keeps SpiffWorkflow's scope: a signal that a task of the throwing instance catches stays in that
instance; one that nothing in it waits for goes to the other instances (engine/delivery.py). Camunda 7 broadcasts
every signal to all instances; the built-in project lifecycle relies on the narrower scope (its 项目已办结 signal
stops that project's own reporting, not every project's), and so may any diagram that signals between the
parallel branches of one instance.
"""
from __future__ import annotations

from copy import deepcopy
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as CamundaMessageEventDefinition

from .models import EventSubscription, ProcessDefinition
from .storage import restored_specs

MESSAGE, SIGNAL, TIMER = "message", "signal", "timer"
_VARIABLES = "variables"


def kind_of(definition) -> str | None:
    """``message``, ``signal``, ``timer`` or None (another kind of event) for one event definition."""
    if isinstance(definition, MessageEventDefinition):
        return MESSAGE
    if isinstance(definition, SignalEventDefinition):
        return SIGNAL
    if isinstance(definition, TimerEventDefinition):
        return TIMER
    return None


def simple_definitions(definition) -> list:
    """The event definitions inside one (a multiple event, e.g. an event-based gateway's, holds several)."""
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition] if definition is not None else []


def _catchers(workflow):
    """(task spec, event definition) of each event the instance can catch now: its waiting tasks (catch events,
    receive tasks, boundary events, event-based gateways' branches, in the process and its sub-processes) and
    the start events of its event sub-processes (SpiffWorkflow starts one when the top workflow catches its
    event)."""
    for task in workflow.event_manager.tasks.values():
        for definition in simple_definitions(getattr(task.task_spec, "event_definition", None)):
            yield task.task_spec, definition
    for name in getattr(workflow.spec.start, "trigger_specs", []):
        for start in getattr(workflow.subprocess_specs.get(name), "bpmn_start_events", []):
            for definition in simple_definitions(start.event_definition):
                yield start, definition


def waiting_events(workflow) -> set[tuple[str, str, str]]:
    """(kind, name, element id) of each message and signal the instance waits for now (see :func:`_catchers`)."""
    return {(kind_of(definition), definition.name, spec.bpmn_id or spec.name)
            for spec, definition in _catchers(workflow)
            if kind_of(definition) in (MESSAGE, SIGNAL) and definition.name}


def catching_definition(workflow, kind: str, name: str):
    """The event definition object this instance catches ``name`` with now, or None."""
    return next((definition for _, definition in _catchers(workflow)
                 if kind_of(definition) == kind and definition.name == name), None)


def stored_count(instance_id) -> Any:
    """A scalar subquery: how many event subscriptions ``instance_id`` (a column) has stored. Selected beside the
    instance's row under its lock, it lets :func:`known_subscriptions` spare the step a lookup of them."""
    return (select(func.count(EventSubscription.id)).where(EventSubscription.instance_id == instance_id)
            .scalar_subquery())


def known_subscriptions(workflow, stored: int) -> set[tuple[str, str, str]] | None:
    """The keys (:func:`waiting_events`) of an instance's stored subscriptions when ``stored``, their number read
    under its lock with the state ``workflow`` was restored from, tells them; None when it does not. The rows are
    only ever written by :func:`sync_subscriptions`, with the state saved beside them: they are that state's
    events, or none at all (an instance saved before subscriptions were kept)."""
    if stored == 0:
        return set()
    waiting = waiting_events(workflow)
    return waiting if stored == len(waiting) else None


def sync_subscriptions(session: Session, instance_id: int | None, row, workflow, running: bool, now: datetime,
                       known: set[tuple[str, str, str]] | None = None) -> None:
    """Make the instance's rows in ``event_subscription`` what it waits for now (none once it stopped running).
    ``instance_id`` None: it has none stored yet (new), so none are looked up; nor are they when ``known`` (the
    stored ones' keys, :func:`known_subscriptions`) are all still wanted: only new ones are added then."""
    wanted = waiting_events(workflow) if running else set()
    if instance_id is None:
        known = set()
    if known is not None and known <= wanted:
        stored = dict.fromkeys(known)
    else:
        stored = {(sub.kind, sub.name, sub.element): sub for sub in session.scalars(
            select(EventSubscription).where(EventSubscription.instance_id == instance_id))}
    for key, sub in stored.items():
        if key not in wanted:
            session.delete(sub)
    for kind, name, element in wanted - set(stored):
        session.add(EventSubscription(instance=row, kind=kind, name=name[:200], element=element[:200],
                                      created_at=now))


def start_events(definition: ProcessDefinition) -> list[tuple[str, str, str, object]]:
    """(kind, name, element id, event definition) of each message, signal or timer start event at the top of the
    definition's process (those of event sub-processes wait inside a running instance instead)."""
    spec = restored_specs(definition)[0]
    found = []
    for task_spec in spec.task_specs.values():
        if not isinstance(task_spec, StartEvent):
            continue
        for definition_ in simple_definitions(task_spec.event_definition):
            kind = kind_of(definition_)
            if kind is not None:
                found.append((kind, definition_.name or task_spec.bpmn_id, task_spec.bpmn_id, definition_))
    return found


def started_by_hand(definition: ProcessDefinition) -> bool:
    """Whether a person can start the process: it has a plain (none) start event at its top. A process whose
    only start events wait for a message, a signal or a timer is started by those, as in Camunda Tasklist."""
    starts = [task_spec for task_spec in restored_specs(definition)[0].task_specs.values()
              if isinstance(task_spec, StartEvent)]
    return not starts or any(isinstance(start.event_definition, NoneEventDefinition) for start in starts)


def outgoing(workflow) -> list[BpmnEvent]:
    """Take the messages and signals the step threw that no task of the instance caught, for delivery to other
    instances; what else SpiffWorkflow left there (e.g. an uncaught escalation) stays as it was."""
    thrown = workflow.get_events()
    workflow.bpmn_events = [event for event in thrown if kind_of(event.event_definition) not in (MESSAGE, SIGNAL)]
    return [event for event in thrown if kind_of(event.event_definition) in (MESSAGE, SIGNAL)]


def payload_for(definition, variables: dict) -> object:
    """What a catching task of ``definition`` expects as the payload carrying ``variables``."""
    if isinstance(definition, CamundaMessageEventDefinition):
        return {_VARIABLES: deepcopy(variables)}
    return deepcopy(variables)


def variables_of(event: BpmnEvent) -> dict:
    """The variables a thrown event carries (see :func:`payload_for`); a Camunda expression's result is put under
    its ``camunda:resultVariable`` (or ``<element>_Response``)."""
    payload = event.payload
    if isinstance(payload, dict) and _VARIABLES in payload:
        return dict(payload[_VARIABLES])
    if isinstance(payload, dict) and "result_var" in payload:
        variable = payload.get("result_var") or f"{getattr(event, 'thrown_by', 'message')}_Response"
        return {variable: payload.get("payload")}
    return dict(payload) if isinstance(payload, dict) else {}


_camunda_throw = CamundaMessageEventDefinition.throw
_camunda_update_task_data = CamundaMessageEventDefinition.update_task_data


def _message_throw(self, my_task):
    """Without ``camunda:expression``: carry the thrower's variables, with the diagram's correlations."""
    if self.expression is None:
        variables = deepcopy(my_task.data)
        correlations = self.get_correlations(my_task, variables) if self.correlation_properties else {}
        my_task.workflow.correlations.update(correlations)
        event = BpmnEvent(self, payload={_VARIABLES: variables}, correlations=correlations)
    else:
        result = my_task.workflow.script_engine.evaluate(my_task, self.expression)
        event = BpmnEvent(self, payload={"payload": result, "result_var": self.result_var})
    event.thrown_by = my_task.task_spec.bpmn_id
    my_task.workflow.top_workflow.catch(event)


def _message_update_task_data(self, my_task):
    payload = my_task.internal_data.get(self.name)
    if isinstance(payload, dict) and _VARIABLES in payload:
        my_task.set_data(**deepcopy(payload[_VARIABLES]))
    elif isinstance(payload, dict) and "payload" in payload:
        _camunda_update_task_data(self, my_task)


def install() -> None:
    """Messages carry variables between instances (see the module's docstring). Idempotent."""
    CamundaMessageEventDefinition.throw = _message_throw
    CamundaMessageEventDefinition.update_task_data = _message_update_task_data
