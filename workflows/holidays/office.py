"""What the office does with the calendar: read a year, set or clear a day, mark a year complete, import the
State Council's yearly notice from a file.

The notice file is UTF-8 text, one day a line: ``date,休|班,name`` (``2027-01-01,休,元旦``,
``2027-02-20,班,春节调休``); blank lines and lines starting with ``#`` are skipped; commas may be full-width.
Every change writes a new revision token (book.py), so every process reloads the calendar.
"""
from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import book
from .models import CalendarDay, CalendarRevision, CalendarYear

KINDS = {"休": False, "班": True}
NAME_LENGTH = 50
SOURCE_LENGTH = 200  # CalendarYear.source
MAX_ERRORS_SHOWN = 20  # a file of a hundred thousand bad lines is answered with the first few and the count
YEARS = range(2000, 2101)


class CalendarInvalid(Exception):
    """Input the calendar does not take; ``errors`` are the messages, one per field or line, in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Entry:
    """One day of a notice or of the page's form."""
    day: date
    is_workday: bool
    name: str


@dataclass(frozen=True)
class YearRow:
    """A year on the calendar page: its source, whether complete, how many days off and 调休 workdays."""
    year: int
    source: str
    complete: bool
    days_off: int
    workdays: int


@dataclass(frozen=True)
class DayRow:
    """A day off or 调休 workday on a year's page; ``by_office`` when the office set it (it can be cleared)."""
    day: date
    is_workday: bool
    name: str
    by_office: bool


def parse_day(text: str, where: str = "") -> date:
    """A calendar date from ``YYYY-MM-DD`` text, in YEARS; CalendarInvalid naming ``where`` otherwise."""
    text = text.strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise CalendarInvalid([f"{where}日期“{text}”不是 YYYY-MM-DD 格式的日期"])
    if day.year not in YEARS:
        raise CalendarInvalid([f"{where}日期“{text}”的年份不在 {YEARS.start}–{YEARS.stop - 1} 之间"])
    return day


def parse_entry(day_text: str, kind_text: str, name: str, where: str = "") -> Entry:
    """One day from text (the form's fields or a file's line); CalendarInvalid naming ``where`` and the field."""
    errors, day = [], None
    try:
        day = parse_day(day_text, where)
    except CalendarInvalid as error:
        errors.extend(error.errors)
    if kind_text.strip() not in KINDS:
        errors.append(f"{where}类型“{kind_text.strip()}”应为“休”（放假）或“班”（调休上班）")
    name = name.strip()
    if not name or len(name) > NAME_LENGTH:
        errors.append(f"{where}名称应为 1–{NAME_LENGTH} 个字（如“元旦”“春节调休”）")
    elif any(unicodedata.category(character).startswith("C") for character in name):
        errors.append(f"{where}名称含有控制字符或不可见的格式字符，请只写文字")
    if errors:
        raise CalendarInvalid(errors)
    return Entry(day, KINDS[kind_text.strip()], name)


