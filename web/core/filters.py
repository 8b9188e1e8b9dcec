"""Template filters: dates the Chinese way (2017年6月19日), stored UTC instants in the app's timezone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from workflows.records.history import person as person_name
from workflows.records.labels import label


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


def event_kind(kind: str) -> str:
    """A history event's kind as its label (workflows/records/labels.py); an unknown kind raises MissingLabel."""
    return label("history_kind", kind)


def person(people: dict[str, str], username: str | None) -> str:
    """``people|person(login)``: the unit and person of a login name (``people`` from person_names)."""
    return person_name(people, username)


def label_of(value: str, vocabulary: str) -> str:
    """``code|label_of('report_status')``: a stored code as its word; raises MissingLabel for an unknown code."""
    return label(vocabulary, value)


def register(app: Flask) -> None:
    for function in (cn_date, cn_datetime, event_kind, person, label_of):
        app.add_template_filter(function)
