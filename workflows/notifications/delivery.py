"""Sending the outbox: the worker calls :func:`deliver_outbox` once per loop, after the timer sweep, in its own
transaction. E-mail goes over SMTP (standard library smtplib), group robots get the JSON that 企业微信 and 钉钉
accept (``{"msgtype": "text", "text": {"content": ...}}``, urllib). A failure is recorded on the row and tried
again later, the wait doubling each time (``RETRY_BASE_SECONDS`` · 2^attempts), until ``MAX_ATTEMPTS``: then the
row is failed and shows on /admin/outbox for 重发. Nothing here raises for a server's fault."""
from __future__ import annotations

import json
import smtplib
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import NotFound

from .models import OutboxItem

MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60.0
BATCH = 100
TIMEOUT_SECONDS = 10.0
SUBJECT = "督查督办系统消息"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class ChannelSettings:
    """Where to send: ``mail_server`` '' means e-mail is off (its rows wait); webhooks need no setting.
    ``timezone``: the office's, whose midnight ends a digest's day. ``public_url``: the site's address as a reader
    reaches it (config ``PUBLIC_URL``), which makes each message's link absolute."""

    mail_server: str = ""
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_from: str = ""
    timezone: str = "Asia/Shanghai"
    public_url: str = DEFAULT_PUBLIC_URL

    @classmethod
    def from_config(cls, config) -> ChannelSettings:
        """From the app's config (MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_FROM,
        TIMEZONE, PUBLIC_URL)."""
        return cls(mail_server=config.get("MAIL_SERVER") or "", mail_port=int(config.get("MAIL_PORT") or 25),
                   mail_username=config.get("MAIL_USERNAME") or "", mail_password=config.get("MAIL_PASSWORD") or "",
                   mail_use_tls=bool(config.get("MAIL_USE_TLS")), mail_from=config.get("MAIL_FROM") or "",
                   timezone=config.get("TIMEZONE") or "Asia/Shanghai",
                   public_url=config.get("PUBLIC_URL") or DEFAULT_PUBLIC_URL)


@dataclass
class DeliveryResult:
    """What one call sent, how many failed (to be retried or given up)."""

    sent: int = 0
    failed: int = 0


def deliver_outbox(session: Session, now: datetime, settings: ChannelSettings) -> DeliveryResult:
    """Send every due pending row and every digest whose day has ended; the caller commits. ``now`` naive UTC."""
    now = now.replace(tzinfo=None)
    result = DeliveryResult()
    for item in _due(session, now, settings):
        _attempt([item], now, result, lambda: _send(item, settings))
    for address, items in _digests_due(session, now, settings).items():
        _attempt(items, now, result, lambda: send_mail(settings, address, _digest_text(items, settings)))
    return result


def resend(session: Session, item_id: int, now: datetime) -> OutboxItem:
    """重发: a failed (or waiting) row is tried again at the next loop with its attempts reset."""
    item = session.get(OutboxItem, item_id)
    if item is None or item.state == "sent":
        raise NotFound(f"待发送记录 {item_id} 不存在或已发送")
    item.state, item.attempts, item.next_attempt_at = "pending", 0, now.replace(tzinfo=None)
    return item


def undelivered(session: Session, limit: int = 200) -> list[OutboxItem]:
    """Rows not yet sent, failed first then the oldest (the admin page)."""
    rows = session.scalars(select(OutboxItem).where(OutboxItem.state != "sent")
                           .order_by(OutboxItem.state == "pending", OutboxItem.id).limit(limit))
    return list(rows)


def _due(session: Session, now: datetime, settings: ChannelSettings) -> list[OutboxItem]:
    query = select(OutboxItem).where(OutboxItem.state == "pending", OutboxItem.next_attempt_at <= now)
    if not settings.mail_server:
        query = query.where(OutboxItem.channel != "email")
    # A second worker skips the rows this one holds (PostgreSQL; SQLite has one writer anyway): no mail goes twice.
    return list(session.scalars(query.order_by(OutboxItem.id).limit(BATCH).with_for_update(skip_locked=True)))


