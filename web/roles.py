"""角色对应: the office maps the lane and group names of each deployed process (经办人, Clerk …) to a unit or group;
the mapping holds for every later version. The office and the administrator map; the other overseers read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import NotFound
from workflows.accounts.actor import NotAllowed
from workflows.directory.models import Unit
from workflows.forms import FormInvalid
from workflows.processes import instances, roles

from .core.db import get_process_engine, get_session

bp = Blueprint("roles", __name__)


@bp.before_request
@login_required
def require_mapper():
    """The overseers read the mappings; only the office and the administrator change them."""
    try:
        if request.method == "GET":
            instances.require_reader(current_user.actor)
        else:
            roles.require_mapper(current_user.role)
    except NotAllowed as error:
        return render_template("roles/refused.html", message=str(error)), 403
    return None


@bp.get("/roles")
def index():
    """Every deployed process with its names and how many still have nobody to play them."""
    session = get_session()
    processes = [(definition, roles.role_names_of(session, definition.key))
                 for definition in sorted(get_process_engine().latest_definitions(), key=lambda d: d.key)]
    return render_template("roles/index.html", processes=[(d, names) for d, names in processes if names])


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("roles/refused.html", message=error.message), 404


def _render(key: str, errors: dict | None = None, status: int = 200):
    session = get_session()
    definition = get_process_engine().latest_definition(key)
    units = list(session.scalars(select(Unit).order_by(Unit.kind, Unit.code)))
    return render_template("roles/edit.html", definition=definition, names=roles.role_names_of(session, key),
                           units=units, errors=errors or {},
                           may_map=current_user.role in roles.MAPPER_ROLES), status


@bp.get("/roles/<key>")
def edit(key: str):
    return _render(key)


@bp.post("/roles/<key>")
def save(key: str):
    session = get_session()
    names = [name.name for name in roles.role_names_of(session, key)]
    mapping = {name: request.form.get(f"unit-{position}", "") for position, name in enumerate(names)}
    try:
        roles.set_role_mappings(session, key, mapping)
    except FormInvalid as invalid:
        session.rollback()
        return _render(key, invalid.errors, 422)
    session.commit()
    flash("已保存角色对应：之后到达这些泳道或候选组的任务交给所选单位")
    return redirect(url_for("roles.edit", key=key))
