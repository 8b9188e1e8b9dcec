"""Attachments and comments on the task page: upload, download, delete, comment; and the 413 for big bodies."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from workflows.forms import FormInvalid
from workflows.tasks import attachments as files, notes as task_notes

from .core.db import get_process_engine, get_session
from .shared.attachments import send_attachment, upload_from_request
from .shared.guards import guard
from .shared.task_page import get_task, render_task

bp = guard(Blueprint("task_notes", __name__))


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    return files.size_text(size)


@bp.app_errorhandler(413)
def too_large(_error):
    """A body over MAX_CONTENT_LENGTH is refused before it is read, on the pages and in the API alike."""
    limit = files.size_text(current_app.config["ATTACHMENT_MAX_BYTES"])
    message = f"提交的内容过大：单个附件不能超过 {limit}，请压缩或拆分后再上传"
    if request.path.startswith("/api/"):
        return jsonify({"error": message}), 413
    return render_template("inbox/refused.html", message=message), 413


@bp.post("/tasks/<int:task_id>/attachments")
def upload(task_id: int):
    session, task = get_session(), get_task(task_id)
    try:
        attachment = upload_from_request(task, current_user.actor)
    except FormInvalid as refused:
        session.rollback()
        return render_task(task, status=422, note_errors=refused.errors)
    session.commit()
    flash(f"已上传附件“{attachment.filename}”（{files.size_text(attachment.size)}）")
    return redirect(url_for("inbox.task", task_id=task.id) + "#attachments")


@bp.get("/attachments/<int:attachment_id>")
def download(attachment_id: int):
    return send_attachment(files.visible(get_session(), current_user.actor, attachment_id))


@bp.post("/attachments/<int:attachment_id>/delete")
def delete(attachment_id: int):
    session = get_session()
    attachment = files.delete(session, current_user.actor, attachment_id)
    session.commit()
    flash(f"已删除附件“{attachment.filename}”")
    return redirect(url_for("inbox.task", task_id=attachment.human_task_id) + "#attachments")


@bp.post("/tasks/<int:task_id>/comments")
def comment(task_id: int):
    session, task = get_session(), get_task(task_id)
    try:
        task_notes.add_comment(session, task, current_user.actor, request.form.get("body"),
                               now=get_process_engine().clock.now())
    except FormInvalid as invalid:
        session.rollback()
        return render_task(task, status=422, note_errors=invalid.errors)
    session.commit()
    flash("意见已发表")
    return redirect(url_for("inbox.task", task_id=task.id) + "#comments")
