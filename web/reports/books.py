"""The year-end book as a file kept by year and data version (issue 18 §2): ``book_path`` names the file of the
data as it stands, ``make_book`` lays it out (parts from the part cache where their HTML did not change), stamps
its provenance, signs it and keeps it.

The data version is the newest history event (engine/chain.py): every step of a report, a task or a project's
instance writes an event, so a new event is how the report's inputs change. The file's key is a SHA-256 over that
event's id and chain hash, the year, the day the figures are as of, the database, the signing certificate and this code and
its templates (a new release makes new files). Files stay until deleted (`var/reports/`); nothing prunes them.
"""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from datetime import date
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from engine import HistoryEvent
from engine.chain import history_head
from workflows.reports.overdue_items import OverdueItem, overdue_items
from workflows.reports.provenance import stamp_for
from workflows.reports.year_report import YearSummary, find_plan, year_summary

from . import year_book
from ..core.config import VAR
from ..core.db import get_process_engine, get_session
from .part_cache import PartCache, Progress, write_atomically
from .signing import signed

HERE = Path(__file__).resolve().parent


class NoPlan(LookupError):
    """There is no plan of that year."""


def cache_directory(app: Flask) -> Path:
    """``REPORT_CACHE_DIR`` (config or environment); by default var/reports, or a new temporary folder for an app
    under test (whose databases start again at event 1)."""
    configured = app.config.get("REPORT_CACHE_DIR") or os.environ.get("REPORT_CACHE_DIR")
    if not configured:
        configured = tempfile.mkdtemp(prefix="putuo-reports-") if app.testing else VAR / "reports"
        app.config["REPORT_CACHE_DIR"] = configured
    return Path(configured)


@functools.cache
def _code_fingerprint() -> str:
    """SHA-256 over the files that lay the book out: this package's code and templates, the figures' code."""
    digest = hashlib.sha256()
    for folder in (HERE, HERE.parents[1] / "workflows" / "reports", HERE.parent / "templates" / "reports"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".py", ".html"):
                digest.update(path.read_bytes())
    return digest.hexdigest()


def newest_event(up_to: int | None = None) -> tuple[int, str]:
    """The id and chain hash of the newest history event (with id ≤ ``up_to``); (0, "") when there is none."""
    query = select(HistoryEvent.id, HistoryEvent.chain_hash).order_by(HistoryEvent.id.desc()).limit(1)
    if up_to is not None:
        query = query.where(HistoryEvent.id <= up_to)
    row = get_session().execute(query).first()
    return (row.id, row.chain_hash or "") if row else (0, "")


def book_path(year: int, event: tuple[int, str], as_of: date) -> Path:
    """Where the book of ``year`` made from the data as of ``event`` (newest_event: an id and its hash, which
    tells a new database from an old one with as many events) on ``as_of`` is kept."""
    config = current_app.config
    inputs = [year, *event, as_of.isoformat(), config["DATABASE_URL"], _code_fingerprint(),
              config.get("PDF_SIGNING_CERT") or os.environ.get("PDF_SIGNING_CERT") or ""]
    key = hashlib.sha256("|".join(map(str, inputs)).encode()).hexdigest()[:32]
    return cache_directory(current_app) / "books" / f"{year}-{key}.pdf"


def current_book_path(year: int) -> Path:
    """The file of ``year``'s book as the data stands now (it may not exist yet). Raises NoPlan."""
    session = get_session()
    if find_plan(session, year) is None:
        raise NoPlan(year)
    return book_path(year, newest_event(), get_process_engine().clock.today())


def year_figures(year: int) -> tuple[YearSummary, list[OverdueItem]]:
    """The year's figures as of today (or the year's end) and its overdue items. Raises NoPlan."""
    session, clock = get_session(), get_process_engine().clock
    plan = find_plan(session, year)
    if plan is None:
        raise NoPlan(year)
    summary = year_summary(session, plan, clock.today(), clock.local_tz)
    return summary, overdue_items(session, plan, summary.projects, summary.as_of)


def make_book(year: int, progress: Progress | None = None) -> tuple[Path, PartCache]:
    """Lay out, stamp, sign and keep ``year``'s book as the data stands; its file and the part cache (which
    counts the parts laid out and reused). Raises NoPlan."""
    version = history_head(get_session())  # before the figures: see provenance.stamp_for
    today = get_process_engine().clock.today()
    summary, overdue = year_figures(year)
    stamp = stamp_for(get_session(), summary, overdue, version)
    cache = PartCache(cache_directory(current_app) / "parts")
    pdf = year_book.year_pdf(summary, overdue, workers=current_app.config["PDF_WORKERS"], stamp=stamp,
                             cache=cache, progress=progress)
    path = book_path(year, newest_event(version.event_id), today)
    write_atomically(path, signed(pdf))
    return path, cache
