"""Forms glue: a user task's form is its diagram's camunda:formData; the server checks every submission.

Types: string, long, boolean, date (YYYY-MM-DD), enum; and three of ours: ``units`` (unit names or codes →
a list of codes; a field property ``kinds`` such as ``department`` limits which units), ``action_items`` (lines of 承办单位；事项；期限 → a list of items) and ``attachments`` (ids of files uploaded to the instance, as a list or
"3,5" → a list of ids). Constraints (camunda:validation): required,
minlength, maxlength, min, max, readonly, and ``required_if`` (config ``field=value``: required when
another field has that value, e.g. a comment when the report is returned). Unknown fields are refused.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAX_TEXT = 10_000


@dataclass
class FieldSpec:
    id: str
    label: str
    type: str
    required: bool = False
    default: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    constraints: dict[str, str] = field(default_factory=dict)
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def readonly(self) -> bool:
        return "readonly" in self.constraints


class FormInvalid(Exception):
    """A submission that breaks its form; ``errors`` maps each field to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors


def field_specs(form_fields: list) -> list[FieldSpec]:
    """SpiffWorkflow's Camunda FormField objects → our field descriptions."""
    specs = []
    for f in form_fields:
        constraints = {v.name: v.config for v in f.validation}
        specs.append(FieldSpec(
            id=f.id, label=f.label or f.id, type=f.type or "string", required="required" in constraints,
            default=f.default_value or None, options=[(o.id, o.name) for o in getattr(f, "options", [])],
            constraints=constraints, properties={p.id: p.value for p in f.properties},
        ))
    return specs


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise ValueError


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "on", "1", "是"):
        return True
    if value in ("false", "off", "0", "否", ""):
        return False
    raise ValueError


def _convert(spec: FieldSpec, value: Any, resolve_unit: UnitResolver, attachment_ids: Collection[int] = ()) -> Any:
    """Raises ValueError with a message for the person filling the form."""
    if spec.type == "attachments":
        return _attachments(value, attachment_ids)
    if spec.type == "units":
        kinds = tuple(k.strip() for k in spec.properties["kinds"].split(",")) if spec.properties.get("kinds") else None
        return _split_units(value, resolve_unit, kinds)
    if spec.type == "action_items":
        return _action_items(value, resolve_unit)
    if spec.type == "long":
        try:
            return _as_int(value)
        except ValueError:
            raise ValueError("应为整数") from None
    if spec.type == "boolean":
        try:
            return _as_bool(value)
        except ValueError:
            raise ValueError("应为“是”或“否”") from None
    if spec.type == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError("应为有效日期，如 2017-06-20") from None
    if spec.type == "enum":
        allowed = [option_id for option_id, _ in spec.options]
        if value not in allowed:
            names = "、".join(name for _, name in spec.options)
            raise ValueError(f"只能选择：{names}")
        return value
    if not isinstance(value, str):
        raise ValueError("应为文本")
    return value.strip()


def _check_bounds(spec: FieldSpec, value: Any) -> str | None:
    c = spec.constraints
    if isinstance(value, str):
        limit = int(c.get("maxlength", MAX_TEXT))
        if len(value) > limit:
            return f"不能超过 {limit} 个字"
        if "minlength" in c and len(value) < int(c["minlength"]):
            return f"至少 {c['minlength']} 个字"
    if isinstance(value, int) and not isinstance(value, bool):
        if "min" in c and value < int(c["min"]):
            return f"不能小于 {c['min']}"
        if "max" in c and value > int(c["max"]):
            return f"不能大于 {c['max']}"
    return None


def _required(spec: FieldSpec, submitted: dict[str, Any]) -> bool:
    if spec.required:
        return True
    condition = spec.constraints.get("required_if")
    if condition and "=" in condition:
        other, wanted = condition.split("=", 1)
        return str(submitted.get(other.strip())) == wanted.strip()
    return False


