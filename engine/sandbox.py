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

Cheap expressions stay in the host, a round trip saved on the most frequent evaluation, a gateway condition. An
expression is cheap when its syntax tree holds only: names, constants, comparisons, ``and``/``or``/``not``, unary
``-``/``+``, ``+``/``-`` between two operands, literal lists/tuples/sets of those, and subscripts ``x[...]`` whose
index is a constant. No calls, no attributes, no ``*``/``**``/``%``, no comprehensions: each such operation is
linear in its operands, and the operands are task data, at most ``engine.data.MAX_DATA_BYTES`` by the data rule
or the expression's own literals, so the cost is bounded by construction.

Every failure (refusal, breach, the code's own exception, ``SystemExit`` included) reaches the engine as a
``ScriptError`` whose ``element`` is the BPMN element id and whose message names the element.
"""
from __future__ import annotations

import ast
from datetime import date, datetime, timedelta
from functools import lru_cache

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .data import storable
from .errors import DataNotStorable, ScriptError
from .isolation import Bounds, pool
from .restricted import check, compile_expression, guards, is_iso_literal, names_used

__all__ = ["Bounds", "SandboxEnvironment", "SandboxScriptEngine", "check", "clock_functions", "is_cheap"]

_CHEAP_NODES = (ast.Expression, ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.List, ast.Tuple,
                ast.Set, ast.Subscript, ast.Load, ast.cmpop, ast.boolop, ast.Not, ast.USub, ast.UAdd, ast.BinOp,
                ast.Add, ast.Sub)
_EXCEPTION_WORDS = {
    "NameError": "用到了未定义的名称", "KeyError": "字典中没有这个键", "IndexError": "下标超出范围",
    "TypeError": "值的类型不对", "ValueError": "值不对", "ZeroDivisionError": "除数为零",
    "AttributeError": "没有这个属性", "RecursionError": "递归过深", "SystemExit": "代码要求退出（不允许）",
    "KeyboardInterrupt": "代码发出中断（不允许）", "GeneratorExit": "代码发出中断（不允许）",
}


@lru_cache(maxsize=4096)
def is_cheap(expression: str) -> bool:
    """True when the expression may run in the host: see the module's rule."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if not isinstance(node, _CHEAP_NODES):
            return False
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
            return False
        if isinstance(node, ast.Name) and node.id.startswith("_"):
            return False
    return True


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
        line = f"第 {answer['line']} 行" if answer.get("line") else ""
        raise ScriptError(f"{line}{words}（{answer['type']}）" + (f"：{message}" if message else ""))
    raise ScriptError(message)


def _picked(values: dict | None, names: frozenset[str]) -> dict:
    return {name: values[name] for name in names if values and name in values}


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    """SpiffWorkflow's environment, evaluating in the host (cheap expressions) or in a bounded child."""

    def __init__(self, environment_globals: dict | None = None, bounds: Bounds | None = None):
        super().__init__(environment_globals or {})
        self.bounds = bounds or Bounds()
        pool().warm(self.bounds.megabytes)

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
        compile_expression(expression)  # refuse in the host what the policy refuses, before any round trip
        if is_cheap(expression):
            return eval(compile_expression(expression), {**(external_context or {}), **context, **guards()})
        return _decoded(self._request("eval", expression, context, external_context))

    def execute(self, script, context, external_context=None):
        used = names_used(script, is_script=True)
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
