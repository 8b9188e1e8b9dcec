"""The notification table: one message for a unit (every user of it sees it) or for one user."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String
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


# channel → what the pages call it; "inapp" is the 消息 centre itself, always on
CHANNELS = {"inapp": "站内消息", "email": "电子邮件", "webhook": "群机器人"}
# what each kind reaches by default (a district's office: the work that needs a unit now also by e-mail)
DEFAULT_EMAIL_KINDS = ("task_arrived", "report_returned", "chased")
OUTBOX_STATES = {"pending": "待发送", "held": "待汇总（每日摘要）", "sent": "已发送", "failed": "发送失败"}


class OutboxItem(Base):
    """One delivery of a message by a channel outside the product: ``channel`` "email" to ``address`` (an e-mail
    address) or "webhook" to ``address`` (a group robot's URL). Written with the message in the step's transaction,
    sent later by the worker (delivery.py). ``state``: pending → sent, or back to pending with ``attempts`` + 1
    and a later ``next_attempt_at`` (naive UTC) after a failure, failed after the last attempt; "held" waits for
    the user's daily digest."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    notification: Mapped[Notification] = relationship()

    @property
    def state_name(self) -> str:
        return OUTBOX_STATES.get(self.state, self.state)

    @property
    def channel_name(self) -> str:
        return CHANNELS.get(self.channel, self.channel)


class ChannelPreference(Base):
    """A user's choice: for each kind, the channels beside the 消息 centre (``channels``: kind → ["email"]), and
    whether their e-mails come once a day as one digest. No row: the office's defaults."""

    __tablename__ = "notification_preference"

    username: Mapped[str] = mapped_column(String(60), primary_key=True)
    channels: Mapped[dict] = mapped_column(JSON, default=dict)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=False)


class RobotWebhook(Base):
    """A group robot (企业微信 or 钉钉) of a unit — the office is a unit too: its unit's messages are posted there."""

    __tablename__ = "robot_webhook"

    unit_code: Mapped[str] = mapped_column(String(60), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
