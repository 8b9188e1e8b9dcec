"""The data rule: what a process instance may hold in its data, wherever the data comes from.

Task data is stored as JSON (PostgreSQL ``json``/SQLite text), so a value is storable when JSON keeps it exactly:

- ``None``, ``bool``, ``int`` within ±(2**63 − 1) (what PostgreSQL and most JSON readers keep exactly), a finite
  ``float`` (PostgreSQL's JSON refuses NaN and infinity), ``str`` that UTF-8 can carry and without NUL (a lone
  surrogate ``"\\ud800"`` makes every page showing it fail; PostgreSQL cannot turn ``\\u0000`` into text);
- ``list`` and ``dict`` with ``str`` keys (JSON would turn ``{1: "甲"}`` into ``{"1": "甲"}`` and a gateway
  comparing ``names[1]`` would then take the wrong branch), nested at most :data:`MAX_DEPTH` deep;
- at most :data:`MAX_DATA_BYTES` in all, counted as UTF-8 JSON text while walking, so the walk stops at the first
  byte over the limit; a list or dict whose length alone passes the limit (every item costs at least 2 bytes, every
  entry 5) is refused before it is walked, so ``[[0] * 10**6] * 10**6`` is refused at once, not after a million
  steps that a slow machine's deadline would cut first.

``date`` and ``datetime`` values become their ISO 8601 text (``date(2017, 6, 30)`` → ``"2017-06-30"``), as the
forms and the API already give dates: the same rule for data a script makes, data a start gives and data a task's
completion submits. Everything else (tuples, sets, bytes, ``range``, complex numbers, functions …) is refused with
:class:`~engine.errors.DataNotStorable`, naming the variable and where in it the value sits.

Used by ``engine.isolation``'s children (before a script's result leaves them), by the host on what comes back,
and by ``BpmnEngine.start_instance``/``complete_task``. Imports nothing but ``errors``: the children stay small.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from .errors import DataNotStorable

MAX_DATA_BYTES = 2_000_000
MAX_DEPTH = 100
MAX_INT = 2 ** 63 - 1

_REFUSED = {
    tuple: "是元组，不能保存：请改用列表",
    set: "是集合，不能保存：请改用列表",
    frozenset: "是集合，不能保存：请改用列表",
    bytes: "是字节串，不能保存：请改用文字",
    bytearray: "是字节串，不能保存：请改用文字",
    range: "是 range，不能保存：请改用 list(range(…))",
    complex: "是复数，不能保存",
}


def _shown(key: Any) -> str:
    """A key as the message shows it: short, and never the repr of a huge number."""
    if type(key) is int and key.bit_length() > 64:
        return "（很大的整数）"
    try:
        text = repr(key)
    except ValueError:
        text = "（无法显示）"
    return text if len(text) <= 40 else text[:37] + "…"


class _Walk:
    """One check of one variable's value, carrying the variable's name and the byte budget left."""

    def __init__(self, variable: str, budget: int, element: str | None):
        self.variable, self.budget, self.element = variable, budget, element

    def refuse(self, path: tuple | None, problem: str) -> DataNotStorable:
        keys = []
        while path is not None:
            path, key = path
            keys.append(f"[{_shown(key)}]")
        keys.reverse()
        if len(keys) > 6:  # a list nested 5,000 deep: the message names where it starts and where it stops
            keys = keys[:3] + [f"…（共 {len(keys)} 层）…"] + keys[-2:]
        where = f"变量 {self.variable}" + (f" 中的 {''.join(keys)}" if keys else "")
        return DataNotStorable(f"{where} {problem}", variable=self.variable, element=self.element)

    def spend(self, count: int, path: tuple | None) -> None:
        self.require(count, path)
        self.budget -= count

    def require(self, count: int, path: tuple | None) -> None:
        """Refuse the value if ``count`` more bytes would pass the limit; spends nothing."""
        if count > self.budget:
            raise self.refuse(path, f"使数据过大：流程数据合计不能超过 {MAX_DATA_BYTES:,} 字节")

    def value(self, value: Any, path: tuple | None, depth: int) -> Any:
        kind = type(value)
        if kind is str:
            self.spend(2 + (len(value) if value.isascii() else self.utf8_size(value, path)), path)
            if "\x00" in value:
                raise self.refuse(path, "含有空字符（\\x00），不能保存")
            return value
        if value is None or kind is bool:
            self.spend(5, path)
            return value
        if kind is int:
            if -MAX_INT <= value <= MAX_INT:
                self.spend(2 + value.bit_length() * 3 // 10, path)  # its digits (log10 2 ≈ 0.3) and a separator
                return value
            raise self.refuse(path, f"的整数超出可保存的范围（±{MAX_INT}）")
        if kind is float:
            if math.isfinite(value):
                self.spend(24, path)
                return value
            raise self.refuse(path, "不是有限的数：NaN 和无穷大不能保存")
        if depth >= MAX_DEPTH and kind in (list, dict):
            raise self.refuse(path, f"嵌套超过 {MAX_DEPTH} 层，不能保存")
        if kind is list:
            self.spend(2, path)
            self.require(2 * len(value), path)  # every item costs at least 2: a list too long is refused unwalked
            return [self.value(item, (path, index), depth + 1) for index, item in enumerate(value)]
        if kind is dict:
            self.spend(2, path)
            self.require(5 * len(value), path)  # every entry costs at least 5 (a key's quotes and colon, a value)
            return {self.key(key, path): self.value(item, (path, key), depth + 1) for key, item in value.items()}
        if kind is datetime or kind is date:
            self.spend(34, path)
            return value.isoformat()
        raise self.refuse(path, _REFUSED.get(kind) or f"的值不能保存（{kind.__name__}）：只能保存文字、数、真假、列表和字典")

    def utf8_size(self, text: str, path: tuple | None) -> int:
        """Bytes of ``text`` in UTF-8; a lone surrogate (``"\\ud800"``) has none: no page could show it."""
        try:
            return len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise self.refuse(path, "含有无法显示的字符（单独的代理码位），不能保存") from None

    def key(self, key: Any, path: tuple | None) -> str:
        if type(key) is not str:
            raise self.refuse(path, f"的键 {_shown(key)} 不是文字：字典的键必须是文字")
        self.spend(3 + self.utf8_size(key, path), path)
        if "\x00" in key:
            raise self.refuse(path, "的键含有空字符（\\x00），不能保存")
        return key


def storable(data: dict[str, Any], *, element: str | None = None, budget: int = MAX_DATA_BYTES) -> dict[str, Any]:
    """``data`` as it will be stored: a new dict, dates as ISO text; DataNotStorable naming the first bad value.

    ``element`` is the BPMN element id the data comes from (a script, a task's form), carried by the error."""
    stored = {}
    for name, value in data.items():
        walk = _Walk(str(name).encode("utf-8", "replace").decode("utf-8"), budget, element)
        if type(name) is not str:
            raise DataNotStorable(f"变量名 {name!r} 不是文字", variable=str(name), element=element)
        walk.spend(3 + walk.utf8_size(name, None), None)
        stored[name] = walk.value(value, None, 0)
        budget = walk.budget
    return stored
