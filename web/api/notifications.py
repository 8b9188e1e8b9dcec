"""The API's 消息: the caller's (and their unit's) messages, newest first, and marking one read."""
from __future__ import annotations

from datetime import datetime

from flask import abort, g, jsonify, request, url_for

from workflows.accounts.actor import NotAllowed
from workflows.notifications import messages

from ..core.db import get_session
from .common import MAX_PER_PAGE, bp, int_arg

UNREAD_VALUES = {"1": True, "true": True, "0": False, "false": False}


def notification_json(message) -> dict:
    """One message as JSON; ``link`` is the page of its task (or the inbox)."""
    link = url_for("inbox.task", task_id=message.human_task_id) if message.human_task_id else url_for("inbox.index")
    return {"id": message.id, "kind": message.kind, "kind_name": message.kind_name, "text": message.text,
            "task_id": message.human_task_id, "instance_id": message.instance_id, "link": link,
            "created_at": message.created_at.isoformat(),
            "read_at": message.read_at.isoformat() if message.read_at else None}


@bp.get("/notifications")
def list_notifications():
    """``?unread=1`` for the unread only; ``page`` and ``per_page`` (at most 100) page them. Also the unread count."""
    unread = request.args.get("unread", "0")
    if unread not in UNREAD_VALUES:
        abort(400, "参数 unread 应为 1 或 0")
    page, per_page = int_arg("page", 1, 10_000), int_arg("per_page", 20, MAX_PER_PAGE)
    session = get_session()
    rows = messages.for_reader(session, g.actor, unread_only=UNREAD_VALUES[unread], limit=per_page,
                               offset=(page - 1) * per_page)
    return jsonify({"unread": messages.unread_count(session, g.actor), "page": page, "per_page": per_page,
                    "items": [notification_json(row) for row in rows]})


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    """Mark one message read (for the whole unit if it is the unit's); 404 for one that is not the caller's."""
    if g.actor.role == "auditor":
        raise NotAllowed("审计（只读）账号不能更改消息的已读状态")
    session = get_session()
    message = messages.mark_read(session, g.actor, notification_id, at=datetime.utcnow())
    session.commit()
    return jsonify(notification_json(message))
