"""Bounds on what one diagram may ask of the engine: how far a timer reaches, how often a cycle fires, how many
children a multi-instance activity makes, how long one instance may run in one step.

SpiffWorkflow computes a duration month by month (``P99999999Y`` is a 1.2-billion-step loop), fires a cycle as
often as its interval allows (``R/PT0S`` never stops), and makes one child per item of a collection, copying the
data into each. The checks here run before SpiffWorkflow does that work: at deploy time where the diagram states
a literal value (:func:`check_timer_value`, :func:`check_cardinality` called by the parser), and at run time on
the values that expressions produce (:class:`BoundedScriptEngine`, :func:`install`).
"""
from __future__ import annotations

import contextvars
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.specs.bpmn_task_spec import BpmnTaskSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition, TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask

from .errors import EngineError
from .isolation import Bounds
from .sandbox import SandboxScriptEngine


@dataclass(frozen=True)
class EngineBounds:
    """Limits from the settings (``MAX_TIMER_YEARS`` …, see workflows/runtime.py); the defaults hold without them.

    - ``script_seconds``, ``script_megabytes``: what one evaluation of diagram code may spend, enforced by the
      operating system in a child process (engine/isolation.py);
    - ``max_timer_years``: the longest duration a timer may wait (a date further away is allowed: it only waits);
    - ``min_cycle_minutes``: the shortest interval of a repeating timer;
    - ``max_instances_per_activity``: the most children one multi-instance activity may make;
    - ``step_seconds``: wall time one instance may spend in one step (one task completed, one sweep's timers);
    - ``unhandled_error_incident``: a BPMN error no boundary event catches fails the step (an incident) instead
      of ending its path like a none end event (Camunda 7's default; engine/errors_thrown.py).
    """

    script_seconds: float = 2.0
    script_megabytes: int = 256
    max_timer_years: int = 10
    min_cycle_minutes: float = 1
    max_instances_per_activity: int = 1000
    step_seconds: float = 30.0
    unhandled_error_incident: bool = False

    @property
    def script(self) -> Bounds:
        """The bounds on one evaluation of diagram code, as engine/isolation.py takes them."""
        return Bounds(seconds=self.script_seconds, megabytes=self.script_megabytes)


class BoundExceeded(EngineError):
    """A timer value, cycle or multi-instance count beyond the engine's bounds; ``element`` names where."""

    status = 422


_active: contextvars.ContextVar[EngineBounds] = contextvars.ContextVar("engine_bounds", default=EngineBounds())


def active() -> EngineBounds:
    """The bounds of the engine now running a step (the defaults outside one)."""
    return _active.get()


def activate(bounds: EngineBounds) -> contextvars.Token:
    return _active.set(bounds)


def deactivate(token: contextvars.Token) -> None:
    _active.reset(token)


# -- timers ----------------------------------------------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:[.,]\d+)?)([YMWDHS])")
_DAYS = {"Y": 366, "W": 7, "D": 1}


def _duration_days(text: str) -> float:
    """An upper estimate of an ISO 8601 duration's length in days, read without SpiffWorkflow's month loop."""
    upper = text.strip().upper()
    date_part, _, time_part = upper[1:].partition("T")
    days = 0.0
    for number, unit in _DURATION_PART.findall(date_part):
        days += float(number.replace(",", ".")) * (31 if unit == "M" else _DAYS.get(unit, 0))
    for number, unit in _DURATION_PART.findall(time_part):
        days += float(number.replace(",", ".")) / {"H": 24, "M": 1440, "S": 86400}.get(unit, 86400)
    return days


def check_timer_value(value, bounds: EngineBounds, element: str) -> None:
    """Refuse a timer value (``P3D``, ``R3/PT1H``, ``2017-06-30T09:00``) whose duration passes
    ``max_timer_years`` or whose cycle repeats more often than every ``min_cycle_minutes``; raises BoundExceeded
    naming ``element``. Other values pass: SpiffWorkflow judges their syntax."""
    if not isinstance(value, str):
        raise BoundExceeded(f"元素 {element}：定时器的值应为 ISO 8601 文本，实际为 {type(value).__name__}", element=element)
    parts = value.strip().upper().replace("--", "/").split("/")
    for part in parts:
        if part.startswith("P") and _duration_days(part) > bounds.max_timer_years * 366:
            raise BoundExceeded(f"元素 {element}：定时器时长 {_short(value)} 超过 {bounds.max_timer_years} 年的上限",
                                element=element)
    if parts[0].startswith("R"):
        durations = [part for part in parts[1:] if part.startswith("P")]
        if durations and _duration_days(durations[0]) * 1440 < bounds.min_cycle_minutes:
            raise BoundExceeded(f"元素 {element}：循环定时器 {_short(value)} 的间隔短于 {bounds.min_cycle_minutes:g} 分钟",
                                element=element)


