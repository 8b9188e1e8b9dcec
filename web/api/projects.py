"""The API's projects: the plan's projects as JSON, all of a year or one."""
from __future__ import annotations

from flask import abort, jsonify, request

from workflows.plan import projects as plans

from ..core.db import get_session
from ..core.inputs import db_int
from .common import bp


@bp.get("/projects")
def projects():
    year = request.args.get("year", type=db_int)
    return jsonify(plans.projects_as_json(get_session(), year))


@bp.get("/projects/<int:number>")
def project(number: int):
    year = request.args.get("year", type=db_int)
    found = [p for p in plans.projects_as_json(get_session(), year) if p["number"] == number]
    if not found:
        abort(404, f"项目 {number} 不存在")
    return jsonify(found[-1])
