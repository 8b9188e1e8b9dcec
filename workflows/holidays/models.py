"""The office's calendar tables: its days, its years, and a revision token that changes with every edit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class CalendarDay(Base):
    """One day the office has set: a day off (``is_workday`` False, e.g. 元旦) or a make-up workday (调休)."""
    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(50))
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarYear(Base):
    """A year the office has entered: where its days came from and whether they are the whole notice."""
    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(200))
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarRevision(Base):
    """At most one row; its token changes with every change to the calendar, so each process's cached copy
    is checked with one small read (a random token, not a counter: two databases never share one)."""
    __tablename__ = "calendar_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
