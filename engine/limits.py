"""Bounds on what a diagram's code may spend: time, loop lengths, the size of numbers, strings and lists.

RestrictedPython keeps code away from what it must not reach; it does not stop code that runs too long or
builds something too large. The limits here close that gap:

- time: a trace function stops the code once its deadline has passed (it sees every line and call of the
  diagram's own code, so ``while True: pass`` and runaway recursion both stop with a clear message). It cannot
  stop one long C-level call: the hard bounds on time and memory are the child process's (``engine.isolation``);
  these run inside the child, first;
- one C-level operation cannot run long or allocate much: ``**``, ``*``, ``<<`` and ``%`` formatting go through
  :func:`arithmetic`, consuming builtins (``list``, ``sum``, ``sorted`` …) take their input through a bounded
  iterator, and string methods that pad or expand check the size of what they would make.
"""
from __future__ import annotations

import math
import operator
import re
import sys
import time
from contextlib import contextmanager

from .errors import ScriptError

MAX_SECONDS = 2.0
MAX_ITERATION = 1_000_000
MAX_ITEMS = 1_000_000        # elements of a list, tuple or string one operation may make
MAX_INT_BITS = 100_000       # about 30,000 decimal digits
MAX_FORMAT_WIDTH = 10_000
SANDBOX_FILES = ("<script>", "<expression>")

_OPERATORS = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "//": operator.floordiv,
    "%": operator.mod, "**": operator.pow, "<<": operator.lshift, ">>": operator.rshift, "&": operator.and_,
    "|": operator.or_, "^": operator.xor, "@": operator.matmul,
}
_WIDTH = re.compile(r"\d+")


def _too_big(what: str):
    return ScriptError(f"{what}超出沙箱限制，已中止")


def _int_bits(value) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _check_arithmetic(op: str, left, right) -> None:
    if op == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
        if right * math.log2(abs(left)) > MAX_INT_BITS:
            raise _too_big("乘方结果")
    elif op == "<<" and isinstance(left, int) and isinstance(right, int):
        if right + _int_bits(left) > MAX_INT_BITS:
            raise _too_big("移位结果")
    elif op == "*":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(count, int) and hasattr(sequence, "__len__") and not isinstance(sequence, int):
                if len(sequence) * count > MAX_ITEMS:
                    raise _too_big("重复生成的序列")
        if isinstance(left, int) and isinstance(right, int) and _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
            raise _too_big("乘积")
    elif op == "%" and isinstance(left, (str, bytes)):
        text = left if isinstance(left, str) else left.decode("latin-1")
        if any(int(width) > MAX_FORMAT_WIDTH for width in _WIDTH.findall(text)):
            raise _too_big("格式宽度")


def arithmetic(op: str, left, right):
    """``left op right`` after checking that one operation cannot make something huge."""
    _check_arithmetic(op, left, right)
    return _OPERATORS[op](left, right)


def inplace(op: str, target, value):
    """RestrictedPython's ``_inplacevar_``: ``x += y`` and friends, with the same checks."""
    return arithmetic(op[:-1], target, value)


def bounded_iter(iterable):
    for count, item in enumerate(iterable):
        if count >= MAX_ITERATION:
            raise ScriptError(f"循环超过 {MAX_ITERATION} 次，已中止")
        yield item


def _consuming(function):
    def bounded(iterable=(), *args, **kwargs):
        return function(bounded_iter(iterable), *args, **kwargs)

    bounded.__name__ = function.__name__
    return bounded


def _bounded_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_ITERATION:
        raise _too_big("range 的长度")
    return numbers


def _bounded_dict(*args, **kwargs):
    if args and not hasattr(args[0], "keys"):
        return dict(bounded_iter(args[0]), **kwargs)
    return dict(*args, **kwargs)


BOUNDED_BUILTINS = {
    name: _consuming(function) for name, function in {
        "list": list, "tuple": tuple, "set": set, "frozenset": frozenset, "sorted": sorted, "sum": sum,
        "any": any, "all": all,
    }.items()
} | {"range": _bounded_range, "dict": _bounded_dict}


def _bounded_min_max(function):
    def bounded(*args, **kwargs):
        if len(args) == 1:
            return function(bounded_iter(args[0]), **kwargs)
        return function(*args, **kwargs)

    return bounded


BOUNDED_BUILTINS |= {"min": _bounded_min_max(min), "max": _bounded_min_max(max)}

_PADDING = {"ljust", "rjust", "center", "zfill", "expandtabs"}


def _checked_string_method(text, name: str, method):
    def padded(width=8, *args):
        if isinstance(width, int) and width > MAX_FORMAT_WIDTH:
            raise _too_big("字符串宽度")
        return method(width, *args)

    def replaced(old, new, count=-1):
        occurrences = text.count(old) if count < 0 else min(count, text.count(old))
        if len(old) == 0:
            occurrences = len(text) + 1
        if len(text) + occurrences * max(0, len(new) - len(old)) > MAX_ITEMS:
            raise _too_big("替换结果")
        return method(old, new, count)

    def joined(iterable):
        return method(list(bounded_iter(iterable)))

    return {"replace": replaced, "join": joined}.get(name, padded)


def guard_string_method(obj, name: str, attribute):
    """String and bytes methods that can expand their input are checked before they run."""
    if isinstance(obj, (str, bytes)) and (name in _PADDING or name in ("replace", "join")):
        return _checked_string_method(obj, name, attribute)
    return attribute


@contextmanager
def time_limit(seconds: float | None = None):
    """Stop the diagram's own code (frames compiled from a diagram) once ``seconds`` have passed."""
    seconds = MAX_SECONDS if seconds is None else seconds
    deadline = time.monotonic() + seconds

    def check(frame, event, arg):
        if time.monotonic() > deadline:
            raise ScriptError(f"脚本运行超过 {seconds:g} 秒，已中止")
        return check

    def on_call(frame, event, arg):
        if frame.f_code.co_filename in SANDBOX_FILES:
            return check(frame, event, arg)
        return None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        yield
    except MemoryError as error:
        raise ScriptError("代码用尽了允许的内存，已中止") from error
    except RecursionError as error:
        raise ScriptError("代码的递归过深（RecursionError），已中止") from error
    finally:
        sys.settrace(previous)
