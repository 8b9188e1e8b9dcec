"""The 消息 centre's pages: the list of the user's (and their unit's) messages, marking one or all read, and the
bell with the unread count that base.html shows on every page (``unread_notifications()`` in templates); the
user's 通知设置 (their e-mail address and which kinds also come by e-mail) at /account/notifications."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflows.accounts.actor import NotAllowed
from workflows.accounts.models import User
from workflows.notifications import messages, outbox
from workflows.notifications.models import KINDS
from workflows.processes.instances import READERS as INSTANCE_READERS

from .core.db import get_session
from .shared.guards import guard

bp = guard(Blueprint("notifications", __name__))
PER_PAGE = 50


@bp.app_context_processor
def bell():
    """``unread_notifications()``: the signed-in user's unread count, asked only where the bell is drawn."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return messages.unread_count(get_session(), current_user.actor)

    return {"unread_notifications": unread_notifications}


def may_mark_read(role: str) -> None:
    """Auditors read the office's messages but change nothing, not even what the office has read."""
    if role == "auditor":
        raise NotAllowed("审计（只读）账号不能更改消息的已读状态")


def link_of(message) -> str:
    """Where a message leads: its task's page; for an instance (an incident) its page for those who read
    instances, else 我发起的; else the inbox."""
    if message.human_task_id is not None:
        return url_for("inbox.task", task_id=message.human_task_id)
    if message.instance_id is not None:
        if current_user.role in INSTANCE_READERS:
            return url_for("instances.show", instance_id=message.instance_id)
        return url_for("starts.started")
    return url_for("inbox.index")


@bp.get("/notifications")
def index():
    """The newest 50 messages of the user and their unit (``?unread=1``: the unread only)."""
    unread_only = request.args.get("unread") == "1"
    rows = messages.for_reader(get_session(), current_user.actor, unread_only=unread_only, limit=PER_PAGE)
    return render_template("notifications/index.html", rows=rows, link_of=link_of, unread_only=unread_only)


@bp.post("/notifications/<int:notification_id>/read")
def read(notification_id: int):
    """Mark one read; with ``open=1`` go on to what it is about, else back to the list."""
    may_mark_read(current_user.role)
    session = get_session()
    message = messages.mark_read(session, current_user.actor, notification_id, at=datetime.utcnow())
    session.commit()
    if request.form.get("open") == "1":
        return redirect(link_of(message))
    return redirect(url_for("notifications.index"))


@bp.post("/notifications/read-all")
def read_all():
    """Mark every unread message of the user and their unit read (全部标为已读)."""
    may_mark_read(current_user.role)
    session = get_session()
    count = messages.mark_all_read(session, current_user.actor, at=datetime.utcnow())
    session.commit()
    flash(f"已将 {count} 条消息标为已读" if count else "没有未读消息")
    return redirect(url_for("notifications.index"))


@bp.get("/account/notifications")
def preferences():
    """通知设置: the user's e-mail address, which kinds also come by e-mail, and the daily digest."""
    return _render_preferences()


@bp.post("/account/notifications")
def save_preferences():
    """Save the address and the choices; a bad address is a 422 naming the field, and nothing changes."""
    session = get_session()
    user = session.get(User, current_user.id)
    try:
        email = outbox.checked_email(request.form.get("email", ""))
        outbox.set_preference(session, user.username, request.form.getlist("email_kinds"),
                              daily_digest=request.form.get("daily_digest") == "1")
    except outbox.ChannelError as error:
        session.rollback()
        return _render_preferences(errors={error.field: str(error)}, status=422)
    user.email = email
    session.commit()
    flash("通知设置已保存")
    return redirect(url_for("notifications.preferences"))


def _render_preferences(errors: dict | None = None, status: int = 200):
    session = get_session()
    user = session.get(User, current_user.id)
    preference = outbox.preference_of(session, user.username)
    chosen = [kind for kind in KINDS if outbox.wants(preference, kind, "email")]
    return render_template("notifications/preferences.html", user=user, kinds=KINDS, chosen=chosen,
                           daily_digest=preference.daily_digest, errors=errors or {},
                           email=request.form.get("email", user.email or "") if errors else user.email or ""), status
