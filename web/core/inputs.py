"""Input no view can use is refused before any view runs: ids beyond the database's integers, text with NUL
characters or unpaired surrogates (PostgreSQL cannot store either). Each refusal names the field."""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

DB_INT_MAX = 2**31 - 1  # PostgreSQL's integer


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` that matches only ids the database can hold; a larger number is simply not found (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=DB_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_int(text: str) -> int:
    """``request.args.get(name, type=db_int)``: a number the database can compare, else the default."""
    value = int(text)
    if not -DB_INT_MAX <= value <= DB_INT_MAX:
        raise ValueError(f"{value} is out of range")
    return value


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_text_in(value, path: str = "") -> str | None:
    """The name of the first field (``a.b[2]``) holding text that cannot be stored, or None.

    Walked with a stack, not recursion: a body nested ten thousand deep must not crash the check."""
    stack = [(path, value)]
    while stack:
        name, item = stack.pop()
        if isinstance(item, str):
            if _unstorable(item):
                return name or "内容"
        elif isinstance(item, dict):
            for key, child in item.items():
                key = "" if key is None else str(key)
                child_name = f"{name}.{key}" if name else key
                if _unstorable(key):
                    return name or "字段名"
                stack.append((child_name, child))
        elif isinstance(item, list):
            stack.extend((f"{name}[{index}]", child) for index, child in enumerate(item))
    return None


def _json_body():
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400, description="请求的 JSON 嵌套过深")


def refuse_unstorable_text():
    fields = {**request.args.to_dict(), **request.form.to_dict()}
    field = _bad_text_in(fields)
    if field is None and request.is_json:
        field = _bad_text_in(_json_body())
    if field is not None:
        abort(400, description=f"“{field}”含有无法保存的字符（空字符或无效的 Unicode）")


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIntConverter
    app.before_request(refuse_unstorable_text)
    # The 400 these refusals raise is shown by core/errors.py: a page naming the field, JSON under /api.
