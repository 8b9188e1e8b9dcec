"""The API's dashboard: the same figures as the /dashboard page, for the overseers."""
from __future__ import annotations

from flask import abort, g, jsonify

from workflows.reports import dashboard as dashboards

from ..shared import dashboard as dashboard_pages
from .common import bp, json_error


@bp.get("/dashboard")
def dashboard_figures():
    """The office dashboard's figures, the same as /dashboard shows; for overseers only."""
    if not dashboard_pages.may_view(g.actor.role):
        abort(403, "只有区推进办、督查科、审计和管理员可以查看驾驶舱")
    try:
        board = dashboard_pages.load(dashboard_pages.year_arg())
    except dashboard_pages.BadYear as bad:
        return json_error(422, str(bad), errors={"year": str(bad)})
    except dashboards.PlanNotFound as missing:
        return json_error(404, str(missing))
    return jsonify(dashboards.as_json(board))