def _short(value: str) -> str:
    return value if len(value) <= 40 else value[:37] + "…"


def skip_missed_cycles(task, now: datetime) -> None:
    """After a cycle timer fired, move its next occurrence past ``now``: a worker that was down fires a missed
    reminder once, not once for every interval it slept through. Each skipped occurrence counts against the
    cycle's repetitions."""
    value = task._get_internal_data("event_value")
    if not isinstance(value, dict) or value.get("cycles", 0) == 0 or not value.get("duration"):
        return
    upcoming = datetime.fromisoformat(value["next"])
    if upcoming >= now:
        return
    missed = math.floor((now - upcoming).total_seconds() / value["duration"]) + 1
    if value["cycles"] > 0:
        missed = min(missed, value["cycles"])
        value["cycles"] -= missed
    value["next"] = (upcoming + timedelta(seconds=missed * value["duration"])).isoformat()
    task._set_internal_data(event_value=value)


# -- multi-instance --------------------------------------------------------------------------------------------

def check_cardinality(value, bounds: EngineBounds, element: str) -> int:
    """A loop cardinality must be a whole number from 0 to ``max_instances_per_activity``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise BoundExceeded(f"元素 {element}：多实例的数量（loopCardinality）应为整数，实际为 {_short(repr(value))}",
                            element=element)
    if not 0 <= value <= bounds.max_instances_per_activity:
        raise BoundExceeded(f"元素 {element}：多实例的数量 {value} 不在 0–{bounds.max_instances_per_activity} 之内",
                            element=element)
    return value


def check_collection(collection, bounds: EngineBounds, element: str) -> None:
    """A multi-instance collection may hold at most ``max_instances_per_activity`` items; checked before any
    child is made (SpiffWorkflow copies the data into each)."""
    size = len(collection) if hasattr(collection, "__len__") else None
    if size is not None and size > bounds.max_instances_per_activity:
        raise BoundExceeded(f"元素 {element}：多实例集合有 {size} 项，超过 {bounds.max_instances_per_activity} 项的上限",
                            element=element)


def _bounded_update_hook(self, my_task):
    result = BpmnTaskSpec._update_hook(self, my_task)
    if self.data_input is not None and self.data_input.exists(my_task):
        check_collection(self.data_input.get(my_task), active(), self.bpmn_id or self.name)
    return result


def install() -> None:
    """Check every multi-instance collection's size before its children are made (SpiffWorkflow's parallel and
    sequential multi-instance specs both call this hook first). Idempotent."""
    MultiInstanceTask._update_hook = _bounded_update_hook


def timer_element(task, expression: str) -> str | None:
    """The element id when ``expression`` is the timer expression of ``task``'s event, else None."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition) and definition.expression == expression:
        return task.task_spec.bpmn_id or task.task_spec.name
    return None


def cardinality_element(task, expression: str) -> str | None:
    """The element id when ``expression`` is the loop cardinality of ``task``'s multi-instance spec, else None."""
    spec = task.task_spec
    if isinstance(spec, MultiInstanceTask) and spec.cardinality == expression:
        return spec.bpmn_id or spec.name
    return None


def is_cycle(task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), CycleTimerEventDefinition)


class BoundedScriptEngine(SandboxScriptEngine):
    """The sandbox, plus: a timer expression's value and a loop cardinality are checked against the active
    bounds as soon as they are computed, before SpiffWorkflow acts on them."""

    def evaluate(self, task, expression, external_context=None):
        value = super().evaluate(task, expression, external_context)
        if (element := timer_element(task, expression)) is not None:
            check_timer_value(value, active(), element)
        elif (element := cardinality_element(task, expression)) is not None:
            check_cardinality(value, active(), element)
        return value
