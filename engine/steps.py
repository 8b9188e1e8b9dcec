"""The inside of one step: SpiffWorkflow's engine steps and timer refresh, watched so that a failure can name its
element, bounded in time, with the cycles and thrown BPMN errors handled; and the check that what is left can be
stored. BpmnEngine._run calls these under one frozen clock and turns any failure into StepFailed."""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import bounds as engine_bounds
from .bounds import EngineBounds
from .errors_thrown import ThrownError, mark_uncaught, thrown_by
from .event_subprocesses import interrupt
from .incidents import StepFailed, StepTrace, find_unstorable, unstorable_data
from .instance import is_timer
from .storage import StoredState

_SPIFF_LOGGERS = ("spiff.task", "spiff.workflow")


def quiet_spiff_logs() -> None:
    """SpiffWorkflow's step loggers at WARNING unless the operator set their level. SpiffWorkflow decides how
    much to put in a log record by the logger's own level, not by the effective one: at NOTSET every workflow's
    start and end walks its whole task tree for a record nobody writes, and a worker logging at INFO would write
    a line for every task's change of state. Idempotent."""
    for name in _SPIFF_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def run_engine_steps(workflow: BpmnWorkflow, trace: StepTrace, bounds: EngineBounds, now: datetime,
                     timer_fired: Callable[[object], None]) -> list[ThrownError]:
    """SpiffWorkflow's refresh_timers and do_engine_steps, with each task announced to ``trace``, the instance's
    time budget (``bounds.step_seconds``) checked between tasks and ``timer_fired(task)`` called for each timer
    that fired. Returns the BPMN errors error end events threw, each marked caught or not; with
    ``bounds.unhandled_error_incident`` an uncaught one raises StepFailed."""
    deadline, thrown = time.monotonic() + bounds.step_seconds, []

    def starting(task):
        if time.monotonic() > deadline:
            raise StepFailed(f"元素 {task.task_spec.bpmn_id or task.task_spec.name}：实例单次运行超过 "
                             f"{bounds.step_seconds:g} 秒，已中止", element=task.task_spec.bpmn_id)
        trace.starting(task)

    def finished(task):
        trace.finished(task)
        if is_timer(task):
            timer_fired(task)
        elif (error := thrown_by(task)) is not None:
            thrown.append(error)

    refresh_timers(workflow, trace, now)  # a due timer becomes ready and runs on below
    while workflow._do_engine_steps(starting, finished) > 0 or interrupt(workflow):
        pass
    refresh_timers(workflow, trace, now)  # timers reached by this step start waiting
    mark_uncaught(workflow, thrown)
    for error in thrown:
        if not error.caught and bounds.unhandled_error_incident:
            raise StepFailed(f"元素 {error.element}：BPMN 错误 {error.code}（{error.name}）没有被任何边界事件捕获",
                             element=error.element, element_name=error.element_name)
    return thrown


def refresh_timers(workflow: BpmnWorkflow, trace: StepTrace, now: datetime) -> None:
    """SpiffWorkflow's refresh_timers, naming each timer to ``trace``; a cycle fires at most once here and skips
    the occurrences the clock has already passed."""
    for task in list(workflow.event_manager.tasks.values()):
        if not is_timer(task) and not isinstance(task.task_spec.event_definition, MultipleEventDefinition):
            continue
        trace.starting(task)
        task.task_spec._update(task)
        if engine_bounds.is_cycle(task):
            engine_bounds.skip_missed_cycles(task, now)


def check_storable(workflow: BpmnWorkflow, state: dict, trace: StepTrace) -> StoredState:
    """Refuse, naming the variable, a state the database would refuse or silently change (NaN, a set, a date
    object, an integer of 5,000 digits, a list nested 5,000 deep, integer keys) before it is written. Returns the
    state with the JSON text the check made, which is what the database is sent (no second serialization)."""
    if (refused := find_unstorable(trace, workflow.data)) is not None:
        raise refused  # the data rule (engine/data.py): what JSON would refuse or silently change
    try:
        return StoredState(state, json.dumps(state, allow_nan=False))
    except (TypeError, ValueError, RecursionError) as error:
        raise unstorable_data(error, trace, workflow.data) from error


def drop_finished_subprocesses(workflow: BpmnWorkflow) -> None:
    """Forget the sub-workflows of call activities and subprocesses that have finished.

    SpiffWorkflow keeps every finished sub-workflow (to reset into it), so a year of quarterly reports would
    make each step walk, serialize and store a growing tree. Like Camunda's runtime tables, an instance's state
    holds what can still run; what happened is in the history events and the record tables. A sub-workflow goes
    when all its tasks are finished and so is the task that called it (or that task is gone: SpiffWorkflow
    leaves the sub-workflows of a cancelled branch behind), and what ran inside it goes with it."""
    subprocesses = workflow.subprocesses
    # The sub-workflow holding each one's calling task (None: the top workflow).
    holders = {key: next((other for other, held in subprocesses.items() if key in held.tasks), None)
               for key in subprocesses}

    def calling_task(key):
        return (workflow if holders[key] is None else subprocesses[holders[key]]).tasks.get(key)

    dropped = {key for key, sub in subprocesses.items() if sub.is_completed()
               and (calling_task(key) is None or calling_task(key).has_state(TaskState.FINISHED_MASK))}
    while inner := {key for key, holder in holders.items() if holder in dropped} - dropped:
        dropped |= inner
    for key in dropped:
        del subprocesses[key]
