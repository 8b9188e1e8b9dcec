"""What an instance's history says to a person: one line of text per event, with unit names, people's names,
the forms' labels instead of their codes (labels.py) and Chinese dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HistoryEvent

from ..accounts.models import User
from ..directory.models import Unit
from .labels import FIELDS, shown_value

PROJECT_FIELDS = (("lead_units", "牵头单位"), ("responsible_units", "责任单位"), ("due_on", "完成日期"))
SYSTEM_ACTORS = {"demo": "系统", "system": "系统", "worker": "系统", "cli": "系统"}


@dataclass
class HistoryLine:
    event: HistoryEvent
    text: str
    actor: str = ""  # the unit and the person (民政局 王立群), never a login name


def chinese_date(value: str | None) -> str:
    if not value:
        return "无"
    day = date.fromisoformat(value[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def unit_names(session: Session) -> dict[str, str]:
    """Unit code → name, for every unit and group."""
    return dict(session.execute(select(Unit.code, Unit.name)).all())


def person_names(session: Session) -> dict[str, str]:
    """Login name → “unit person” (民政局 王立群) for every account; the person alone when the display name
    already names the unit, and the process's own actors (demo, the worker) as 系统."""
    rows = session.execute(select(User.username, User.display_name, Unit.name).join(Unit, Unit.code == User.unit_code))
    names = dict(SYSTEM_ACTORS)
    for username, display_name, unit_name in rows:
        person = display_name or "经办人"
        names[username] = person if unit_name in person else f"{unit_name} {person}"
    return names


def person(names: dict[str, str], username: str | None) -> str:
    """A login name as a person (see person_names); an account since deleted shows as 原用户, not its code."""
    if not username:
        return ""
    return names.get(username, "原用户")


def _listed(value, names: dict[str, str]) -> str:
    if isinstance(value, list):
        return "、".join(names.get(code, code) for code in value) or "无"
    return chinese_date(value) if value else "无"


def _with_reason(text: str, reason: str | None) -> str:
    return f"{text}；理由：{reason}" if reason else text


def submitted_text(data: dict, names: dict[str, str], files: dict[int, str] | None = None) -> str:
    """A completed form as 标签：内容 parts; fields no diagram of ours has show their text values only."""
    parts = []
    for field_id, value in data.items():
        shown = shown_value(field_id, value, units=names, files=files)
        if not shown:
            continue
        if field_id in FIELDS:
            parts.append(f"{FIELDS[field_id]}：{shown}")
        elif isinstance(value, str):
            parts.append(shown)
    return "；".join(parts)


def describe(event: HistoryEvent, names: dict[str, str], files: dict[int, str] | None = None) -> str:
    data = event.data or {}
    if event.kind == "task_completed":
        return submitted_text(data.get("data") or {}, names, files)
    if event.kind == "task_reassigned":
        moved = f"由{names.get(data.get('from'), data.get('from') or '未分派')}改派至{names.get(data['to'], data['to'])}"
        return _with_reason(moved, data.get("reason"))
    if event.kind == "task_urged":
        urged = f"催办{names.get(data.get('unit'), data.get('unit') or '')}办理“{event.task_name}”"
        return f"{urged}；催办说明：{data['note']}" if data.get("note") else urged
    if event.kind == "task_due_changed":
        return _with_reason(f"期限由{chinese_date(data.get('from'))}调整为{chinese_date(data.get('to'))}", data.get("reason"))
    if event.kind == "project_edited":
        before, after = data.get("before", {}), data.get("after", {})
        return "；".join(f"{label}：{_listed(before.get(key), names)} → {_listed(after.get(key), names)}"
                        for key, label in PROJECT_FIELDS if before.get(key) != after.get(key))
    if event.kind == "migrated":
        return f"由第 {data.get('from_version')} 版升级至第 {data.get('to_version')} 版"
    if event.kind in ("error", "incident"):
        return data.get("message", "")
    if event.kind == "error_thrown":
        outcome = "已由边界事件捕获" if data.get("caught") else "没有边界事件捕获，按普通结束处理"
        return f"错误 {data.get('error_name') or data.get('code')}（{data.get('code')}）：{outcome}"
    if event.kind == "cancelled":
        return data.get("reason", "")
    if event.kind in ("message_received", "signal_received"):
        return f"“{data.get('name')}”"
    return ""


def timeline(session: Session, engine: BpmnEngine, instance_id: int,
             files: dict[int, str] | None = None) -> list[HistoryLine]:
    """The instance's events, oldest first, each with its text and its actor as a person."""
    names, people = unit_names(session), person_names(session)
    return [HistoryLine(event, describe(event, names, files), person(people, event.actor))
            for event in engine.history(instance_id)]
