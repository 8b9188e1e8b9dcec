"""The plan's projects: the list with each one's current step and traffic light, a project's page with its
reports, timeline and diagram, and the office's corrections of units and due date."""
from __future__ import annotations

import io
from pathlib import Path

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, send_file, \
    send_from_directory, url_for
from flask_login import current_user, login_required

from workflows.cases.titles import project_cases
from workflows.plan.models import Project
from workflows.projects import pages as project_pages
from workflows.projects.activation import lifecycle_instance
from workflows.reports import project_list
from workflows.tasks.unit_choices import unit_choices

from .core.db import get_process_engine, get_session
from .core.headers import stored_document
from .core.inputs import db_int

bp = Blueprint("projects", __name__)
BPMN_JS_DIST = Path(__file__).resolve().parent.parent / "node_modules" / "bpmn-js" / "dist"


@bp.before_request
@login_required
def require_login():
    """Every project page is for signed-in users only."""


def get_project(number: int, *, check_editor: bool = False) -> Project:
    """The project of the chosen (or latest) plan; 404 if there is none, 403 if editing and not the office."""
    project = project_pages.find_project(get_session(), number, request.args.get("year", type=db_int))
    if project is None:
        abort(404)
    if check_editor and not project_pages.may_edit(current_user.role):
        abort(403)
    return project


def _plan_rows():
    """The chosen (or latest) plan and all its project rows."""
    session = get_session()
    plan = project_pages.plan_for(session, request.args.get("year", type=db_int))
    rows = project_pages.project_rows(session, list(plan.projects), get_process_engine().clock.today()) if plan else []
    return plan, rows


@bp.get("/projects")
def index():
    plan, rows = _plan_rows()
    try:
        query, error, status = project_list.ListQuery.from_args(request.args), None, 200
    except project_list.BadListQuery as bad:
        query, error, status = project_list.ListQuery(), str(bad), 422
    return render_template("projects/index.html", plan=plan, rows=project_list.chosen(rows, query), total=len(rows),
                           query=query, error=error, units=project_list.units_in(rows), lib=project_list), status


@bp.get("/projects/export.csv")
def export():
    """The list as the person filtered and ordered it, as CSV."""
    plan, rows = _plan_rows()
    if plan is None:
        abort(404)
    try:
        query = project_list.ListQuery.from_args(request.args)
    except project_list.BadListQuery as bad:
        abort(make_response(str(bad), 422))
    return send_file(io.BytesIO(project_list.csv_bytes(project_list.chosen(rows, query))), mimetype="text/csv",
                     as_attachment=True, download_name=f"{plan.year}年重点项目.csv")


def _render_project(project: Project, form: dict | None = None, errors: dict | None = None, status: int = 200):
    engine = get_process_engine()
    page = project_pages.project_page(get_session(), engine, project, engine.clock.today())
    return render_template("projects/show.html", page=page, project=project, form=form, errors=errors or {},
                           may_edit=project_pages.may_edit(current_user.role),
                           cases=project_cases(get_session(), project.id),
                           units=unit_choices(get_session()) if project_pages.may_edit(current_user.role) else None), status


@bp.get("/projects/<int:number>")
def show(number: int):
    return _render_project(get_project(number))


@bp.get("/projects/<int:number>/diagram.xml")
def diagram(number: int):
    instance = lifecycle_instance(get_session(), get_project(number).business_key)
    if instance is None:
        abort(404)
    return stored_document(instance.definition.bpmn_xml)


@bp.post("/projects/<int:number>/edit")
def edit(number: int):
    session, project = get_session(), get_project(number, check_editor=True)
    # The units as ticked in the picker (or typed as codes, comma-separated): one comma-separated text each.
    form = {name: ",".join(request.form.getlist(name)) for name in ("lead_units", "responsible_units")}
    form["due_on"] = request.form.get("due_on", "")
    try:
        project_pages.edit_project(session, get_process_engine(), project, form, actor=current_user.username)
    except project_pages.EditInvalid as invalid:
        session.rollback()
        return _render_project(project, form, invalid.errors, 422)
    session.commit()
    flash(f"已修改项目 {project.business_key} 的单位和完成日期")
    return redirect(url_for("projects.show", number=number))


@bp.get("/vendor/bpmn-js/<path:filename>")
def bpmn_js(filename: str):
    return send_from_directory(BPMN_JS_DIST, filename)
