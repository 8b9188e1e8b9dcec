"""/analytics: where the time goes. A list of the deployed processes, and for each (/analytics/<key>) its diagram
with each step's figures as an overlay, the five slowest steps, the slowest units at each step, filters by year,
task area and version, and the figures as CSV. For the office, the supervision section, auditors and the
administrator; a unit gets 403."""
from __future__ import annotations

import io

from flask import Blueprint, Response, current_app, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from zoneinfo import ZoneInfo

from engine import NotFound
from workflows.analytics import figures as analytics
from workflows.analytics.export import analytics_csv

from .core.db import get_session

bp = Blueprint("analytics", __name__, url_prefix="/analytics")
READERS = ("office", "supervisor", "auditor", "admin")


@bp.before_request
@login_required
def require_reader():
    if current_user.role not in READERS:
        return render_template("analytics/refused.html", message="流程耗时分析只有区推进办、督查科、审计和管理员可以查看"), 403
    return None


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("analytics/refused.html", message=error.message), 404


FILTER_LABELS = {"year": ("年度", 2000, 2100), "area": ("任务领域", 1, 10**9), "version": ("版本", 1, 10**6)}


class BadFilter(Exception):
    """A filter value that is not a whole number in its range; the message names the filter."""


@bp.errorhandler(BadFilter)
def bad_filter(error: BadFilter):
    return render_template("analytics/refused.html", message=str(error)), 422


def _number(name: str) -> int | None:
    """The filter ``name`` as a whole number, None when empty; raises BadFilter naming it otherwise."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    label, lowest, highest = FILTER_LABELS[name]
    if not (value.isdigit() and lowest <= int(value) <= highest):
        raise BadFilter(f"{label}应为 {lowest}–{highest} 之间的整数，实际为“{value[:20]}”")
    return int(value)


def _filters() -> analytics.Filters:
    return analytics.Filters(year=_number("year"), area_id=_number("area"), version=_number("version"))


def _figures(key: str) -> analytics.ProcessFigures:
    return analytics.process_figures(get_session(), key, _filters(), ZoneInfo(current_app.config["TIMEZONE"]))


@bp.get("")
def index():
    return render_template("analytics/index.html", rows=analytics.definition_rows(get_session()))


@bp.get("/<key>")
def show(key: str):
    result = _figures(key)
    overlay = {step.step.element_id: {"kind": step.step.kind, "waiting": step.figures.waiting,
                                      "finished": step.figures.finished, "median": step.figures.median,
                                      "p90": step.figures.p90} for step in result.steps}
    diagram_url = url_for("analytics.diagram", key=key, version=result.version)
    return render_template("analytics/show.html", result=result, overlay=overlay, diagram_url=diagram_url,
                           areas=analytics.area_choices(get_session()), values=request.args,
                           csv_url=url_for("analytics.export", key=key, **{name: request.args[name] for name in
                                                                           FILTER_LABELS if request.args.get(name)}))


@bp.get("/<key>/diagram")
def diagram(key: str):
    return Response(analytics.diagram_xml(get_session(), key, _number("version")), mimetype="application/xml")


@bp.get("/<key>/export.csv")
def export(key: str):
    result = _figures(key)
    return send_file(io.BytesIO(analytics_csv(result)), mimetype="text/csv", as_attachment=True,
                     download_name=f"{result.name}流程耗时分析.csv")
