"""Files units upload on a task: which kinds are accepted (by extension and by their first bytes), the size
limit, a safe file name, and who may download or delete them.

An attachment belongs to the process instance (everyone who works on the instance sees it) and remembers the
task it was uploaded on; its uploader may delete it while that task is open.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Collection, Iterator
from datetime import datetime
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import HumanTask, NotFound, TaskNotReady

from ..accounts.actor import Actor, NotAllowed
from ..forms import FormInvalid
from .models import Attachment
from .permissions import may_complete, may_view_instance

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 120  # characters, extension included

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of .doc, .xls, .ppt and Kingsoft's .wps, .et
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
CONTENT_TYPES = {
    "pdf": "application/pdf", "doc": "application/msword", "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "wps": "application/vnd.ms-works", "et": "application/vnd.ms-excel", "ofd": "application/ofd",
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "txt": "text/plain; charset=utf-8",
    "zip": "application/zip",
}
ALLOWED_TEXT = "PDF、Word、Excel、PowerPoint、WPS、OFD、JPG、PNG、TXT、ZIP"


class AttachmentRefused(FormInvalid):
    """An upload that is not accepted (a form error on its ``file`` field); the message says why."""

    def __init__(self, message: str):
        super().__init__({"file": message})
        self.message = message


def size_text(size: int) -> str:
    """Bytes the way a person reads them: 980 字节, 12.5 KB, 10 MB."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB".replace(".0 ", " ")
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 ", " ")


def clean_filename(raw: str | None) -> str:
    """The name without any folder, control or reserved characters; Chinese is kept. Raises AttachmentRefused."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C" and c not in '<>:"|?*')
    name = re.sub(r"\s+", " ", name).strip(" .")
    if "." not in name or not name.rsplit(".", 1)[0].strip():
        raise AttachmentRefused("文件名无效：应包含名称和扩展名，如“进展材料.pdf”")
    stem, extension = name.rsplit(".", 1)
    return f"{stem[:MAX_NAME - len(extension) - 1].strip()}.{extension.lower()}"


def _zip_names(content: bytes) -> list[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return []


def _text_like(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_matches(extension: str, content: bytes) -> bool:
    """Whether the file's first bytes (and, for Office and OFD files, its parts) fit its extension."""
    if extension == "pdf":
        return content.startswith(b"%PDF-")
    if extension in ("jpg", "jpeg"):
        return content.startswith(b"\xff\xd8\xff")
    if extension == "png":
        return content.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("doc", "xls", "ppt"):
        return content.startswith(OLE2)
    if extension in ("wps", "et"):
        return content.startswith(OLE2) or (content.startswith(ZIP) and bool(_zip_names(content)))
    if extension in OOXML_PART:
        names = _zip_names(content) if content.startswith(ZIP) else []
        return "[Content_Types].xml" in names and any(n.startswith(OOXML_PART[extension]) for n in names)
    if extension == "ofd":
        return content.startswith(ZIP) and any(n.upper().endswith("OFD.XML") for n in _zip_names(content))
    if extension == "zip":
        return content.startswith(ZIP)
    if extension == "txt":
        return _text_like(content)
    return False


def check_file(raw_name: str | None, content: bytes, max_bytes: int) -> tuple[str, str]:
    """The clean name and content type of an acceptable file; raises AttachmentRefused saying what is wrong."""
    name = clean_filename(raw_name)
    extension = name.rsplit(".", 1)[1]
    if extension not in CONTENT_TYPES:
        raise AttachmentRefused(f"不支持 .{extension} 文件，可以上传：{ALLOWED_TEXT}")
    if not content:
        raise AttachmentRefused(f"文件“{name}”是空文件")
    if len(content) > max_bytes:
        raise AttachmentRefused(f"文件“{name}”有 {size_text(len(content))}，超过了 {size_text(max_bytes)} 的上限")
    if not content_matches(extension, content):
        raise AttachmentRefused(f"文件“{name}”的内容与扩展名 .{extension} 不符，请上传真实的 {extension.upper()} 文件")
    return name, CONTENT_TYPES[extension]


def check_may_upload(task: HumanTask, actor: Actor) -> None:
    """The task's own unit uploads, while the task is open."""
    if not may_complete(actor, task):
        raise NotAllowed(f"只有办理任务“{task.name}”的单位可以上传附件")
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态，不能再上传附件")


def upload(session: Session, task: HumanTask, actor: Actor, raw_name: str | None, content: bytes, *,
           max_bytes: int = DEFAULT_MAX_BYTES, now: datetime) -> Attachment:
    """Keep an acceptable file on the task's instance; raises AttachmentRefused, NotAllowed or TaskNotReady."""
    check_may_upload(task, actor)
    name, content_type = check_file(raw_name, content, max_bytes)
    attachment = Attachment(
        instance_id=task.instance_id, human_task_id=task.id, filename=name, content_type=content_type,
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), content=content,
        uploaded_by=actor.username, unit_code=actor.unit_code, uploaded_at=now.replace(tzinfo=None))
    session.add(attachment)
    session.flush()
    return attachment


def of_instance(session: Session, instance_id: int) -> list[Attachment]:
    """The instance's files, oldest first (their content is loaded only when read)."""
    return list(session.scalars(select(Attachment).where(Attachment.instance_id == instance_id)
                                .order_by(Attachment.uploaded_at, Attachment.id)))


class InstanceFiles(Collection[int]):
    """The ids of the files uploaded to an instance, as the form's ``attachments`` fields check them: read from
    the database when a submission first names a file, so a completion that names none costs no query."""

    def __init__(self, session: Session, instance_id: int):
        self.session, self.instance_id = session, instance_id

    @cached_property
    def ids(self) -> frozenset[int]:
        return frozenset(self.session.scalars(select(Attachment.id).where(Attachment.instance_id == self.instance_id)))

    def __contains__(self, attachment_id: object) -> bool:
        return attachment_id in self.ids

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)


def visible(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    """The attachment if this person may see its instance; NotFound otherwise, so others learn nothing."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not may_view_instance(session, actor, attachment.instance_id):
        raise NotFound(f"附件 {attachment_id} 不存在")
    return attachment


def may_delete(attachment: Attachment, actor: Actor, task_state: str | None) -> bool:
    return attachment.uploaded_by == actor.username and task_state == "ready" and actor.role != "auditor"


def delete(session: Session, actor: Actor, attachment_id: int) -> Attachment:
    """Remove a file: only its uploader, while the task it was uploaded on is open."""
    attachment = visible(session, actor, attachment_id)
    task = session.get(HumanTask, attachment.human_task_id) if attachment.human_task_id else None
    if not may_delete(attachment, actor, task.state if task else None):
        raise NotAllowed(f"附件“{attachment.filename}”只能由上传人在任务办理期间删除")
    session.delete(attachment)
    session.flush()
    return attachment
