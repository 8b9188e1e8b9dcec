"""What an instance's history says to a person: one line of text per event, with unit names and Chinese dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent

from ..directory.models import Unit

PROJECT_FIELDS = (("lead_units", "牵头单位"), ("responsible_units", "责任单位"), ("due_on", "完成日期"))


@dataclass
class HistoryLine:
    event: HistoryEvent
    text: str


def chinese_date(value: str | None) -> str:
    if not value:
        return "无"
    day = date.fromisoformat(value[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def _listed(value, names: dict[str, str]) -> str:
    if isinstance(value, list):
        return "、".join(names.get(code, code) for code in value) or "无"
    return chinese_date(value) if value else "无"


def _with_reason(text: str, reason: str | None) -> str:
    return f"{text}；理由：{reason}" if reason else text


def describe(event: HistoryEvent, names: dict[str, str]) -> str:
    data = event.data or {}
    if event.kind == "task_completed":
        return "；".join(v for v in (data.get("data") or {}).values() if isinstance(v, str) and v)
    if event.kind == "task_reassigned":
        moved = f"由{names.get(data.get('from'), data.get('from') or '未分派')}改派至{names.get(data['to'], data['to'])}"
        return _with_reason(moved, data.get("reason"))
    if event.kind == "task_due_changed":
        return _with_reason(f"期限由{chinese_date(data.get('from'))}调整为{chinese_date(data.get('to'))}", data.get("reason"))
    if event.kind == "project_edited":
        before, after = data.get("before", {}), data.get("after", {})
        return "；".join(f"{label}：{_listed(before.get(key), names)} → {_listed(after.get(key), names)}"
                        for key, label in PROJECT_FIELDS if before.get(key) != after.get(key))
    if event.kind in ("error", "incident"):
        return data.get("message", "")
    if event.kind == "error_thrown":
        outcome = "已由边界事件捕获" if data.get("caught") else "没有边界事件捕获，按普通结束处理"
        return f"错误 {data.get('error_name') or data.get('code')}（{data.get('code')}）：{outcome}"
    if event.kind == "cancelled":
        return data.get("reason", "")
    return ""


def timeline(session: Session, engine: BpmnEngine, instance_id: int) -> list[HistoryLine]:
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    return [HistoryLine(event, describe(event, names)) for event in engine.history(instance_id)]
