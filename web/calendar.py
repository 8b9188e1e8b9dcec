"""The working-day calendar page for the office (/admin/calendar): the years it knows, each year's days off and
调休 workdays, setting or clearing a day, importing the State Council's notice file; and the banner every office
page shows while the clock's year or the next is not in the calendar."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import Clock
from workflows.holidays import book, office

from .core.db import get_session
from .shared.guards import role_guard

bp = Blueprint("calendar", __name__, url_prefix="/admin/calendar")
MANAGERS = ("office", "admin")
DAY_FIELDS = ("day", "kind", "name")
# The office and the administrator keep the calendar; everyone else is refused.
role_guard(bp, MANAGERS, "工作日历只有区推进办和系统管理员可以维护", "calendar/refused.html")


@bp.app_context_processor
def calendar_banner():
    """``calendar_missing_years()`` for base.html: the clock's year and the next, those the calendar lacks."""

    def missing_years() -> list[int]:
        session = get_session()
        today = Clock(session, ZoneInfo(current_app.config["TIMEZONE"])).today()
        calendar = book.refresh(session)  # fresh, as office.year_known reads it, but one read for both years
        return [year for year in (today.year, today.year + 1) if not calendar.knows(year)]

    return {"calendar_missing_years": missing_years}


@bp.get("")
def index():
    return _render_index()


@bp.get("/<int:year>")
def year(year: int):
    if year not in office.YEARS:
        return render_template("calendar/refused.html", message=f"工作日历没有 {year} 年"), 404
    return _render_year(year)


@bp.post("/days")
def set_day():
    form = {name: request.form.get(name, "") for name in DAY_FIELDS}
    try:
        entry = office.parse_entry(form["day"], form["kind"], form["name"])
    except office.CalendarInvalid as error:
        return _render_index(form=form, errors=error.errors, status=422)
    office.set_day(get_session(), entry, current_user.username, datetime.utcnow())
    get_session().commit()
    flash(f"已将 {entry.day.isoformat()} 设为{'调休上班日' if entry.is_workday else '放假日'}（{entry.name}）")
    return redirect(url_for("calendar.year", year=entry.day.year))


@bp.post("/days/clear")
def clear_day():
    text = request.form.get("day", "")
    try:
        day = office.parse_day(text)
    except office.CalendarInvalid as error:
        return render_template("calendar/refused.html", message=error.errors[0]), 422
    try:
        office.clear_day(get_session(), day, current_user.username, datetime.utcnow())
    except office.CalendarInvalid as error:
        get_session().rollback()
        return render_template("calendar/refused.html", message=error.errors[0]), 404
    get_session().commit()
    flash(f"已删除办公室对 {day.isoformat()} 的录入，该日恢复为内置数据或周一至周五的规则")
    return redirect(url_for("calendar.year", year=day.year))


@bp.post("/<int:year>/complete")
def mark_year(year: int):
    choice = request.form.get("complete", "")
    try:
        if choice not in ("0", "1"):
            raise office.CalendarInvalid(["请选择标为完整录入或未完整录入"])
        office.mark_year(get_session(), year, choice == "1", current_user.username, datetime.utcnow())
    except office.CalendarInvalid as error:
        get_session().rollback()
        return render_template("calendar/refused.html", message=error.errors[0]), 422
    get_session().commit()
    flash(f"{year} 年已标为{'完整录入' if choice == '1' else '未完整录入（未录入的日期按周一至周五推算）'}")
    return redirect(url_for("calendar.year", year=year))


@bp.post("/import")
def import_notice():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_index(import_errors=["请选择放假通知文件"], status=422)
    try:
        entries = office.parse_notice(upload.read().decode("utf-8"))
    except UnicodeDecodeError:
        return _render_index(import_errors=[f"{upload.filename} 不是 UTF-8 编码的文本文件"], status=422)
    except office.CalendarInvalid as error:
        return _render_index(import_errors=error.errors, status=422)
    draft = request.form.get("draft") == "1"
    years = office.import_notice(get_session(), entries, f"导入文件 {upload.filename}", current_user.username,
                                 datetime.utcnow(), complete=not draft)
    get_session().commit()
    flash(f"已导入 {'、'.join(map(str, years))} 年的 {len(entries)} 个日期" + ("（草稿，未标为完整）" if draft else ""))
    return redirect(url_for("calendar.year", year=years[0]))


def _render_index(form: dict | None = None, errors: list | None = None, import_errors: list | None = None,
                  status: int = 200):
    return render_template("calendar/index.html", years=office.years(get_session()), form=form or {},
                           errors=errors or [], import_errors=import_errors or [],
                           library_last=book.LIBRARY_YEARS[-1]), status


def _render_year(year: int):
    session = get_session()
    return render_template("calendar/year.html", year=year, days=office.year_days(session, year),
                           known=office.year_known(session, year), builtin=year in book.LIBRARY_YEARS)
