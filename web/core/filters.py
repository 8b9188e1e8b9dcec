"""Template filters: dates the Chinese way (2017年6月19日), stored UTC instants in the app's timezone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app


def cn_date(value: date | datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """A naive UTC instant as stored → local date and time."""
    if value is None:
        return ""
    local = value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return f"{cn_date(local)} {local:%H:%M}"


HISTORY_KINDS = {"started": "流程启动", "task_completed": "办理", "timer_fired": "定时触发", "completed": "流程结束",
                 "cancelled": "流程撤销", "error": "流程出错", "project_edited": "修改项目信息",
                 "task_reassigned": "改派", "task_due_changed": "调整期限", "incident": "运行故障",
                 "retried": "故障后重试", "error_thrown": "流程抛出错误", "migrated": "迁移到新版本"}


def event_kind(kind: str) -> str:
    return HISTORY_KINDS.get(kind, kind)


def register(app: Flask) -> None:
    for function in (cn_date, cn_datetime, event_kind):
        app.add_template_filter(function)
