"""Delivering messages and signals (Camunda's message correlation and signal broadcast), from the API and from
the message and signal throw events of running instances. A mixin of :class:`engine.engine.BpmnEngine`, which
gives it ``session``, ``get_instance``, ``latest_definitions``, ``_start``, ``_run`` and ``_record``.

A message goes to exactly one receiver: the instance waiting for it (a catch event, receive task, boundary event
or event-based gateway branch with that message name) whose business key and variables match what the sender
gave, or, when none waits, a new instance of the process whose start event has that message. Nothing or more than
one is refused (:class:`NoReceiver`, :class:`SeveralReceivers`) unless every match is asked for. A signal goes to
every instance waiting for it and starts every process with that signal start event.

A message thrown by an instance correlates by the thrower's business key (the instance it starts gets that key)
and carries the thrower's variables; delivery runs in the thrower's transaction, and a refusal fails the thrower's
step, naming the throwing element.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

from .data import storable
from .errors import EngineError
from .events import MESSAGE, SIGNAL, catching_definition, kind_of, payload_for, start_events, variables_of
from .incidents import StepFailed
from .instance import Instance
from .models import EventSubscription, ProcessDefinition, ProcessInstance

MAX_DEPTH = 10  # instances that throw to each other in a ring must stop somewhere


class NoReceiver(EngineError):
    """Nothing waits for the message and no process starts with it."""

    status = 409


class SeveralReceivers(EngineError):
    """The message matches more than one receiver and the sender did not ask for all of them."""

    status = 409


@dataclass
class Delivery:
    """What a message or signal did: the instances that caught it and those it started."""

    caught: list[Instance] = field(default_factory=list)
    started: list[Instance] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.caught) + len(self.started)


# A cycle's start event makes its outgoing tokens only when an occurrence passes (SpiffWorkflow's
# CycleTimerEventDefinition.update_task): one occurrence that has passed, and no more after it.
_ONE_PAST_OCCURRENCE = {"cycles": 1, "next": "2000-01-01T00:00:00+00:00", "duration": 0}


def fire_start_event(task) -> None:
    """Make a start event that has not run yet fire when the instance runs: a cycle once, any other at once."""
    if isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition):
        task._set_internal_data(event_value=dict(_ONE_PAST_OCCURRENCE))
    else:
        task._set_internal_data(event_fired=True)


def _correlates(instance: Instance, correlation: dict[str, Any]) -> bool:
    if not correlation:
        return True
    variables = instance.variables()
    return all(name in variables and variables[name] == value for name, value in correlation.items())


class Deliveries:
    """Correlate messages and broadcast signals to waiting instances and to event start events."""

    _delivery_depth = 0

    def correlate_message(self, name: str, *, business_key: str | None = None,
                          correlation: dict[str, Any] | None = None, variables: dict[str, Any] | None = None,
                          every: bool = False, actor: str | None = None, exclude: int | None = None) -> Delivery:
        """Deliver the message ``name`` (see the module's docstring). ``correlation`` maps variable names to the
        values the receiving instance must hold; ``variables`` become the receiver's variables; ``every``
        delivers to every match instead of refusing several. Raises NoReceiver, SeveralReceivers (409), or
        StepFailed when a receiver's step fails (the caller rolls back)."""
        variables = storable(variables or {})
        matched = [instance for instance in self._waiting(MESSAGE, name, business_key, exclude)
                   if _correlates(instance, correlation or {})]
        starts = [] if matched else self._event_starts(MESSAGE, name)
        found = len(matched) + len(starts)
        if found == 0:
            keyed = f"（业务编号 {business_key}）" if business_key else ""
            raise NoReceiver(f"没有等待消息“{name}”{keyed}的流程实例，也没有以该消息启动的流程")
        if found > 1 and not every:
            raise SeveralReceivers(f"消息“{name}”匹配到 {found} 个接收者；请给出业务编号或关联变量，"
                                   "或用 all: true 发给全部")
        return self._deliver(MESSAGE, name, matched, starts, business_key, variables or {}, actor)

    def broadcast_signal(self, name: str, *, variables: dict[str, Any] | None = None, actor: str | None = None,
                         exclude: int | None = None) -> Delivery:
        """Deliver the signal ``name`` to every instance waiting for it and start every process with that signal
        start event; none is not an error (a signal is a broadcast)."""
        variables = storable(variables or {})
        matched = self._waiting(SIGNAL, name, None, exclude)
        return self._deliver(SIGNAL, name, matched, self._event_starts(SIGNAL, name), None, variables or {}, actor)

    def start_by_event(self, definition: ProcessDefinition, element: str, *, business_key: str | None = None,
                       data: dict[str, Any] | None = None, actor: str | None = None) -> Instance:
        """Start an instance through its start event ``element`` (a message, signal or timer start event), which
        has fired: the process runs on from it at once."""
        def fire(workflow):
            for task in workflow.get_tasks():
                if getattr(task.task_spec, "bpmn_id", None) == element:
                    fire_start_event(task)

        with self.clock.frozen():  # the row is written whole by the flush below, not half by a clock query
            instance = self._start(definition, business_key, data, actor, prepare=fire)
        self.session.flush()
        return instance

    def deliver_thrown(self, instance: Instance, events: list[BpmnEvent]) -> None:
        """Deliver what the instance's step threw and nothing inside it caught, as the sender that instance is."""
        for event in events:
            name, kind = event.event_definition.name, kind_of(event.event_definition)
            element = getattr(event, "thrown_by", None)
            try:
                with self._deeper(element):
                    if kind == SIGNAL:
                        self.broadcast_signal(name, variables=variables_of(event), exclude=instance.id)
                    else:
                        self.correlate_message(name, business_key=instance.row.business_key,
                                               variables=variables_of(event), exclude=instance.id)
            except (NoReceiver, SeveralReceivers) as refused:
                raise StepFailed(f"元素 {element}：{refused.message}", element=element) from refused

    # -- inside ----------------------------------------------------------------------------------------------

    def _waiting(self, kind: str, name: str, business_key: str | None, exclude: int | None) -> list[Instance]:
        """The running instances subscribed to the event, locked, in the order they started waiting."""
        query = (select(EventSubscription.instance_id).join(ProcessInstance)
                 .where(EventSubscription.kind == kind, EventSubscription.name == name,
                        ProcessInstance.status == "running")
                 .order_by(EventSubscription.id))
        if business_key:
            query = query.where(ProcessInstance.business_key == business_key)
        ids = [i for i in dict.fromkeys(self.session.scalars(query)) if i != exclude]
        return [self.get_instance(instance_id, for_update=True) for instance_id in ids]

    def _event_starts(self, kind: str, name: str) -> list[tuple[ProcessDefinition, str]]:
        return [(definition, element) for definition in self.latest_definitions()
                for kind_, name_, element, _ in start_events(definition) if kind_ == kind and name_ == name]

    def _deliver(self, kind, name, matched, starts, business_key, variables, actor) -> Delivery:
        delivery = Delivery()
        for instance in matched:
            delivery.caught.append(self._catch(instance, kind, name, variables, actor))
        for definition, element in starts:
            started = self.start_by_event(definition, element, business_key=business_key, data=variables, actor=actor)
            self._record(started, f"{kind}_received", actor=actor, data={"name": name, "element": element})
            delivery.started.append(started)
        self.session.flush()
        return delivery

    def _catch(self, instance: Instance, kind: str, name: str, variables: dict, actor: str | None) -> Instance:
        definition = catching_definition(instance.workflow, kind, name)
        if definition is None:  # the subscription was stale: the instance moved on in this transaction
            return instance
        event = BpmnEvent(definition, payload=payload_for(definition, variables),
                          correlations=dict(instance.workflow.correlations))
        self._record(instance, f"{kind}_received", actor=actor, data={"name": name, "variables": sorted(variables)})
        self._run(instance, lambda: instance.workflow.event_manager.catch(event, internal=False))
        return instance

    @contextmanager
    def _deeper(self, element: str | None):
        """Count the instances a delivery passes through, so that two that answer each other stop."""
        if self._delivery_depth >= MAX_DEPTH:
            raise StepFailed(f"元素 {element}：消息或信号在实例之间连续传递超过 {MAX_DEPTH} 层，已中止", element=element)
        self._delivery_depth += 1
        try:
            yield
        finally:
            self._delivery_depth -= 1
