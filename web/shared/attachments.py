"""Attachments in and out over HTTP, for the task page's forms and the API alike: the request's file kept on a
task's instance, and a stored file sent as a download."""
from __future__ import annotations

import io

from flask import current_app, request, send_file

from workflows.accounts.actor import Actor
from workflows.tasks import attachments as files
from workflows.tasks.models import Attachment

from ..core.db import get_process_engine, get_session


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
