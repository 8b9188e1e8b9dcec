"""What a failed step becomes: a :class:`StepFailed` naming the element (and the variable, when data could not be
stored), which the worker records as an incident (Camunda's word) and the API answers with 422.

Anything can fail inside a step: diagram code (the sandbox's errors, which are EngineErrors), SpiffWorkflow
itself (a missing collection, a bad expression), the serializer (a value JSON cannot hold: ``range(3)``,
``{1, 2}``, ``float("nan")``, a list nested 5,000 deep), or a script that raises ``SystemExit``. None of them may
stop the process that runs the step; each is described here in Chinese for the office.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy.exc import InterfaceError, OperationalError

from .errors import EngineError, ScriptError

# The database is unreachable, locked or read-only: nothing about the instance is wrong, so no incident; the
# caller backs off and tries again.
UNAVAILABLE = (OperationalError, InterfaceError)


class StepFailed(ScriptError):
    """A step of an instance failed and was rolled back; ``element`` and ``variable`` say where (either may be
    None when it cannot be told). A ScriptError, so callers that caught diagram failures keep doing so."""

    status = 422

    def __init__(self, message: str, *, element: str | None = None, element_name: str | None = None,
                 variable: str | None = None):
        super().__init__(message, element=element)
        self.element_name = element_name
        self.variable = variable


class DataNotStorable(StepFailed):
    """A value in an instance's data cannot be stored as JSON (the engine's own check, beside the sandbox's)."""


@dataclass
class StepTrace:
    """The task a step is running now and those it ran, so a failure can name its element."""

    current: object = None
    ran: list = field(default_factory=list)

    def starting(self, task) -> None:
        self.current = task

    def finished(self, task) -> None:
        self.ran.append(task)


def _label(element: str | None, name: str | None) -> str:
    if element is None:
        return "流程"
    return f"元素 {element}（{name}）" if name and name != element else f"元素 {element}"


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
    return StepFailed(f"{_label(element, name)}：{_detail(error)}", element=element, element_name=name,
                      variable=variable)


def _not_storable(value) -> str | None:
    """Why ``value`` cannot be stored as JSON, or None."""
    try:
        json.dumps(value, allow_nan=False)
    except RecursionError:
        return "嵌套过深"
    except (TypeError, ValueError) as error:
        text = str(error)
        if "out of range float" in text.lower():
            return "含有 NaN 或无穷大"
        if "Exceeds the limit" in text or "integer string conversion" in text:
            return "整数位数过多"
        if "keys must be" in text:
            return "字典的键只能是文本"
        kind = text.split("Object of type ", 1)[-1].split(" ", 1)[0] if "Object of type" in text else "未知"
        if kind in ("date", "datetime", "time", "timedelta"):
            return f"{kind} 对象无法保存，请存为 ISO 格式的文本（如 .isoformat()）"
        return f"类型 {kind} 无法保存（只能保存文本、数字、布尔值、列表和以文本为键的字典）"
    return None


def _non_text_key(value, budget: int = 100_000) -> bool:
    """Whether a dict inside ``value`` has a key that is not text (JSON would turn ``{1: "甲"}`` into
    ``{"1": "甲"}`` without a word, and a gateway testing ``names[1]`` would then take another branch)."""
    stack = [value]
    while stack and budget > 0:
        item = stack.pop()
        budget -= 1
        if isinstance(item, dict):
            if any(not isinstance(key, str) for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _tasks_that_ran(trace: StepTrace) -> list:
    """The diagram's own tasks of the step, in the order they ran (SpiffWorkflow's internal ones left out)."""
    tasks = trace.ran or ([trace.current] if trace.current is not None else [])
    return [task for task in tasks if getattr(task.task_spec, "bpmn_id", None)]


def _refused(task, variable: str, reason: str) -> DataNotStorable:
    spec = task.task_spec
    return DataNotStorable(f"{_label(spec.bpmn_id, spec.bpmn_name)}：变量 {variable} 的值无法保存：{reason}",
                           element=spec.bpmn_id, element_name=spec.bpmn_name, variable=variable)


def changed_keys(trace: StepTrace) -> DataNotStorable | None:
    """A refusal when a script of this step left a dict with a key that is not text, else None."""
    for task in _tasks_that_ran(trace):
        if isinstance(getattr(task.task_spec, "script", None), str):
            for variable, value in task.data.items():
                if _non_text_key(value):
                    return _refused(task, variable, "字典的键只能是文本（整数等键保存后会变成文本，改变流程走向）")
    return None


def find_unstorable(trace: StepTrace, workflow_data: dict) -> DataNotStorable | None:
    """The first variable, in the data of the tasks the step ran (in order: the task that made it is named) and
    then the workflow's own data, that JSON cannot hold; None if there is none."""
    for task in _tasks_that_ran(trace):
        for variable, value in task.data.items():
            if (reason := _not_storable(value)) is not None:
                return _refused(task, variable, reason)
    for variable, value in workflow_data.items():
        if (reason := _not_storable(value)) is not None:
            return DataNotStorable(f"流程数据：变量 {variable} 的值无法保存：{reason}", variable=variable)
    return None


def unstorable_data(error: BaseException, trace: StepTrace, workflow_data: dict) -> DataNotStorable:
    """The refusal naming the variable whose value the serializer refused (see :func:`find_unstorable`)."""
    return find_unstorable(trace, workflow_data) or DataNotStorable(f"流程数据无法保存：{_detail(error)}")