def _digests_due(session: Session, now: datetime, settings: ChannelSettings) -> dict[str, list[OutboxItem]]:
    """Held e-mails written before today's local midnight, by address: one mail each."""
    if not settings.mail_server:
        return {}
    zone = ZoneInfo(settings.timezone)
    local_midnight = now.replace(tzinfo=timezone.utc).astimezone(zone).replace(hour=0, minute=0, second=0,
                                                                              microsecond=0)
    day_start = local_midnight.astimezone(timezone.utc).replace(tzinfo=None)
    held = session.scalars(select(OutboxItem).where(OutboxItem.state == "held", OutboxItem.created_at < day_start,
                                                    OutboxItem.next_attempt_at <= now).order_by(OutboxItem.id))
    by_address: dict[str, list[OutboxItem]] = defaultdict(list)
    for item in held:
        by_address[item.address].append(item)
    return by_address


def _attempt(items: list[OutboxItem], now: datetime, result: DeliveryResult, send) -> None:
    try:
        send()
    except (OSError, ValueError, DeliveryFailed) as error:  # smtplib's and urllib's errors are OSErrors
        result.failed += 1
        for item in items:
            _record_failure(item, now, error)
        return
    result.sent += 1
    for item in items:
        item.state, item.sent_at, item.last_error = "sent", now, None


def _record_failure(item: OutboxItem, now: datetime, error: Exception) -> None:
    item.attempts += 1
    item.last_error = f"{type(error).__name__}: {error}"[:500]
    item.next_attempt_at = now + timedelta(seconds=RETRY_BASE_SECONDS * 2 ** (item.attempts - 1))
    if item.attempts >= MAX_ATTEMPTS:
        item.state = "failed"


class DeliveryFailed(Exception):
    """A server answered but refused (a group robot's non-zero errcode, an HTTP status over 299)."""


def link_of(notification, public_url: str) -> str:
    """The absolute address a message leads to: its task's page; for an instance (an incident) 我发起的, where the
    person who started it finds it whatever their role; else the inbox (the paths of web/inbox.py and
    web/starts.py, which the worker cannot ask Flask for)."""
    base = public_url.rstrip("/")
    if notification.human_task_id is not None:
        return f"{base}/tasks/{notification.human_task_id}"
    if notification.instance_id is not None:
        return f"{base}/started"
    return f"{base}/inbox"


def _with_link(notification, settings: ChannelSettings) -> str:
    return f"{notification.text}\n{link_of(notification, settings.public_url)}"


def _send(item: OutboxItem, settings: ChannelSettings) -> None:
    text = _with_link(item.notification, settings)
    if item.channel == "email":
        send_mail(settings, item.address, text)
    else:
        post_webhook(item.address, text)


def send_mail(settings: ChannelSettings, address: str, text: str) -> None:
    """One plain-text mail in UTF-8; raises smtplib's errors (OSError) on a refusal or a dead server."""
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = SUBJECT, settings.mail_from or settings.mail_username, address
    mail.set_content(text)
    with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=TIMEOUT_SECONDS) as smtp:
        if settings.mail_use_tls:
            smtp.starttls()
        if settings.mail_username:
            smtp.login(settings.mail_username, settings.mail_password)
        smtp.send_message(mail)


def post_webhook(url: str, text: str) -> None:
    """POST the robots' text message; raises DeliveryFailed when the robot answers with a non-zero errcode."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 — the admin's URL
        answer = response.read(65536)
    try:
        errcode = json.loads(answer or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        errcode = 0
    if errcode:
        raise DeliveryFailed(f"群机器人拒收：errcode {errcode}")


def _digest_text(items: list[OutboxItem], settings: ChannelSettings) -> str:
    zone = ZoneInfo(settings.timezone)
    lines = [f"您有 {len(items)} 条新消息："]
    for item in items:
        at = item.notification.created_at.replace(tzinfo=timezone.utc).astimezone(zone)
        lines.append(f"{at:%m月%d日 %H:%M}  {_with_link(item.notification, settings)}")
    return "\n".join(lines)
