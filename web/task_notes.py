"""Attachments and comments on the task page: upload, download, delete, comment; and the 413 for big bodies."""
from __future__ import annotations

import io

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from workflows.accounts.actor import Actor
from workflows.forms import FormInvalid
from workflows.tasks import attachments as files, notes as task_notes
from workflows.tasks.models import Attachment

from .db import get_process_engine, get_session
from .guards import guard
from .inbox import _render_task, get_task

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


def upload_from_request(task, actor: Actor) -> Attachment:
    """The request's ``file`` kept as an attachment of the task's instance (flushed, not committed)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise files.AttachmentRefused("请选择要上传的文件")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    content = upload.stream.read(limit + 1)
    return files.upload(get_session(), task, actor, upload.filename, content, max_bytes=limit,
                        now=get_process_engine().clock.now())


def send_attachment(attachment: Attachment):
    """The file as a download: never shown inline, its type fixed, its Chinese name kept (RFC 5987)."""
    response = send_file(io.BytesIO(attachment.content), mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.filename, etag=attachment.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/tasks/<int:task_id>/attachments")
def upload(task_id: int):
    session, task = get_session(), get_task(task_id)
    try:
        attachment = upload_from_request(task, current_user.actor)
    except FormInvalid as refused:
        session.rollback()
        return _render_task(task, status=422, note_errors=refused.errors)
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
        return _render_task(task, status=422, note_errors=invalid.errors)
    session.commit()
    flash("意见已发表")
    return redirect(url_for("inbox.task", task_id=task.id) + "#comments")
