"""/admin/settings: the office (and the administrator) changes the values of workflows/records/settings.py on a
page — each with its label, unit and range, checked per field (422 naming it, nothing changed) — and sees who
changed what and when."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from workflows.records import settings
from workflows.records.history import person_names

from .core.db import get_session

bp = Blueprint("settings_page", __name__, url_prefix="/admin/settings")
MANAGERS = ("office", "admin")


@bp.before_request
@login_required
def require_manager():
    """Only the office and the administrator; the others get 403."""
    if current_user.role not in MANAGERS:
        return render_template("admin/refused.html", message="设置只有区推进办和系统管理员可以修改"), 403
    return None


def _render(values: dict, errors: dict | None = None, status: int = 200):
    session = get_session()
    people = person_names(session)
    history = [(change, settings.ITEMS.get(f"{change.key}.{change.item}"),
                change.changed_by if change.changed_by == settings.CLI_ACTOR else people.get(change.changed_by, "原用户"),
                _shown(change.old, settings.ITEMS.get(f"{change.key}.{change.item}")))
               for change in settings.changes(session)]
    return render_template("settings_page/index.html", sections=settings.SECTIONS, values=values,
                           errors=errors or {}, history=history), status


@bp.get("")
def index():
    return _render(settings.current_values(get_session(), current_app.config))


@bp.post("")
def save():
    session = get_session()
    submitted = {field: request.form.get(field, "") for field in settings.ITEMS if field in request.form}
    current = settings.current_values(session, current_app.config)
    changed = {field: value for field, value in submitted.items() if _differs(value, current[field])}
    refused = settings.refusals(changed)
    if refused:
        return _render(current | submitted, refused, 422)
    written = settings.change_settings(session, changed, actor=current_user.username)
    session.commit()
    flash(f"已保存 {len(written)} 项修改" if written else "没有修改")
    return redirect(url_for("settings_page.index"))


def _shown(old, item: settings.Item | None) -> str:
    """A value before a change: the number, or what held before the office first set it."""
    if old is not None:
        return f"{old:g}"
    if item is None or item.config:
        return "默认值或服务器配置"
    return f"{item.default:g}（默认）"


def _differs(submitted: str, current: float) -> bool:
    """A field counts as changed unless it holds the value in force (``2`` and ``2.0`` are the same)."""
    try:
        return float(submitted) != float(current)
    except ValueError:
        return True