def parse_notice(text: str) -> list[Entry]:
    """Every day of a notice file (format in the module's docstring); CalendarInvalid lists each bad line."""
    entries, errors, seen = [], [], {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = line.replace("，", ",").split(",")
        if len(parts) != 3:
            errors.append(f"第 {number} 行“{line[:60]}”应为“日期,休或班,名称”三项")
            continue
        try:
            entry = parse_entry(*parts, where=f"第 {number} 行：")
        except CalendarInvalid as error:
            errors.extend(error.errors)
            continue
        if entry.day in seen:
            errors.append(f"第 {number} 行：日期 {entry.day.isoformat()} 已在第 {seen[entry.day]} 行出现")
            continue
        seen[entry.day] = number
        entries.append(entry)
    if not entries and not errors:
        errors.append("文件中没有任何日期行")
    if len(errors) > MAX_ERRORS_SHOWN:
        errors = errors[:MAX_ERRORS_SHOWN] + [f"……共 {len(errors):,} 处错误，以上是前 {MAX_ERRORS_SHOWN} 处"]
    if errors:
        raise CalendarInvalid(errors)
    return entries


def import_notice(session: Session, entries: list[Entry], source: str, actor: str, now: datetime, *,
                  complete: bool = True) -> list[int]:
    """Replace the office's days of every year in ``entries`` by them; the years are marked complete unless
    ``complete`` is False (a draft before the notice is out). Returns the years, in order. Flushes, no commit.
    ``source`` (it names the uploaded file, whatever the browser sent) is kept without control characters and
    cut to the column's SOURCE_LENGTH."""
    source = "".join(c for c in source if not unicodedata.category(c).startswith("C"))[:SOURCE_LENGTH]
    years = sorted({entry.day.year for entry in entries})
    for year in years:
        session.execute(delete(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    session.add_all(CalendarDay(day=entry.day, is_workday=entry.is_workday, name=entry.name, updated_by=actor,
                                updated_at=now) for entry in entries)
    for year in years:
        _touch_year(session, year, actor, now, source=source, complete=complete)
    _new_revision(session)
    return years


def set_day(session: Session, entry: Entry, actor: str, now: datetime) -> None:
    """Set one day (a day off or a make-up workday), replacing what the office had for it. Flushes."""
    row = session.get(CalendarDay, entry.day) or CalendarDay(day=entry.day)
    row.is_workday, row.name, row.updated_by, row.updated_at = entry.is_workday, entry.name, actor, now
    session.add(row)
    _touch_year(session, entry.day.year, actor, now)
    _new_revision(session)


def clear_day(session: Session, day: date, actor: str, now: datetime) -> None:
    """Drop the office's entry for ``day``: it is again what the package's tables (or Monday–Friday) say."""
    row = session.get(CalendarDay, day)
    if row is None:
        raise CalendarInvalid([f"{day.isoformat()} 没有办公室录入的安排"])
    session.delete(row)
    _touch_year(session, day.year, actor, now)
    _new_revision(session)


def mark_year(session: Session, year: int, complete: bool, actor: str, now: datetime) -> None:
    """Say that the year's days are all entered (its dates are no longer guessed), or take that back."""
    if year not in YEARS:
        raise CalendarInvalid([f"年份 {year} 不在 {YEARS.start}–{YEARS.stop - 1} 之间"])
    if year in book.LIBRARY_YEARS:
        raise CalendarInvalid([f"{year} 年是内置数据（国务院历年通知），已完整，无需标记"])
    _touch_year(session, year, actor, now, complete=complete)
    _new_revision(session)


def years(session: Session) -> list[YearRow]:
    """Every year the calendar has days for, newest first, with the office's years above the package's."""
    office = {row.year: row for row in session.scalars(select(CalendarYear))}
    rows = []
    for year in sorted(set(book.LIBRARY_YEARS) | set(office), reverse=True):
        days = year_days(session, year)
        off, on = sum(not d.is_workday for d in days), sum(d.is_workday for d in days)
        if year in office:
            source = office[year].source + ("（在内置数据上修改）" if year in book.LIBRARY_YEARS else "")
            complete = office[year].complete or year in book.LIBRARY_YEARS
        else:
            source, complete = book.LIBRARY_SOURCE, True
        rows.append(YearRow(year, source, complete, off, on))
    return rows


def year_days(session: Session, year: int) -> list[DayRow]:
    """The year's days off and 调休 workdays: the package's, with the office's entries over them."""
    found = {day: DayRow(day, kind.is_workday, kind.name, False) for day, kind in book.library_days(year).items()}
    rows = session.scalars(select(CalendarDay).where(CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))))
    found.update({row.day: DayRow(row.day, row.is_workday, row.name, True) for row in rows})
    return [found[day] for day in sorted(found)]


def year_known(session: Session, year: int) -> bool:
    """Whether the year is complete in the calendar (fresh from the database, for pages and banners)."""
    return book.refresh(session).knows(year)


def _touch_year(session: Session, year: int, actor: str, now: datetime, *, source: str | None = None,
                complete: bool | None = None) -> None:
    row = session.get(CalendarYear, year) or CalendarYear(year=year, source="办公室在页面录入", complete=False)
    if source is not None:
        row.source = source
    if complete is not None:
        row.complete = complete
    row.updated_by, row.updated_at = actor, now
    session.add(row)


def _new_revision(session: Session) -> None:
    row = session.get(CalendarRevision, 1) or CalendarRevision(id=1)
    row.token = uuid.uuid4().hex
    session.add(row)
    session.flush()
    book.expire()
