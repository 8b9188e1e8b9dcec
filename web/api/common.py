"""What the API's route modules share: the blueprint (/api, Bearer tokens, no CSRF), errors as JSON, and the
request and response helpers. The routes are in tasks.py, instances.py, projects.py, dashboard.py,
definitions.py and openapi.py, which import this module and never each other."""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engine import EngineError, HumanTask, Incident, ProcessInstance
from engine.parser import MAX_BYTES
from workflows.accounts import tokens
from workflows.accounts.actor import Actor, NotAllowed
from workflows.forms import FormInvalid
from workflows.tasks import inbox as inboxes
from workflows.tasks.permissions import may_view

from ..core.db import get_session
from ..core.security import bearer_user, csrf

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
MAX_PER_PAGE = 100


def json_error(status: int, message: str, **extra):
    """The API's error body, ``{"error": message, …extra}``, with its status."""
    return jsonify({"error": message, **extra}), status


@bp.errorhandler(HTTPException)
# 400 by code too: the app's page handler for 400 is by code, which Flask prefers over a class. A body too large
# (413) is answered in Chinese, as JSON under /api, by web/task_notes.py.
@bp.errorhandler(400)
def http_error(error: HTTPException):
    return json_error(error.code, error.description or error.name)


@bp.errorhandler(EngineError)
def engine_error(error: EngineError):
    """The engine's message; a failed step also names its ``element`` and, for data, the ``variable``. What the
    request changed before the error is rolled back."""
    get_session().rollback()
    where = {name: getattr(error, name) for name in ("element", "variable") if getattr(error, name, None) is not None}
    return json_error(error.status, error.message, **where)


@bp.errorhandler(FormInvalid)
def invalid(error: FormInvalid):
    return json_error(422, "提交的数据有误", errors=error.errors)


@bp.errorhandler(NotAllowed)
def not_allowed(error: NotAllowed):
    return json_error(403, str(error))


@bp.errorhandler(inboxes.ClaimConflict)
def claim_conflict(error: inboxes.ClaimConflict):
    return json_error(409, str(error))


@bp.before_request
def authenticate():
    if request.endpoint == "api.openapi":
        return None
    try:
        user = bearer_user(request.headers.get("Authorization", ""))
    except tokens.TokenRefused as refused:
        return json_error(401, str(refused))
    g.actor = Actor(user.username, user.unit_code, user.role)
    return None


def int_arg(name: str, default: int, high: int) -> int:
    value = request.args.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= high:
        abort(400, f"参数 {name} 应为 1–{high} 的整数")
    return int(value)


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise FormInvalid({"_body": "请求体应为 JSON 对象"})
    return body


def task_json(task: HumanTask, fields=None) -> dict:
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


def visible_task(task_id: int) -> HumanTask:
    task = get_session().get(HumanTask, task_id)
    if task is None or not may_view(g.actor, task):
        abort(404, f"任务 {task_id} 不存在")
    return task


def body_fields(*names: str) -> list:
    """The JSON body's values for these names; any other key is refused field by field."""
    body = json_body()
    unknown = set(body) - set(names)
    if unknown:
        raise FormInvalid({name: "没有这个字段" for name in unknown})
    return [body.get(name) for name in names]


def instance_json(row: ProcessInstance) -> dict:
    session = get_session()
    open_tasks = session.scalars(select(HumanTask).where(
        HumanTask.instance_id == row.id, HumanTask.state == "ready").order_by(HumanTask.id)).all()
    incident = session.scalar(select(Incident).where(Incident.instance_id == row.id, Incident.resolved_at.is_(None))
                              .order_by(Incident.id.desc()).limit(1))
    return {"id": row.id, "process_key": row.definition.key, "version": row.definition.version,
            "business_key": row.business_key, "status": row.status, "error": row.error_message,
            "started_at": row.started_at.isoformat(), "ended_at": row.ended_at.isoformat() if row.ended_at else None,
            "open_tasks": [task_json(t) for t in open_tasks], "incident": incident_json(incident)}


def incident_json(incident: Incident | None) -> dict | None:
    """An open incident as the API shows it (None when the instance has none)."""
    if incident is None:
        return None
    return {"id": incident.id, "element": incident.element, "element_name": incident.element_name,
            "variable": incident.variable, "message": incident.message, "created_at": incident.created_at.isoformat()}


XML_TYPES = ("application/xml", "text/xml")


def uploaded_document(kind: str) -> tuple[str, bytes] | None:
    """The ``kind`` file (``BPMN``, ``DMN``) of a deploy request as (file name, bytes): the raw XML body, or the
    multipart field ``file``; None when the request holds neither. 413 when it is over 5 MB (engine.parser's bound)."""
    too_large = f"{kind} 文件不得大于 5 MB"
    if request.content_length is not None and request.content_length > MAX_BYTES + 64 * 1024:
        abort(413, too_large)
    default_name = f"upload.{kind.lower()}"
    if request.mimetype in XML_TYPES:
        source, content = default_name, request.get_data()
    else:
        upload = request.files.get("file")
        if upload is None:
            return None
        source, content = upload.filename or default_name, upload.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        abort(413, too_large)
    return source, content


def version_json(definition) -> dict:
    """A deployed version of a process or decision definition: key, version, name, who deployed it and when."""
    return {"key": definition.key, "version": definition.version, "name": definition.name,
            "deployed_by": definition.deployed_by, "deployed_at": definition.deployed_at.isoformat()}
