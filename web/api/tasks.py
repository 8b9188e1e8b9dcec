"""The API's tasks: the inbox, a task with its form, claiming, releasing and completing, comments, attachments,
drafts, 改派 and 延期申请."""
from __future__ import annotations

from flask import g, jsonify, request

from workflows.tasks import assignment, attachments as files, extensions, inbox as inboxes, notes as task_notes
from workflows.tasks.completion import complete_task

from ..core.db import get_process_engine, get_session
from ..core.inputs import db_int
from ..shared.attachments import send_attachment, upload_from_request
from .common import MAX_PER_PAGE, bp, body_fields, int_arg, json_body, task_json, visible_task


@bp.get("/tasks")
def tasks():
    args = request.args
    page = inboxes.inbox(
        get_session(), g.actor.unit_code, process=args.get("process"), project=args.get("project"),
        area=args.get("area", type=db_int), status=args.get("status"), overdue=args.get("overdue") == "true",
        search=args.get("q"), page=int_arg("page", 1, 10_000), per_page=int_arg("per_page", 20, MAX_PER_PAGE),
        today=get_process_engine().clock.today())
    items = [task_json(row.task) | {"urgency": row.urgency, "working_days_left": row.days_left} for row in page.rows]
    return jsonify({"items": items, "page": page.page, "per_page": page.per_page, "total": page.total})


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    found = visible_task(task_id)
    return jsonify(task_json(found, inboxes.form_fields(get_process_engine(), found)))


@bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int):
    found = visible_task(task_id)
    inboxes.claim(get_session(), found, g.actor)
    get_session().commit()
    return jsonify(task_json(found))


@bp.post("/tasks/<int:task_id>/release")
def release(task_id: int):
    found = visible_task(task_id)
    inboxes.release(get_session(), found, g.actor)
    get_session().commit()
    return jsonify(task_json(found))


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    found = visible_task(task_id)
    inboxes.check_not_held_by_other(found, g.actor)
    result = complete_task(get_session(), get_process_engine(), g.actor, found.id, json_body())
    get_session().commit()
    return jsonify({"completed": task_id, "instance_status": result.instance.row.status,
                    "next_tasks": [task_json(t) for t in result.next_tasks]})


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
    found = visible_task(task_id)
    return jsonify([_comment_json(row) for row in task_notes.comments_of(get_session(), found.instance_id)])


@bp.post("/tasks/<int:task_id>/comments")
def add_comment(task_id: int):
    found, session = visible_task(task_id), get_session()
    body = json_body()
    comment = task_notes.add_comment(session, found, g.actor, body.get("body"), now=get_process_engine().clock.now())
    session.commit()
    [row] = [row for row in task_notes.comments_of(session, found.instance_id) if row.comment.id == comment.id]
    return jsonify(_comment_json(row)), 201


@bp.get("/tasks/<int:task_id>/attachments")
def attachments(task_id: int):
    found = visible_task(task_id)
    return jsonify([_attachment_json(a) for a in files.of_instance(get_session(), found.instance_id)])


@bp.post("/tasks/<int:task_id>/attachments")
def upload_attachment(task_id: int):
    attachment = upload_from_request(visible_task(task_id), g.actor)
    get_session().commit()
    return jsonify(_attachment_json(attachment)), 201


@bp.get("/attachments/<int:attachment_id>")
def download_attachment(attachment_id: int):
    return send_attachment(files.visible(get_session(), g.actor, attachment_id))


@bp.put("/tasks/<int:task_id>/draft")
def save_draft(task_id: int):
    found, session = visible_task(task_id), get_session()
    draft = task_notes.save_draft(session, found, g.actor, inboxes.form_fields(get_process_engine(), found), json_body(),
                                  now=get_process_engine().clock.now())
    session.commit()
    return jsonify({"task_id": found.id, "data": draft.data, "saved_by": draft.saved_by,
                    "saved_at": draft.saved_at.isoformat()})


@bp.post("/tasks/<int:task_id>/reassign")
def reassign(task_id: int):
    unit, reason = body_fields("unit", "reason")
    found = assignment.reassign(get_session(), get_process_engine(), g.actor, task_id, unit, reason)
    get_session().commit()
    return jsonify(task_json(found))


@bp.post("/tasks/<int:task_id>/extension")
def request_extension(task_id: int):
    requested_due_on, reason = body_fields("requested_due_on", "reason")
    extension = extensions.request_extension(get_session(), get_process_engine(), g.actor, task_id,
                                             requested_due_on, reason)
    get_session().commit()
    return jsonify({"id": extension.id, "task_id": task_id, "status": extension.status,
                    "current_due_on": extension.current_due_on.isoformat(),
                    "requested_due_on": extension.requested_due_on.isoformat(), "reason": extension.reason,
                    "instance_id": extension.instance_id}), 201
