"""Where a diagram's code runs: scripts, gateway conditions, timer values, multi-instance collections.

SpiffWorkflow's default environment is plain ``eval``/``exec`` with every builtin. Diagrams are uploaded by
people, so their code is compiled with RestrictedPython (``engine.restricted``: the language) and run in a child
process bounded by the operating system (``engine.isolation``: time and memory per evaluation, ``Bounds``), with
``engine.limits`` inside the child as a first, clearer line (loop lengths, sizes of numbers and strings).

Two rules keep data sound:

- a script's variables pass the data rule (``engine.data``) before the task's data changes: a refused script
  leaves the data as it was; conditions, timer values and collections cannot change data at all (the child works
  on a copy, and an expression's changes are never read back);
- the child receives only the variables and functions the code names (it has no ``globals()``), so a condition
  on one flag does not ship a whole form.

Code whose cost its shape bounds (``engine.cheap``: ``not agree``, ``len(units) > 0``, ``due = today()``) runs in
the host, a round trip saved on the most frequent evaluations; the same policy, guards and data rule apply.

Every failure (refusal, breach, the code's own exception, ``SystemExit`` included) reaches the engine as a
``ScriptError`` whose ``element`` is the BPMN element id and whose message names the element.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .cheap import is_cheap
from .data import storable
from .errors import DataNotStorable, ScriptError
from .isolation import Bounds, pool
from .restricted import check, compile_expression, compile_script, guards, is_iso_literal, names_used

__all__ = ["Bounds", "SandboxEnvironment", "SandboxScriptEngine", "check", "clock_functions"]

_EXCEPTION_WORDS = {
    "NameError": "用到了未定义的名称", "KeyError": "字典中没有这个键", "IndexError": "下标超出范围",
    "TypeError": "值的类型不对", "ValueError": "值不对", "ZeroDivisionError": "除数为零",
    "AttributeError": "没有这个属性", "RecursionError": "递归过深", "SystemExit": "代码要求退出（不允许）",
    "KeyboardInterrupt": "代码发出中断（不允许）", "GeneratorExit": "代码发出中断（不允许）",
}


def _decoded(answer: dict):
    if "datetime" in answer:
        return datetime.fromisoformat(answer["datetime"])
    if "date" in answer:
        return date.fromisoformat(answer["date"])
    if "timedelta" in answer:
        return timedelta(seconds=answer["timedelta"])
    return answer["value"]


def _raise(answer: dict):
    kind, message = answer["error"], answer.get("message", "")
    if kind == "data":
        raise DataNotStorable(message, variable=answer["variable"])
    if kind == "memory":
        raise ScriptError("代码用尽了允许的内存，已中止")
    if kind == "exception":
        words = _EXCEPTION_WORDS.get(answer["type"], "代码出错")
        line = f"第 {answer['line']} 行：" if answer.get("line") else ""
        raise ScriptError(f"{line}{words}（{answer['type']}）" + (f"：{message}" if message else ""))
    raise ScriptError(message)


def _picked(values: dict | None, names: frozenset[str]) -> dict:
    return {name: values[name] for name in names if values and name in values}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's environment, evaluating in the host (cheap expressions) or in a bounded child."""

    def __init__(self, environment_globals: dict | None = None, bounds: Bounds | None = None):
        super().__init__(environment_globals or {})
        self.bounds = bounds or Bounds()
        self._offered = frozenset(self.globals)
        pool().warm(self.bounds.megabytes)

    def _namespace(self, context: dict, external_context: dict | None) -> dict:
        return {**self.globals, **(external_context or {}), **context, **guards()}

    def _execute_here(self, script: str, context: dict, external_context: dict | None) -> dict:
        """A cheap script in the host, on a namespace of its own: what it assigns, as a child would answer."""
        namespace = self._namespace(context, external_context)
        exec(compile_script(script), namespace)
        assigned = names_used(script, is_script=True) - self.globals.keys() - (external_context or {}).keys()
        return {name: namespace[name] for name in assigned if name in namespace and not callable(namespace[name])}

    def _request(self, kind: str, code: str, context: dict, external_context: dict | None) -> dict:
        used = names_used(code, is_script=kind == "exec")
        request = {"kind": kind, "code": code, "names": _picked(context, used),
                   "external": _picked(external_context, used), "functions": sorted(used & self.globals.keys())}
        answer = pool().run(request, self.globals, self.bounds)
        if "error" in answer:
            _raise(answer)
        return answer

    def evaluate(self, expression, context, external_context=None):
        if is_iso_literal(expression):
            return expression.strip()
        code = compile_expression(expression)  # refused in the host what the policy refuses, before any round trip
        if is_cheap(expression, self._offered):
            return eval(code, self._namespace(context, external_context))
        return _decoded(self._request("eval", expression, context, external_context))

    def execute(self, script, context, external_context=None):
        used = names_used(script, is_script=True)
        if is_cheap(script, self._offered, is_script=True):
            changed = self._execute_here(script, context, external_context)
        else:
            changed = self._request("exec", script, context, external_context)["data"]
        kept = {name: value for name, value in context.items() if name not in used}
        result = storable(kept | changed)  # the whole data, once more in the host: the total size holds
        context.clear()
        context.update(result)
        return True


def clock_functions(local_tz) -> dict:
    """``today()`` and ``now()`` for diagrams: ISO strings by the engine's clock, in local time."""
    from .clock import _ClockDatetime

    def now() -> str:
        return _ClockDatetime.now(local_tz).replace(microsecond=0).isoformat()

    def today() -> str:
        return _ClockDatetime.now(local_tz).date().isoformat()

    return {"now": now, "today": today}


def _named(error: ScriptError, task) -> ScriptError:
    """The error again, naming the element (its name and id) in its message and ``element``."""
    spec = task.task_spec
    element = getattr(spec, "bpmn_id", None) or spec.name
    name = getattr(spec, "bpmn_name", None) or element
    message = f"“{name}”（{element}）：{error.message}"
    if isinstance(error, DataNotStorable):
        return DataNotStorable(message, variable=error.variable, element=element)
    return type(error)(message, element=element)


class SandboxScriptEngine(PythonScriptEngine):
    """Diagram code sees the task's data, ``today()``/``now()`` and the functions the caller adds."""

    def __init__(self, local_tz, functions: dict, bounds: Bounds | None = None):
        super().__init__(environment=SandboxEnvironment(clock_functions(local_tz) | functions, bounds))

    def validate(self, expression):
        check(expression, is_script=False)

    def evaluate(self, task, expression, external_context=None):
        return self._named_failures(task, self.environment.evaluate, expression, task.data, external_context)

    def execute(self, task, script, external_context=None):
        return self._named_failures(task, self.environment.execute, script, task.data, external_context or {})

    @staticmethod
    def _named_failures(task, run, code, context, external_context):
        try:
            return run(code, context, external_context)
        except ScriptError as error:
            raise _named(error, task) from error
        except Exception as error:  # the code's own failure in the host (a cheap expression's missing name …)
            words = _EXCEPTION_WORDS.get(type(error).__name__, "代码出错")
            raise _named(ScriptError(f"{words}（{type(error).__name__}）：{error}"), task) from error
