"""Template filters: dates the Chinese way (2017年6月19日), stored UTC instants in the app's timezone."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app

from workflows.records.history import person as person_name, person_names
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


class People(Mapping):
    """Login name → “unit person” for every account (person_names), read from the database the first time a
    template asks, once per request; pages that name nobody cost no query."""

    def __init__(self, load: Callable[[], dict[str, str]]):
        self._load, self._names = load, None

    def _all(self) -> dict[str, str]:
        if self._names is None:
            self._names = self._load()
        return self._names

    def __getitem__(self, username: str) -> str:
        return self._all()[username]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _people() -> dict[str, People]:
    """``people`` in every template, for ``people|person(login)``; a view that passes its own ``people`` wins."""
    from .db import get_session

    return {"people": People(lambda: person_names(get_session()))}


def register(app: Flask) -> None:
    for function in (cn_date, cn_datetime, event_kind, person, label_of):
        app.add_template_filter(function)
    app.context_processor(_people)
