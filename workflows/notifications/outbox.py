"""Filling the outbox: each message also goes, by the channels its readers chose, to their e-mail and to their
unit's group robot. ``notify()`` calls :func:`enqueue` in the step's own transaction (a few cheap inserts); the
worker sends later (delivery.py), so a mail server that is down never holds up the work.

Preferences: a user's choice per kind (``ChannelPreference``), else the office's defaults (``DEFAULT_EMAIL_KINDS``
by e-mail, the rest in the 消息 centre only)."""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from .models import DEFAULT_EMAIL_KINDS, KINDS, ChannelPreference, Notification, OutboxItem, RobotWebhook

# notifications/ sits below accounts/ (which writes messages too), so it reads the two columns it needs by name.
_users = table("user_account", column("username"), column("unit_code"), column("email"), column("active"))
EMAIL_PATTERN = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")
WEBHOOK_PATTERN = re.compile(r"https?://[^\s]+")


class ChannelError(ValueError):
    """A refused setting; ``field`` names the form field, ``str()`` is the Chinese message."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def checked_email(text: str) -> str | None:
    """The address as stored ('' → None); raises ChannelError for one that is not an e-mail address."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 254 or not EMAIL_PATTERN.fullmatch(text):
        raise ChannelError(f"“{text[:60]}”不是有效的电子邮箱地址", "email")
    return text


def checked_webhook(text: str) -> str | None:
    """A group robot's URL ('' → None: no robot); raises ChannelError unless it is an http(s) URL."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 500 or not WEBHOOK_PATTERN.fullmatch(text):
        raise ChannelError("群机器人地址须以 https:// 或 http:// 开头，且不超过 500 个字符", "url")
    return text


def preference_of(session: Session, username: str) -> ChannelPreference:
    """The user's row, or an unsaved one holding the office's defaults."""
    row = session.get(ChannelPreference, username)
    if row is None:
        row = ChannelPreference(username=username, daily_digest=False,
                                channels={kind: ["email"] for kind in DEFAULT_EMAIL_KINDS})
    return row


def wants(preference: ChannelPreference, kind: str, channel: str) -> bool:
    """Whether this kind reaches the user by this channel."""
    return channel in (preference.channels or {}).get(kind, [])


def set_preference(session: Session, username: str, email_kinds: list[str], daily_digest: bool) -> ChannelPreference:
    """Save the kinds the user wants by e-mail and the digest choice; raises ChannelError for an unknown kind."""
    unknown = [kind for kind in email_kinds if kind not in KINDS]
    if unknown:
        raise ChannelError(f"未知的消息类型：{'、'.join(unknown)[:60]}", "email_kinds")
    row = preference_of(session, username)
    row.channels = {kind: ["email"] for kind in KINDS if kind in email_kinds}
    row.daily_digest = daily_digest
    session.add(row)
    return row


def set_webhook(session: Session, unit_code: str, url: str) -> RobotWebhook | None:
    """Set (or with '' remove) a unit's group robot."""
    url = checked_webhook(url)
    row = session.get(RobotWebhook, unit_code)
    if url is None:
        if row is not None:
            session.delete(row)
        return None
    if row is None:
        row = RobotWebhook(unit_code=unit_code, url=url)
        session.add(row)
    row.url = url
    return row


def enqueue(session: Session, message: Notification) -> list[OutboxItem]:
    """The outbox rows for a new message: an e-mail to each active reader with an address who wants this kind by
    e-mail (held for the digest if they chose it), and a post to the unit's group robot."""
    at = message.created_at
    with session.no_autoflush:
        readers = _email_readers(session, message)
        robot = session.get(RobotWebhook, message.unit_code) if message.unit_code else None
    items = [OutboxItem(notification=message, channel="email", address=email, attempts=0, next_attempt_at=at,
                        created_at=at, state="held" if preference.daily_digest else "pending")
             for email, preference in readers if wants(preference, message.kind, "email")]
    if robot is not None:
        items.append(OutboxItem(notification=message, channel="webhook", address=robot.url, attempts=0,
                                next_attempt_at=at, created_at=at, state="pending"))
    session.add_all(items)
    return items


def _email_readers(session: Session, message: Notification):
    query = select(_users.c.username, _users.c.email).where(_users.c.active.is_(True), _users.c.email.is_not(None),
                                                            _users.c.email != "")
    if message.unit_code is not None:
        query = query.where(_users.c.unit_code == message.unit_code)
    else:
        query = query.where(_users.c.username == message.username)
    return [(email, preference_of(session, username)) for username, email in session.execute(query).all()]

