"""What a failed step becomes: a :class:`StepFailed` naming the element (and the variable, when data could not be
stored), which the worker records as an incident (Camunda's word) and the API answers with 422.

Anything can fail inside a step: diagram code (the sandbox's errors, which are EngineErrors), SpiffWorkflow
itself (a missing collection, a bad expression), the serializer (a value JSON cannot hold: ``range(3)``,
``{1, 2}``, ``float("nan")``, a list nested 5,000 deep), or a script that raises ``SystemExit``. None of them may
stop the process that runs the step; each is described here in Chinese for the office.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import InterfaceError, OperationalError

from .data import storable
from .errors import DataNotStorable, EngineError, ScriptError, element_label

# The database is unreachable, locked or read-only: nothing about the instance is wrong, so no incident; the
# caller backs off and tries again.
UNAVAILABLE = (OperationalError, InterfaceError)
_NO_CONDITION = "No conditions satisfied"


class StepFailed(ScriptError):
    """A step of an instance failed and was rolled back; ``element`` and ``variable`` say where (either may be
    None when it cannot be told). A ScriptError, so callers that caught diagram failures keep doing so."""

    status = 422

    def __init__(self, message: str, *, element: str | None = None, element_name: str | None = None,
                 variable: str | None = None):
        super().__init__(message, element=element)
        self.element_name = element_name
        self.variable = variable


@dataclass
class StepTrace:
    """The task a step is running now and those it ran, so a failure can name its element."""

    current: object = None
    ran: list = field(default_factory=list)

    def starting(self, task) -> None:
        self.current = task

    def finished(self, task) -> None:
        self.ran.append(task)


def _detail(error: BaseException) -> str:
    original = getattr(error, "exception", None)
    if isinstance(error, EngineError):
        return error.message
    if isinstance(original, EngineError):
        return original.message
    if isinstance(error, (SystemExit, KeyboardInterrupt, GeneratorExit)) or isinstance(
            original, (SystemExit, KeyboardInterrupt)):
        return "流程中的代码试图结束进程，已阻止"
    if isinstance(error, RecursionError) or isinstance(original, RecursionError):
        return "数据或调用嵌套过深，已中止"
    if isinstance(error, MemoryError) or isinstance(original, MemoryError):
        return "内存不足，已中止"
    if isinstance(error, OverflowError) or isinstance(original, OverflowError):
        return "数值或日期超出范围"
    if str(error).startswith(_NO_CONDITION):  # SpiffWorkflow's words for a gateway with no way out
        return "网关的各条出口连线的条件都不成立，也没有默认连线：请修改条件或设一条默认连线后重试"
    return f"流程运行出错：{type(error).__name__}: {error}"


def _element_of(error: BaseException, trace: StepTrace):
    """The task the error names (SpiffWorkflow's exceptions carry it), else the one that was running."""
    task = getattr(error, "task", None) or trace.current
    return task


def describe(error: BaseException, trace: StepTrace) -> StepFailed:
    """The StepFailed for any error raised while a step ran; an already described one passes unchanged."""
    if isinstance(error, StepFailed):
        return error
    task = _element_of(error, trace)
    spec = getattr(task, "task_spec", None)
    element = getattr(error, "element", None) or getattr(getattr(error, "exception", None), "element", None) \
        or (getattr(spec, "bpmn_id", None) or getattr(spec, "name", None) if spec is not None else None)
    name = getattr(spec, "bpmn_name", None) if spec is not None else None
    variable = getattr(error, "variable", None) or getattr(getattr(error, "exception", None), "variable", None)
    source = error if isinstance(error, EngineError) else getattr(error, "exception", None)
    if isinstance(source, EngineError) and source.element:
        message = source.message  # the sandbox and the bounds name the element already
    else:
        message = f"{element_label(element, name)}：{_detail(error)}"
    return StepFailed(message, element=element, element_name=name, variable=variable)


def _tasks_that_ran(trace: StepTrace) -> list:
    """The diagram's own tasks of the step, in the order they ran (SpiffWorkflow's internal ones left out)."""
    tasks = trace.ran or ([trace.current] if trace.current is not None else [])
    return [task for task in tasks if getattr(task.task_spec, "bpmn_id", None)]


def _refused(task, error: DataNotStorable) -> StepFailed:
    spec = task.task_spec
    return StepFailed(f"{element_label(spec.bpmn_id, spec.bpmn_name)}：{error.message}", element=spec.bpmn_id,
                      element_name=spec.bpmn_name, variable=error.variable)


def find_unstorable(trace: StepTrace, workflow_data: dict) -> StepFailed | None:
    """The first variable, in the data of the tasks the step ran (in order: the task that made it is named) and
    then the workflow's own data, that the data rule (engine/data.py) refuses; None if there is none."""
    for task in _tasks_that_ran(trace):
        try:
            storable(task.data, element=task.task_spec.bpmn_id)
        except DataNotStorable as error:
            return _refused(task, error)
    try:
        storable(workflow_data)
    except DataNotStorable as error:
        return StepFailed(f"流程数据：{error.message}", variable=error.variable)
    return None


def unstorable_data(error: BaseException, trace: StepTrace, workflow_data: dict) -> StepFailed:
    """The refusal naming the variable whose value the serializer refused (see :func:`find_unstorable`)."""
    return find_unstorable(trace, workflow_data) or StepFailed(f"流程数据无法保存：{_detail(error)}")
