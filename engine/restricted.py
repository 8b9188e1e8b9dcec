"""The language diagram code may use: RestrictedPython's rules, our guards and a short list of builtins.

Kept apart from ``engine.sandbox`` (which speaks to SpiffWorkflow) so that the child processes of
``engine.isolation`` import only this, ``limits``, ``data`` and ``errors``: no SQLAlchemy, no SpiffWorkflow, so a
child starts in a few tens of milliseconds and stays small.

What is refused here is refused everywhere: no imports, no class definitions, no names or attributes that start
with ``_``, guarded attribute, item and iteration access. Bare ISO 8601 timer values (``PT5M``,
``2017-06-20T00:00:00``, ``R3/P1D``), as Camunda users write them, are taken as the strings they are.
"""
from __future__ import annotations

import ast
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr

from . import limits
from .errors import ScriptError

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
    """True for a bare ISO 8601 date, duration or cycle, which is a timer value as it is written."""
    return bool(_ISO_LITERAL.match(expression.strip()))


def _getattr(obj, name, default=None):
    return limits.guard_string_method(obj, name, safer_getattr(obj, name, default))


def guards() -> dict:
    """The names RestrictedPython's compiled code calls, bound to our checks; a fresh dict each time."""
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


GUARD_NAMES = frozenset(guards())


_TOO_DEEP = "代码嵌套过深或过长（例如几千项连加、几千层括号），无法处理：请拆成几步"
MAX_CODE_CHARS = 20_000  # one script or expression; compiling 4 MB of code took the host 44 s and 1.7 GB


def _compiled(compile_restricted, code: str, filename: str):
    """RestrictedPython's result; code nested thousands deep makes the parser and its visitors recurse past
    Python's limit (RecursionError) or run out of parser memory (MemoryError): refused as a ScriptError, as is
    code longer than MAX_CODE_CHARS (it is compiled in the host, before any child is asked)."""
    if len(code) > MAX_CODE_CHARS:
        raise ScriptError(f"代码过长（{len(code):,} 个字符）：每段脚本或表达式最多 {MAX_CODE_CHARS:,} 个字符")
    try:
        return compile_restricted(code, filename, policy=_Policy)
    except (RecursionError, MemoryError):
        raise ScriptError(_TOO_DEEP) from None


@lru_cache(maxsize=4096)
def compile_expression(expression: str):
    """The code object of a restricted expression; ScriptError naming RestrictedPython's objections."""
    result = _compiled(compile_restricted_eval, expression.strip(), "<expression>")
    if result.errors:
        raise ScriptError(f"表达式被拒绝：{'; '.join(result.errors)}")
    return result.code


@lru_cache(maxsize=1024)
def compile_script(script: str):
    """The code object of a restricted script; ScriptError naming RestrictedPython's objections."""
    result = _compiled(compile_restricted_exec, script, "<script>")
    if result.errors:
        raise ScriptError(f"脚本被拒绝：{'; '.join(result.errors)}")
    return result.code


def check(code: str, *, is_script: bool) -> None:
    """Refuse, at deploy time, what can be seen statically."""
    if not is_script and is_iso_literal(code):
        return
    (compile_script if is_script else compile_expression)(code)


@lru_cache(maxsize=4096)
def names_used(code: str, *, is_script: bool) -> frozenset[str]:
    """Every name the code mentions: the only task data and functions it can reach (it has no ``globals()``)."""
    (compile_script if is_script else compile_expression)(code)  # refused here what cannot be compiled
    tree = ast.parse(code if is_script else code.strip(), mode="exec" if is_script else "eval")
    return frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
