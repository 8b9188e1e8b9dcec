"""The office's dashboard (驾驶舱): report matrix, overdue tasks per unit, consultation figures, with charts.

Charts are pygal SVG rendered here and inlined into the page: no tooltip script, nothing loaded from elsewhere.
pygal scopes each chart's colours and fonts in a <style> element of its own under a random chart id; the pages'
Content-Security-Policy allows no inline style, so this page (and only this one) gives those elements the
request's CSP nonce.
"""
from __future__ import annotations

import re

import pygal
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from pygal.style import Style

from workflows.forms import FormInvalid
from workflows.reports import dashboard as dashboards
from workflows.tasks import urging

from .core.db import get_process_engine, get_session
from .core.headers import talisman
from .core.inputs import db_int
from .shared.dashboard import BadYear, load, may_view, year_arg
from .shared.guards import guard

bp = guard(Blueprint("dashboard", __name__), "dashboard/missing.html")
FONT = "Noto Sans CJK SC"
STATUS_COLOURS = {"on_time": "#3c9a3c", "late": "#f2a900", "returned": "#7b5ea7", "missing": "#d32f2f",
                  "not_due": "#9fb8d0", "not_applicable": "#d5d5d5"}
# pygal writes comments naming its web site and a script with its settings; neither is wanted inline.
UNWANTED = re.compile(r"<!--.*?-->|<script\b.*?</script>", re.S)


def _style(colours: tuple[str, ...] = ()) -> Style:
    options = {"colors": colours} if colours else {}
    return Style(font_family=FONT, background="white", plot_background="white", title_font_size=18,
                 label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=13, **options)


def _counts_axis(highest: int) -> list[int]:
    """Whole numbers on the value axis (counts of projects or tasks), about five of them."""
    step = max(1, -(-highest // 5))
    return list(range(0, highest + step, step))


def _svg(chart) -> Markup:
    """The chart's SVG for inlining: its <style> carries this request's nonce, its hidden tooltip hides by an SVG
    attribute rather than a style attribute (which the policy would block)."""
    svg = UNWANTED.sub("", chart.render(is_unicode=True))
    svg = svg.replace("<style", f'<style nonce="{request.csp_nonce}"').replace('style="opacity: 0"', 'opacity="0"')
    return Markup(svg)


def report_chart(board: dashboards.Dashboard) -> Markup:
    """Stacked bars: how each quarter's reports stand."""
    statuses = [s for s in dashboards.CELL_LABELS if s != "not_applicable"]
    chart = pygal.StackedBar(js=[], style=_style(tuple(STATUS_COLOURS[s] for s in statuses)),
                             disable_xml_declaration=True, height=360, legend_at_bottom=True,
                             title=f"{board.year}年季度报送情况（项目数）", print_values=False)
    chart.x_labels = [f"第{q}季度" for q in dashboards.QUARTERS]
    chart.y_labels = _counts_axis(max(sum(counts[s] for s in statuses) for counts in board.matrix.totals.values()))
    for status in statuses:
        chart.add(dashboards.CELL_LABELS[status], [board.matrix.totals[q][status] for q in dashboards.QUARTERS])
    return _svg(chart)


def overdue_chart(board: dashboards.Dashboard) -> Markup | None:
    """Horizontal bars: overdue and soon-due tasks of each unit that has any."""
    if not board.units:
        return None
    units = list(reversed(board.units[:15]))  # pygal draws the first label at the bottom
    chart = pygal.HorizontalStackedBar(js=[], style=_style(("#d32f2f", "#f2c200")), disable_xml_declaration=True,
                                       width=640, height=170 + 40 * len(units), legend_at_bottom=True,
                                       truncate_label=-1, title="各单位逾期与临期待办（件）")
    chart.x_labels = [load.unit_name for load in units]
    chart.add("已逾期", [load.overdue for load in units])
    chart.add("3个工作日内到期", [load.due_soon for load in units])
    chart.y_labels = _counts_axis(max(load.overdue + load.due_soon for load in units))
    return _svg(chart)


def satisfaction_chart(board: dashboards.Dashboard) -> Markup | None:
    overall = board.consultations.overall
    if not overall.rated:
        return None
    chart = pygal.Pie(js=[], style=_style(("#3c9a3c", "#d32f2f")), disable_xml_declaration=True, height=300,
                      inner_radius=.45, title="约请答复满意度", legend_at_bottom=True)
    chart.add("满意", overall.satisfied)
    chart.add("不满意", overall.rated - overall.satisfied)
    return _svg(chart)


@bp.before_request
@login_required
def require_overseer():
    """The dashboard is for the office, supervisors, auditors and admins."""
    if not may_view(current_user.role):
        abort(403)


@bp.get("/dashboard")
@talisman(content_security_policy_nonce_in=["style-src"])
def index():
    try:
        board = load(year_arg())
    except BadYear as bad:
        return render_template("dashboard/missing.html", message=str(bad)), 422
    except dashboards.PlanNotFound as missing:
        return render_template("dashboard/missing.html", message=str(missing)), 404
    charts = {"reports": report_chart(board), "overdue": overdue_chart(board),
              "satisfaction": satisfaction_chart(board)}
    return render_template("dashboard/index.html", board=board, charts=charts, labels=dashboards.CELL_LABELS,
                           completion_labels=dashboards.COMPLETION_LABELS, overdue=_overdue_to_urge())


def _overdue_to_urge() -> list[urging.OverdueTask]:
    """The overdue tasks the office may 催办 here (none for the other overseers)."""
    if current_user.role not in urging.URGERS:
        return []
    return urging.overdue_list(get_session(), get_process_engine().clock.today())


@bp.post("/dashboard/urge")
def urge():
    """催办 the ticked overdue tasks (or, with ``all``, every one listed): one history entry per task."""
    session, engine = get_session(), get_process_engine()
    try:
        if request.form.get("all"):
            chosen = [row.task.id for row in urging.overdue_list(session, engine.clock.today())]
        else:
            chosen = [_task_id(value) for value in request.form.getlist("task")]
        urged = urging.urge(session, engine, current_user.actor, chosen, request.form.get("note", ""))
    except FormInvalid as invalid:
        session.rollback()
        return render_template("dashboard/missing.html", message=invalid.errors["tasks"]), 422
    session.commit()
    flash(f"已催办 {len(urged)} 项逾期待办，各单位将在待办中看到“被催办”标记")
    return redirect(url_for("dashboard.index") + "#urge")


def _task_id(value: str) -> int:
    try:
        return db_int(value)
    except (ValueError, OverflowError):
        raise FormInvalid({"tasks": f"勾选的待办编号“{value[:20]}”无效"}) from None
