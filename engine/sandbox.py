"""Where a diagram's code runs: scripts, gateway conditions, timer values, multi-instance collections.

SpiffWorkflow's default environment is plain ``eval``/``exec`` with every builtin. Diagrams are
uploaded by people, so here they are compiled with RestrictedPython: no imports, no names or
attributes that start with ``_``, guarded attribute, item and iteration access, and a short list of
harmless builtins. Bare ISO 8601 timer values (``PT5M``, ``2017-06-20T00:00:00``, ``R3/P1D``), as
Camunda users write them, are taken as the strings they are.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import ScriptError

MAX_ITERATION = 1_000_000

_ISO_LITERAL = re.compile(
    r"^(R\d*/)?("
    r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?"
    r"|\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
    r")(/(P[0-9YMWDTHS.]+|\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?))?$"
)

_UNSAFE_BUILTINS = {"setattr", "delattr", "__build_class__", "id", "_getattr_", "hash"}
_EXTRA_BUILTINS = {
    "list": list, "tuple": tuple, "dict": dict, "set": set, "frozenset": frozenset,
    "min": min, "max": max, "sum": sum, "sorted": sorted, "any": any, "all": all,
    "enumerate": enumerate, "zip": zip, "reversed": reversed, "map": map, "filter": filter,
    "date": date, "datetime": datetime, "timedelta": timedelta,
}
SANDBOX_BUILTINS = {k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS} | _EXTRA_BUILTINS


def is_iso_literal(expression: str) -> bool:
    return bool(_ISO_LITERAL.match(expression.strip()))


def _bounded_iter(obj):
    for count, item in enumerate(obj):
        if count >= MAX_ITERATION:
            raise ScriptError(f"循环超过 {MAX_ITERATION} 次，已中止")
        yield item


def _guards() -> dict:
    return {
        "__builtins__": SANDBOX_BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": _bounded_iter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
    }


_GUARD_NAMES = set(_guards())


@lru_cache(maxsize=4096)
def compile_expression(expression: str):
    result = compile_restricted_eval(expression.strip(), "<expression>")
    if result.errors:
        raise ScriptError(f"表达式被拒绝：{'; '.join(result.errors)}")
    return result.code


@lru_cache(maxsize=1024)
def compile_script(script: str):
    result = compile_restricted_exec(script, "<script>")
    if result.errors:
        raise ScriptError(f"脚本被拒绝：{'; '.join(result.errors)}")
    return result.code


def check(code: str, *, is_script: bool) -> None:
    """Refuse, at deploy time, what can be seen statically."""
    if not is_script and is_iso_literal(code):
        return
    (compile_script if is_script else compile_expression)(code)


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def _globals(self, context: dict, external_context: dict | None) -> dict:
        names = dict(self.globals)
        names.update(external_context or {})
        names.update(context)
        names.update(_guards())
        return names

    def evaluate(self, expression, context, external_context=None):
        if is_iso_literal(expression):
            return expression.strip()
        return eval(compile_expression(expression), self._globals(context, external_context))

    def execute(self, script, context, external_context=None):
        names = self._globals(context, external_context)
        exec(compile_script(script), names)
        for key, value in names.items():
            if key in _GUARD_NAMES or key in self.globals or callable(value):
                continue
            if external_context and key in external_context:
                continue
            context[key] = value
        for key in [k for k in context if k not in names]:
            del context[key]
        return True


def clock_functions(local_tz) -> dict:
    """``today()`` and ``now()`` for diagrams: ISO strings by the engine's clock, in local time."""
    from .clock import _ClockDatetime

    def now() -> str:
        return _ClockDatetime.now(local_tz).replace(microsecond=0).isoformat()

    def today() -> str:
        return _ClockDatetime.now(local_tz).date().isoformat()

    return {"now": now, "today": today}


class SandboxScriptEngine(PythonScriptEngine):
    """Diagram code sees the task's data, ``today()``/``now()`` and the functions the caller adds."""

    def __init__(self, local_tz, functions: dict):
        super().__init__(environment=SandboxEnvironment(clock_functions(local_tz) | functions))

    def validate(self, expression):
        check(expression, is_script=False)
