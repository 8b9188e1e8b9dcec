"""The notification table: one message for a unit (every user of it sees it) or for one user."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.models import Base, HumanTask, ProcessInstance

# kind → what the list calls it
KINDS = {
    "task_arrived": "新待办",
    "report_returned": "退回修改",
    "chased": "催办",
    "comment": "新意见",
    "extension_decided": "延期申请",
    "consultation_replied": "约请答复",
    "consultation_rated": "约请评价",
    "incident": "流程异常",
}


class Notification(Base):
    """A message: to ``unit_code`` (read by any of its users, once for all) or to ``username``; it points at the
    task (or instance) it is about. ``read_at`` is None while unread."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_unit_unread", "unit_code", "read_at"),
        Index("ix_notification_user_unread", "username", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(String(60))
    username: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(String(500))
    human_task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    human_task: Mapped[HumanTask | None] = relationship()
    instance: Mapped[ProcessInstance | None] = relationship()

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.kind, "消息")
