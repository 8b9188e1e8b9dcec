"""The process editor's table: drafts of diagrams not yet deployed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
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
