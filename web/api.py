"""The JSON API under /api: Bearer tokens, the same permissions as the pages, errors as JSON."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engine import EngineError, HumanTask, NotFound, ProcessInstance
from workflows.accounts import tokens
from workflows.accounts.actor import Actor, NotAllowed
from workflows.cases import starting
from workflows.forms import FormInvalid
from workflows.plan import projects as plans
from workflows.reports import dashboard as dashboards
from workflows.tasks import assignment, attachments as files, extensions, inbox as inboxes, notes as task_notes, permissions
from workflows.tasks.completion import complete_task

from .auth import csrf
from . import dashboard as dashboard_pages
from .db import get_process_engine, get_session
from .inputs import db_int
from .openapi import document
from .task_notes import send_attachment, upload_from_request

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
    if task is None or not permissions.may_view(g.actor, task):
        abort(404, f"任务 {task_id} 不存在")
    return task


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


@bp.get("/tasks")
def tasks():
    args = request.args
    page = inboxes.inbox(
        get_session(), g.actor.unit_code, process=args.get("process"), project=args.get("project"),
        area=args.get("area", type=db_int), status=args.get("status"), overdue=args.get("overdue") == "true",
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


@bp.get("/process-instances/<int:instance_id>")
def instance(instance_id: int):
    session = get_session()
    row = session.get(ProcessInstance, instance_id)
    if row is None or not permissions.may_view_instance(session, g.actor, row.id):
        raise NotFound(f"流程实例 {instance_id} 不存在")
    history = [{"at": e.at.isoformat(), "kind": e.kind, "task_name": e.task_name, "actor": e.actor, "data": e.data}
               for e in get_process_engine().history(row.id)]
    return jsonify(_instance_json(row) | {"history": history})


@bp.get("/dashboard")
def dashboard_figures():
    """The office dashboard's figures, the same as /dashboard shows; for overseers only."""
    if not dashboard_pages.may_view(g.actor.role):
        abort(403, "只有区推进办、督查科、审计和管理员可以查看驾驶舱")
    try:
        board = dashboard_pages.load(dashboard_pages.year_arg())
    except dashboard_pages.BadYear as bad:
        return _error(422, str(bad), errors={"year": str(bad)})
    except dashboards.PlanNotFound as missing:
        return _error(404, str(missing))
    return jsonify(dashboards.as_json(board))


def _comment_json(row: task_notes.CommentRow) -> dict:
    return {"id": row.comment.id, "author": row.comment.author, "unit_code": row.comment.unit_code,
            "unit_name": row.unit_name, "task_id": row.comment.human_task_id, "task_name": row.task_name,
            "body": row.comment.body, "created_at": row.comment.created_at.isoformat()}


def _attachment_json(attachment) -> dict:
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256, "task_id": attachment.human_task_id,
            "uploaded_by": attachment.uploaded_by, "unit_code": attachment.unit_code,
            "uploaded_at": attachment.uploaded_at.isoformat()}


@bp.get("/tasks/<int:task_id>/comments")
def comments(task_id: int):
    found = _visible_task(task_id)
    return jsonify([_comment_json(row) for row in task_notes.comments_of(get_session(), found.instance_id)])


@bp.post("/tasks/<int:task_id>/comments")
def add_comment(task_id: int):
    found, session = _visible_task(task_id), get_session()
    body = _body()
    comment = task_notes.add_comment(session, found, g.actor, body.get("body"), now=get_process_engine().clock.now())
    session.commit()
    [row] = [row for row in task_notes.comments_of(session, found.instance_id) if row.comment.id == comment.id]
    return jsonify(_comment_json(row)), 201


@bp.get("/tasks/<int:task_id>/attachments")
def attachments(task_id: int):
    found = _visible_task(task_id)
    return jsonify([_attachment_json(a) for a in files.of_instance(get_session(), found.instance_id)])


@bp.post("/tasks/<int:task_id>/attachments")
def upload_attachment(task_id: int):
    attachment = upload_from_request(_visible_task(task_id), g.actor)
    get_session().commit()
    return jsonify(_attachment_json(attachment)), 201


@bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int):
    return send_attachment(files.visible(get_session(), g.actor, attachment_id))


@bp.put("/tasks/<int:task_id>/draft")
def save_draft(task_id: int):
    found, session = _visible_task(task_id), get_session()
    draft = task_notes.save_draft(session, found, g.actor, inboxes.form_fields(get_process_engine(), found), _body(),
                                  now=get_process_engine().clock.now())
    session.commit()
    return jsonify({"task_id": found.id, "data": draft.data, "saved_by": draft.saved_by,
                    "saved_at": draft.saved_at.isoformat()})


def _fields(*names: str) -> list:
    """The JSON body's values for these names; any other key is refused field by field."""
    body = _body()
    unknown = set(body) - set(names)
    if unknown:
        raise FormInvalid({name: "没有这个字段" for name in unknown})
    return [body.get(name) for name in names]


@bp.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int):
    unit, reason = _fields("unit", "reason")
    found = assignment.reassign(get_session(), get_process_engine(), g.actor, task_id, unit, reason)
    get_session().commit()
    return jsonify(_task_json(found))


@bp.post("/tasks/<int:task_id>/extension")
def request_extension(task_id: int):
    requested_due_on, reason = _fields("requested_due_on", "reason")
    extension = extensions.request_extension(get_session(), get_process_engine(), g.actor, task_id,
                                             requested_due_on, reason)
    get_session().commit()
    return jsonify({"id": extension.id, "task_id": task_id, "status": extension.status,
                    "current_due_on": extension.current_due_on.isoformat(),
                    "requested_due_on": extension.requested_due_on.isoformat(), "reason": extension.reason,
                    "instance_id": extension.instance_id}), 201


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


from . import api_definitions  # noqa: E402,F401  (process definitions: its routes are on bp)