# name or code → unit code, or None when no unit (of the kinds asked for, if any) has that name
UnitResolver = Callable[[str, "tuple[str, ...] | None"], "str | None"]


def _split_units(value: Any, resolve_unit: UnitResolver, kinds: tuple[str, ...] | None) -> list[str]:
    names = value if isinstance(value, list) else re.split(r"[、,，;；\s]+", str(value))
    codes, unknown = [], []
    for name in (str(n).strip() for n in names):
        if not name:
            continue
        code = resolve_unit(name, kinds)
        (codes if code else unknown).append(code or name)
    if unknown:
        raise ValueError(f"中有不存在或类别不符的单位：{'、'.join(unknown)}")
    if not codes:
        raise ValueError("至少要有一个单位")
    return list(dict.fromkeys(codes))


def _action_items(value: Any, resolve_unit: UnitResolver) -> list[dict]:
    """Lines of 单位；事项；期限 (or a list of {unit, task, due_on}) → action items."""
    rows = value if isinstance(value, list) else [line for line in str(value).splitlines() if line.strip()]
    items = []
    for position, row in enumerate(rows, start=1):
        if isinstance(row, dict):
            parts = [row.get("unit", ""), row.get("task", ""), row.get("due_on", "")]
        else:
            parts = [p.strip() for p in re.split(r"[;；|｜]", str(row))]
        if len(parts) != 3 or not all(str(p).strip() for p in parts):
            raise ValueError(f"第 {position} 项应写成“承办单位；事项；完成期限”")
        unit, task, due = (str(p).strip() for p in parts)
        code = resolve_unit(unit, None)
        if code is None:
            raise ValueError(f"第 {position} 项的承办单位“{unit}”不存在")
        try:
            due_on = date.fromisoformat(due).isoformat()
        except ValueError:
            raise ValueError(f"第 {position} 项的完成期限“{due}”不是有效日期（如 2017-07-31）") from None
        if len(task) > 500:
            raise ValueError(f"第 {position} 项的事项不能超过 500 个字")
        items.append({"position": position - 1, "unit": code, "task": task, "due_on": due_on})
    return items


def _attachments(value: Any, attachment_ids: Collection[int]) -> list[int]:
    """Ids of files uploaded to this instance (a list, or text such as "3,5")."""
    items = value if isinstance(value, list) else re.split(r"[,，\s]+", str(value))
    chosen = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        if not item.isdigit() or int(item) not in attachment_ids:
            raise ValueError(f"中的附件 {item} 不存在或不属于本流程，请先上传")
        chosen.append(int(item))
    return list(dict.fromkeys(chosen))


def validate(specs: list[FieldSpec], submitted: dict[str, Any],
             resolve_unit: UnitResolver = lambda name, kinds: None,
             attachment_ids: Collection[int] = ()) -> dict[str, Any]:
    """The cleaned, typed data; raises FormInvalid with a message per field.

    ``attachment_ids``: the files of the instance an ``attachments`` field may name."""
    if not isinstance(submitted, dict):
        raise FormInvalid({"_form": "提交的数据应为对象（字段名 → 值）"})
    known = {spec.id: spec for spec in specs}
    errors = {name: "表单中没有这个字段" for name in submitted if name not in known}
    clean: dict[str, Any] = {}
    for spec in specs:
        value = submitted.get(spec.id)
        if spec.readonly:
            continue
        if value is None or value == "":
            if _required(spec, submitted):
                errors[spec.id] = f"请填写“{spec.label}”"
            continue
        try:
            clean[spec.id] = _convert(spec, value, resolve_unit, attachment_ids)
        except ValueError as problem:
            errors[spec.id] = f"“{spec.label}”{problem}"
            continue
        bound = _check_bounds(spec, clean[spec.id])
        if bound:
            errors[spec.id] = f"“{spec.label}”{bound}"
    if errors:
        raise FormInvalid(errors)
    return clean
