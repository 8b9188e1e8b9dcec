"""The decision editor's table: drafts of DMN files not yet published."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models import Base


class DecisionDraft(Base):
    """A DMN file the office is still editing, one per decision key (its first decision's id); publishing it
    deploys each of its decisions as a new version."""

    __tablename__ = "decision_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    dmn_xml: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(100))
    saved_at: Mapped[datetime] = mapped_column(DateTime)
