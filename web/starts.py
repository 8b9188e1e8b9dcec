"""The start pages: a street raises a 条块约请, the office calls a meeting, the supervision section opens a check,
a department applies for 社区事务准入."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from workflows.accounts.actor import NotAllowed
from workflows.cases import opening as cases
from workflows.directory.models import Unit
from workflows.forms import FormInvalid
from workflows.plan.models import Plan, Project

from .core.db import get_process_engine, get_session

bp = Blueprint("starts", __name__)
MEETING_KINDS = ("department", "street", "town", "mass_organisation", "other")


@dataclass(frozen=True)
class StartPage:
    name: str
    title: str
    who: str  # who may start it, as the refusal tells the user
    may_start: Callable[[str, str], bool]  # (unit kind, role) -> allowed
    fields: tuple[str, ...]  # the form's fields; messages for any other key are shown above the form


PAGES = {page.name: page for page in (
    StartPage("consultation", "发起条块约请", "街道、镇", lambda kind, role: kind in cases.STREET_KINDS,
              ("description", "place", "project", "wished_reply_on", "invited_departments")),
    StartPage("meeting", "通知召开定期例会", "区推进办", lambda kind, role: role in ("office", "admin"),
              ("meeting_date", "topics", "invited_units")),
    StartPage("check", "发起跟踪督查", "督查科", lambda kind, role: role in ("supervisor", "admin"),
              ("project", "subject", "requirements", "answer_due")),
    StartPage("access", "申请社区事务准入", "区职能部门", lambda kind, role: kind == "department",
              ("affair", "legal_basis", "on_responsibility_list", "funding", "staffing")),
)}


@bp.before_request
@login_required
def require_login():
    """Every start page is for signed-in users only."""


@bp.errorhandler(NotAllowed)
def not_allowed(error: NotAllowed):
    return render_template("starts/refused.html", message=str(error)), 403


def may_start(page: StartPage) -> bool:
    unit = get_session().get(Unit, current_user.unit_code)
    # Auditors change nothing, whatever kind of unit they belong to.
    return current_user.role != "auditor" and page.may_start(unit.kind if unit else "", current_user.role)


def allowed_page(name: str) -> StartPage:
    """The start page if this user may use it; NotAllowed (403) otherwise."""
    page = PAGES[name]
    if not may_start(page):
        raise NotAllowed(f"只有{page.who}可以{page.title}")
    return page


def read_form(required=(), optional=(), lists=(), flags=()) -> dict:
    """The posted form as the domain expects it: empty optional fields left out, checkbox lists, booleans."""
    form = request.form
    data = {name: form.get(name, "") for name in required}
    data |= {name: form[name] for name in optional if form.get(name, "").strip()}
    data |= {name: form.getlist(name) for name in lists}
    return data | {name: bool(form.get(name)) for name in flags}


def _units(*kinds: str) -> list[Unit]:
    return list(get_session().scalars(select(Unit).where(Unit.kind.in_(kinds)).order_by(Unit.kind, Unit.code)))


def _plan_projects() -> list[Project]:
    plan = get_session().scalar(select(Plan).order_by(Plan.year.desc()).limit(1))
    return plan.projects if plan else []


CHOICES = {
    "consultation": lambda: {"departments": _units("department")},
    "meeting": lambda: {"units": _units(*MEETING_KINDS)},
    "check": lambda: {"projects": _plan_projects()},
    "access": lambda: {},
}


def _render(page: StartPage, values=None, errors: dict | None = None, status: int = 200):
    return render_template(f"starts/{page.name}.html", page=page, values=values or MultiDict(), errors=errors or {},
                           **CHOICES[page.name]()), status


def _start(name: str, data_of: Callable[[], dict], start: Callable):
    """GET shows the empty form; POST starts the process, or shows the form again with a message per field."""
    page = allowed_page(name)
    if request.method == "GET":
        return _render(page)
    session = get_session()
    try:
        start(session, get_process_engine(), data_of())
    except FormInvalid as invalid:
        session.rollback()
        return _render(page, request.form, invalid.errors, 422)
    session.commit()
    flash(f"已{page.title}")
    return redirect(url_for("inbox.index"))


@bp.get("/start")
def index():
    return render_template("starts/index.html", pages=[page for page in PAGES.values() if may_start(page)])


@bp.route("/start/consultation", methods=["GET", "POST"])
def consultation():
    return _start("consultation", lambda: read_form(
        required=("description",), optional=("place", "project", "wished_reply_on"), lists=("invited_departments",)),
        lambda session, engine, data: cases.raise_consultation(
            session, engine, current_user.unit_code, data, actor=current_user.username))


@bp.route("/start/meeting", methods=["GET", "POST"])
def meeting():
    return _start("meeting", lambda: read_form(required=("meeting_date", "topics"), lists=("invited_units",)),
                  lambda session, engine, data: cases.call_meeting(session, engine, data, actor=current_user.username))


@bp.route("/start/check", methods=["GET", "POST"])
def check():
    return _start("check", lambda: read_form(
        required=("project", "subject", "answer_due"), optional=("requirements",)),
        lambda session, engine, data: cases.open_check(session, engine, data, actor=current_user.username))


@bp.route("/start/access", methods=["GET", "POST"])
def access():
    return _start("access", lambda: read_form(
        required=("affair", "legal_basis", "funding", "staffing"), flags=("on_responsibility_list",)),
        lambda session, engine, data: cases.apply_for_access(
            session, engine, current_user.unit_code, data, actor=current_user.username))
