"""The process editor's table: drafts of diagrams not yet deployed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class ProcessDraft(Base):
    """A diagram the office is still editing, one per process key; deploying it makes a version."""

    __tablename__ = "process_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    bpmn_xml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(DateTime)


class InstanceStart(Base):
    """Who started an instance through the general start path, for which project, and the one-time token of the
    start form or the API's Idempotency-Key: a second submission with the same token finds this row instead."""

    __tablename__ = "instance_start"

    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200), index=True)
    started_by: Mapped[str] = mapped_column(String(100), index=True)
    unit_code: Mapped[str] = mapped_column(String(60), index=True)
    project_key: Mapped[str | None] = mapped_column(String(50), index=True)
    request_key: Mapped[str | None] = mapped_column(String(200), unique=True)
