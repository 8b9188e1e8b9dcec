"""The start pages: a street raises a 条块约请, the office calls a meeting, the supervision section opens a check,
a department applies for 社区事务准入; any other deployed process from its own start form; 我发起的."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine import EngineError
from engine.camunda_attributes import start_of
from workflows.accounts.actor import NotAllowed
from workflows.cases import opening as cases
from workflows.directory.models import Unit
from workflows.forms import FormInvalid
from workflows.plan.models import Plan, Project
from workflows.processes import instances, starting_any
from workflows.records.history import person_names
from workflows.tasks.unit_choices import expand_groups, unit_choices

from .core.db import get_process_engine, get_session
from .shared.task_page import picked_units, spec_kinds, widget

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
    """The posted form as the domain expects it: empty optional fields left out, booleans, unit lists with each
    ticked group (各街道、镇 …) replaced by its members (unknown codes stay, for the domain's check to name them)."""
    form = request.form
    data = {name: form.get(name, "") for name in required}
    data |= {name: form[name] for name in optional if form.get(name, "").strip()}
    data |= {name: expand_groups(get_session(), form.getlist(name)) for name in lists}
    return data | {name: bool(form.get(name)) for name in flags}


def _plan_projects() -> list[Project]:
    plan = get_session().scalar(select(Plan).order_by(Plan.year.desc()).limit(1))
    return plan.projects if plan else []


CHOICES = {
    "consultation": lambda: {"departments": unit_choices(get_session(), ("department",))},
    "meeting": lambda: {"units": unit_choices(get_session(), MEETING_KINDS)},
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
    """The domain's start pages, then every deployed process this person may start, as Camunda's Tasklist lists them."""
    options = starting_any.start_options(get_session(), get_process_engine(), current_user.actor, domain_too=False)
    return render_template("starts/index.html", pages=[page for page in PAGES.values() if may_start(page)],
                           options=options)


def _process_form(definition, values=None, errors=None, status: int = 200):
    return render_template("starts/process.html", definition=definition, fields=starting_any.start_form(definition),
                           documentation=start_of(definition).documentation, values=values or MultiDict(),
                           errors=errors or {}, token=request.form.get("start_token") or uuid.uuid4().hex,
                           projects=_plan_projects(), widget=widget,
                           unit_pickers={spec.id: unit_choices(get_session(), spec_kinds(spec))
                                         for spec in starting_any.start_form(definition) if widget(spec) == "units"}), status


@bp.route("/start/process/<key>", methods=["GET", "POST"])
def process(key: str):
    """Any process's start form; the hidden one-time token makes a double submit start one instance."""
    session, engine = get_session(), get_process_engine()
    try:
        definition = starting_any.startable_definition(session, engine, current_user.actor, key)
    except FormInvalid:
        abort(404)
    if request.method == "GET":
        return _process_form(definition)
    fields = starting_any.start_form(definition)
    data = {spec.id: _field_value(spec) for spec in fields if _field_value(spec) not in ("", None)}
    token = request.form.get("start_token", "")[:64] or None
    request_key = f"form:{current_user.username}:{token}" if token else None
    try:
        instance = starting_any.start_any(session, engine, current_user.actor, key, request.form.get("business_key")
                                          or None, data, request_key=request_key)
    except FormInvalid as invalid:
        session.rollback()
        return _process_form(definition, request.form, invalid.errors, 422)
    except EngineError as error:  # the diagram failed as it started (a script, a condition): nothing is kept
        session.rollback()
        return _process_form(definition, request.form, {"_form": error.message}, error.status)
    except starting_any.DuplicateStart:
        session.rollback()
        instance = starting_any.started_for_request(session, engine, request_key)
    session.commit()
    flash(f"已发起“{definition.name}”（{instance.row.business_key}）")
    return redirect(url_for("starts.started"))


def _field_value(spec):
    if spec.type == "boolean":
        return "true" if request.form.get(spec.id) else "false"
    if widget(spec) == "units":
        return picked_units(spec)
    return request.form.get(spec.id, "")


@bp.get("/started")
def started():
    """我发起的: what this person (or, with ?scope=unit, their unit) started, of every kind, with its current step."""
    whole_unit = request.args.get("scope") == "unit"
    rows = instances.started_by_me(get_session(), current_user.actor, whole_unit=whole_unit)
    return render_template("starts/started.html", rows=rows, whole_unit=whole_unit, people=person_names(get_session()))


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
