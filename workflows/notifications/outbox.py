"""Filling the outbox: each message also goes, by the channels its readers chose, to their e-mail and to their
unit's group robot. ``notify()`` calls :func:`enqueue` in the step's own transaction (a few cheap inserts); the
worker sends later (delivery.py), so a mail server that is down never holds up the work.

Preferences: a user's choice per kind (``ChannelPreference``), else the office's defaults (``DEFAULT_EMAIL_KINDS``
by e-mail, the rest in the 消息 centre only)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import JSON, Boolean, String, column, literal, select, table, union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from .models import DEFAULT_EMAIL_KINDS, KINDS, ChannelPreference, Notification, OutboxItem, RobotWebhook

# notifications/ sits below accounts/ (which writes messages too), so it reads the two columns it needs by name.
_users = table("user_account", column("username"), column("unit_code"), column("email"), column("active"))
EMAIL_PATTERN = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+")
WEBHOOK_PATTERN = re.compile(r"https?://[^\s]+")
_READ_ONCE = "notification_recipients"  # session.info, within recipients_read_once: what one query read


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
        readers, robot_url = _recipients(session, message)
    items = [OutboxItem(notification=message, channel="email", address=email, attempts=0, next_attempt_at=at,
                        created_at=at, state="held" if preference.daily_digest else "pending")
             for email, preference in readers if wants(preference, message.kind, "email")]
    if robot_url is not None:
        items.append(OutboxItem(notification=message, channel="webhook", address=robot_url, attempts=0,
                                next_attempt_at=at, created_at=at, state="pending"))
    session.add_all(items)
    return items


@contextmanager
def recipients_read_once(session: Session, unit_codes: set[str]) -> Iterator[None]:
    """Within the block, :func:`enqueue` finds the readers and the robot of these units in what one query read
    (every user with an address and their preferences, every robot), not in two or more queries per message: a
    step that opens tasks for many units writes all their messages in one flush."""
    session.info[_READ_ONCE] = _read_units(session, unit_codes) if unit_codes else {}
    try:
        yield
    finally:
        session.info.pop(_READ_ONCE, None)


def _recipients(session: Session, message: Notification) -> tuple[list, str | None]:
    """[(e-mail, preference)] of the message's readers, and its unit's robot URL (or None)."""
    known = session.info.get(_READ_ONCE, {}).get(message.unit_code) if message.unit_code else None
    if known is None:
        robot = session.get(RobotWebhook, message.unit_code) if message.unit_code else None
        return _email_readers(session, message), (robot.url if robot is not None else None)
    readers, robot_url = known
    return ([(email, _unsaved(session, ChannelPreference, username) or preference)
             for username, email, preference in readers], _robot_in_session(session, message.unit_code, robot_url))


def _read_units(session: Session, unit_codes: set[str]) -> dict[str, tuple[list, str | None]]:
    """unit code → ([(username, e-mail, preference)], robot URL or None), from one query."""
    users = (select(_users.c.unit_code, _users.c.username, _users.c.email, ChannelPreference.channels,
                    ChannelPreference.daily_digest, literal(None, String).label("url"))
             .outerjoin(ChannelPreference, ChannelPreference.username == _users.c.username)
             .where(_users.c.unit_code.in_(unit_codes), _users.c.active.is_(True), _users.c.email.is_not(None),
                    _users.c.email != ""))
    robots = select(RobotWebhook.unit_code, literal(None, String), literal(None, String), literal(None, JSON),
                    literal(None, Boolean), RobotWebhook.url).where(RobotWebhook.unit_code.in_(unit_codes))
    found: dict[str, tuple[list, str | None]] = {code: ([], None) for code in unit_codes}
    for unit_code, username, email, channels, daily_digest, url in session.execute(union_all(users, robots)):
        readers, robot_url = found[unit_code]
        if url is not None:
            found[unit_code] = (readers, url)
        else:
            readers.append((username, email, _preference(username, channels, daily_digest)))
    return found


def _preference(username: str, channels: dict | None, daily_digest: bool | None) -> ChannelPreference:
    if channels is None and daily_digest is None:  # no row: the office's defaults
        return ChannelPreference(username=username, daily_digest=False,
                                 channels={kind: ["email"] for kind in DEFAULT_EMAIL_KINDS})
    return ChannelPreference(username=username, channels=channels, daily_digest=bool(daily_digest))


def _unsaved(session: Session, model, key):
    """The row of ``model`` with primary key ``key`` as this session holds it (loaded, changed or added since the
    batch was read; None if it holds none or deletes it): the session's word comes before the batch's."""
    row = session.identity_map.get(identity_key(model, key)) or next(
        (new for new in session.new if isinstance(new, model) and identity_key(instance=new)[1] == (key,)), None)
    return None if row is None or row in session.deleted else row


def _robot_in_session(session: Session, unit_code: str, robot_url: str | None) -> str | None:
    row = _unsaved(session, RobotWebhook, unit_code)
    if row is not None:
        return row.url
    deleted = any(isinstance(gone, RobotWebhook) and gone.unit_code == unit_code for gone in session.deleted)
    return None if deleted else robot_url


def _email_readers(session: Session, message: Notification):
    query = select(_users.c.username, _users.c.email).where(_users.c.active.is_(True), _users.c.email.is_not(None),
                                                            _users.c.email != "")
    if message.unit_code is not None:
        query = query.where(_users.c.unit_code == message.unit_code)
    else:
        query = query.where(_users.c.username == message.username)
    return [(email, preference_of(session, username)) for username, email in session.execute(query).all()]
