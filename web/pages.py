"""The overview page (plans, running instances); the public health check is web/health.py."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import login_required
from sqlalchemy import func, select

from engine import Clock, ProcessInstance
from workflows.plan.models import Plan, Project

from .core.db import get_session

bp = Blueprint("pages", __name__)


@bp.get("/overview")
@login_required
def index():
    session = get_session()
    from zoneinfo import ZoneInfo

    clock = Clock(session, ZoneInfo(current_app.config["TIMEZONE"]))
    plans = session.execute(
        select(Plan.year, Plan.title, func.count(Project.id)).join(Project, isouter=True).group_by(Plan.id)
        .order_by(Plan.year)
    ).all()
    running = session.scalar(select(func.count(ProcessInstance.id)).where(ProcessInstance.status == "running"))
    return render_template("pages/index.html", plans=plans, running=running, today=clock.today(),
                           simulated=clock.simulated())
