"""The JSON API under /api: Bearer tokens, the same permissions as the pages, errors as JSON."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engine import EngineError, HistoryEvent, HumanTask, NotFound, ProcessInstance
from workflows import inbox as inboxes, plan as plans, starting, tokens
from workflows.forms import FormInvalid
from workflows.tasks import Actor, NotAllowed, complete_task

from .auth import csrf
from .db import get_process_engine, get_session
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
MAX_PER_PAGE = 100


def _error(status: int, message: str, **extra):
    return jsonify({"error": message, **extra}), status


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return _error(error.code, error.description or error.name)


@bp.errorhandler(EngineError)
def engine_error(error: EngineError):
    return _error(error.status, error.message)


@bp.errorhandler(FormInvalid)
def invalid(error: FormInvalid):
    return _error(422, "提交的数据有误", errors=error.errors)


@bp.errorhandler(NotAllowed)
def not_allowed(error: NotAllowed):
    return _error(403, str(error))


@bp.errorhandler(inboxes.ClaimConflict)
def claim_conflict(error: inboxes.ClaimConflict):
    return _error(409, str(error))


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else ""
    user = tokens.user_for_token(get_session(), token, datetime.utcnow())
    if user is None:
        return _error(401, "需要有效的 API 令牌：Authorization: Bearer <令牌>")
    g.actor = Actor(user.username, user.unit_code, user.role)
    return None


def _int_arg(name: str, default: int, high: int) -> int:
    value = request.args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= high:
        abort(400, f"参数 {name} 应为 1–{high} 的整数")
    return int(value)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FormInvalid({"_body": "请求体应为 JSON 对象"})
    return body


def _task_json(task: HumanTask, fields=None) -> dict:
    return {
        "id": task.id, "name": task.name, "lane": task.lane, "assigned_unit": task.assigned_unit,
        "state": task.state, "due_on": task.due_on.isoformat() if task.due_on else None,
        "claimed_by": task.claimed_by, "instance_id": task.instance_id,
        "business_key": task.instance.business_key, "process_key": task.instance.definition.key,
        "created_at": task.created_at.isoformat(), "completed_by": task.completed_by,
        **({"form": [{"id": f.id, "label": f.label, "type": f.type, "required": f.required,
                      "options": [{"id": o, "name": n} for o, n in f.options]} for f in fields]}
           if fields is not None else {}),
    }


def _visible_task(task_id: int) -> HumanTask:
    task = get_session().get(HumanTask, task_id)
    if task is None or not inboxes.may_view(g.actor, task):
        abort(404, f"任务 {task_id} 不存在")
    return task


@bp.get("/projects")
def projects():
    year = request.args.get("year", type=int)
    return jsonify(plans.projects_as_json(get_session(), year))


@bp.get("/projects/<int:number>")
def project(number: int):
    year = request.args.get("year", type=int)
    found = [p for p in plans.projects_as_json(get_session(), year) if p["number"] == number]
    if not found:
        abort(404, f"项目 {number} 不存在")
    return jsonify(found[-1])


@bp.get("/tasks")
def tasks():
    args = request.args
    page = inboxes.inbox(
        get_session(), g.actor.unit_code, process=args.get("process"), project=args.get("project"),
        area=args.get("area", type=int), status=args.get("status"), overdue=args.get("overdue") == "true",
        search=args.get("q"), page=_int_arg("page", 1, 10_000), per_page=_int_arg("per_page", 20, MAX_PER_PAGE),
        today=get_process_engine().clock.today())
    items = [_task_json(row.task) | {"urgency": row.urgency, "working_days_left": row.days_left} for row in page.rows]
    return jsonify({"items": items, "page": page.page, "per_page": page.per_page, "total": page.total})


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    found = _visible_task(task_id)
    return jsonify(_task_json(found, inboxes.form_fields(get_process_engine(), found)))


@bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int):
    found = _visible_task(task_id)
    inboxes.claim(get_session(), found, g.actor)
    get_session().commit()
    return jsonify(_task_json(found))


@bp.post("/tasks/<int:task_id>/release")
def release(task_id: int):
    found = _visible_task(task_id)
    inboxes.release(get_session(), found, g.actor)
    get_session().commit()
    return jsonify(_task_json(found))


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    found = _visible_task(task_id)
    inboxes.check_not_held_by_other(found, g.actor)
    result = complete_task(get_session(), get_process_engine(), g.actor, found.id, _body())
    get_session().commit()
    return jsonify({"completed": task_id, "instance_status": result.instance.row.status,
                    "next_tasks": [_task_json(t) for t in result.next_tasks]})


@bp.post("/process-instances")
def start_instance():
    body = _body()
    unknown = set(body) - {"process_key", "business_key", "data"}
    if unknown:
        raise FormInvalid({name: "没有这个字段" for name in unknown})
    session = get_session()
    instance = starting.start(session, get_process_engine(), g.actor, body.get("process_key"), body.get("business_key"),
                              body.get("data"))
    session.commit()
    return jsonify(_instance_json(instance.row)), 201


def _instance_json(row: ProcessInstance) -> dict:
    session = get_session()
    open_tasks = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == row.id, HumanTask.state == "ready").order_by(HumanTask.id)).all()
    return {"id": row.id, "process_key": row.definition.key, "version": row.definition.version,
            "business_key": row.business_key, "status": row.status, "error": row.error_message,
            "started_at": row.started_at.isoformat(), "ended_at": row.ended_at.isoformat() if row.ended_at else None,
            "open_tasks": [_task_json(t) for t in open_tasks]}


def _involved(row: ProcessInstance) -> bool:
    """Overseers see every instance; a unit those it started or has had a task in."""
    if g.actor.role in inboxes.OVERSEERS:
        return True
    session = get_session()
    had_task = session.scalar(select(HumanTask.id).where(
        HumanTask.instance_id == row.id, HumanTask.assigned_unit == g.actor.unit_code).limit(1))
    started = session.scalar(select(HistoryEvent.id).where(
        HistoryEvent.instance_id == row.id, HistoryEvent.kind == "started", HistoryEvent.actor == g.actor.username))
    return had_task is not None or started is not None


@bp.get("/process-instances/<int:instance_id>")
def instance(instance_id: int):
    session = get_session()
    row = session.get(ProcessInstance, instance_id)
    if row is None or not _involved(row):
        raise NotFound(f"流程实例 {instance_id} 不存在")
    history = [{"at": e.at.isoformat(), "kind": e.kind, "task_name": e.task_name, "actor": e.actor, "data": e.data}
               for e in get_process_engine().history(row.id)]
    return jsonify(_instance_json(row) | {"history": history})


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
