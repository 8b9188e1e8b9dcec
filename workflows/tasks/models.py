"""What units leave on a task besides its form: drafts, comments, attachments and deadline-extension requests.

Comments and attachments belong to the process instance (everyone working on the project's process sees
them), and remember the task they were made on. A draft belongs to one human task and goes when it is done.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from engine.models import Base, HumanTask


class TaskDraft(Base):
    """The form of a human task as last saved without submitting it (one per task)."""

    __tablename__ = "task_draft"

    human_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_by: Mapped[str] = mapped_column(String(60))
    saved_at: Mapped[datetime] = mapped_column(DateTime)


class TaskComment(Base):
    __tablename__ = "task_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    author: Mapped[str] = mapped_column(String(60))
    unit_code: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Attachment(Base):
    """An uploaded file, kept in the database so that it commits or rolls back with the rest."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    uploaded_by: Mapped[str] = mapped_column(String(60))
    unit_code: Mapped[str] = mapped_column(String(60))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime)


class DeadlineExtension(Base):
    """A unit's 延期申请 for one of its open tasks, decided by the office in the deadline_extension process."""

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    human_task_id: Mapped[int] = mapped_column(ForeignKey("human_task.id"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), index=True)  # the request's own
    unit_code: Mapped[str] = mapped_column(String(60), index=True)
    requested_by: Mapped[str] = mapped_column(String(60))
    current_due_on: Mapped[date | None] = mapped_column(Date)
    requested_due_on: Mapped[date] = mapped_column(Date)
    approved_due_on: Mapped[date | None] = mapped_column(Date)  # may differ from the date asked for
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | approved | refused | void
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    human_task: Mapped[HumanTask] = relationship()
