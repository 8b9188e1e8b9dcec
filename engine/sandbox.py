"""Where a diagram's code runs: scripts, gateway conditions, timer values, multi-instance collections.

SpiffWorkflow's default environment is plain ``eval``/``exec`` with every builtin. Diagrams are
uploaded by people, so here they are compiled with RestrictedPython: no imports, no names or
attributes that start with ``_``, guarded attribute, item and iteration access, and a short list of
harmless builtins. ``engine.limits`` bounds time and size. Bare ISO 8601 timer values (``PT5M``, ``2017-06-20T00:00:00``, ``R3/P1D``), as
Camunda users write them, are taken as the strings they are.
"""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import limits
from .errors import ScriptError

MAX_DATA_BYTES = 2_000_000  # what a script may leave in the task's data, as JSON

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
SANDBOX_BUILTINS = ({k: v for k, v in safe_builtins.items() if k not in _UNSAFE_BUILTINS} | _EXTRA_BUILTINS
                    | limits.BOUNDED_BUILTINS)
_GUARDED_OPERATORS = {ast.Pow: "**", ast.Mult: "*", ast.LShift: "<<", ast.Mod: "%"}


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's rules, plus: operators that can make huge values are checked when they run,
    and f-string format specs may not ask for huge widths."""

    def visit_BinOp(self, node: ast.BinOp):
        node = self.node_contents_visit(node)
        symbol = _GUARDED_OPERATORS.get(type(node.op))
        if symbol is None:
            return node
        name, operator = ast.Name("_arith_", ast.Load()), ast.Constant(symbol)
        call = ast.Call(func=name, args=[operator, node.left, node.right], keywords=[])
        for part in (name, operator, call):
            ast.copy_location(part, node)
        return call

    def visit_Import(self, node: ast.Import):
        self.error(node, "不允许 import：流程中的代码只能使用任务数据和提供的函数")

    visit_ImportFrom = visit_Import

    def visit_ClassDef(self, node: ast.ClassDef):
        self.error(node, "不允许定义类")

    def visit_FormattedValue(self, node: ast.FormattedValue):
        spec = node.format_spec
        if spec is not None:
            for part in ast.walk(spec):
                if isinstance(part, ast.FormattedValue):
                    self.error(node, "f-string 的格式说明不能含表达式")
                elif isinstance(part, ast.Constant) and isinstance(part.value, str) and any(
                        int(width) > limits.MAX_FORMAT_WIDTH for width in re.findall(r"\d+", part.value)):
                    self.error(node, "f-string 的格式宽度过大")
        return self.node_contents_visit(node)


def is_iso_literal(expression: str) -> bool:
    return bool(_ISO_LITERAL.match(expression.strip()))


def _getattr(obj, name, default=None):
    return limits.guard_string_method(obj, name, safer_getattr(obj, name, default))


def _guards() -> dict:
    return {
        "__builtins__": SANDBOX_BUILTINS,
        "_getattr_": _getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": limits.bounded_iter,
        "_arith_": limits.arithmetic,
        "_inplacevar_": limits.inplace,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
    }


_GUARD_NAMES = set(_guards())


@lru_cache(maxsize=4096)
def compile_expression(expression: str):
    result = compile_restricted_eval(expression.strip(), "<expression>", policy=_Policy)
    if result.errors:
        raise ScriptError(f"表达式被拒绝：{'; '.join(result.errors)}")
    return result.code


@lru_cache(maxsize=1024)
def compile_script(script: str):
    result = compile_restricted_exec(script, "<script>", policy=_Policy)
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
        code, names = compile_expression(expression), self._globals(context, external_context)
        with limits.time_limit():
            return eval(code, names)

    def execute(self, script, context, external_context=None):
        code, names = compile_script(script), self._globals(context, external_context)
        with limits.time_limit():
            exec(code, names)
        result = {key: value for key, value in names.items()
                  if key not in _GUARD_NAMES and key not in self.globals and not callable(value)
                  and not (external_context and key in external_context)}
        _check_size(result)  # before the task's data changes: a refused script leaves nothing behind
        context.clear()
        context.update(result)
        return True


def _check_size(context: dict) -> None:
    """Stop at the first byte over the limit: a list holding itself a million times must not be walked whole."""
    budget, stack = MAX_DATA_BYTES, list(context.items())
    while stack:
        item = stack.pop()
        budget -= 8
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            budget -= len(item[0])
            item = item[1]
        if isinstance(item, (str, bytes)):
            budget -= len(item)
        elif isinstance(item, dict):
            stack.extend(item.items())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
        if budget < 0:
            raise ScriptError(f"脚本留下的数据过大（上限 {MAX_DATA_BYTES} 字节）")


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
