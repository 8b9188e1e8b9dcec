"""Signed-in sessions kept on the server: signing out, a new password or a deactivation really ends them.

Why a row per session and not a per-user "session epoch" in the cookie: an epoch can only end all of a user's
sessions at once, but signing out in one browser must end that browser's session alone (the same clerk may be
signed in at the office and in a meeting room). A row per session does both, and lets the owner see where they
are signed in. The cookie (Flask's signed session) carries a random token; the table keeps only its SHA-256, so
reading the database gives no cookie to replay.

A session is live while it has not ended, its user is active and it was seen within the idle limit the app
passes (its ``PERMANENT_SESSION_LIFETIME``). ``last_seen_at`` is written at most once per
``SEEN_RECORDED_EVERY``, in a transaction of its own (see tokens.py for why), so the idle limit holds to within
that much. Times are naive UTC, real time.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from . import tokens
from .models import User, UserSession

SEEN_RECORDED_EVERY = timedelta(minutes=10)
KEEP_ENDED = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(session: Session, user: User, now: datetime) -> str:
    """A new session for ``user``; returns its token, for the signed cookie only. Sessions ended or unseen for
    KEEP_ENDED go at the same time. No commit."""
    session.execute(delete(UserSession).where(or_(UserSession.ended_at < now - KEEP_ENDED,
                                                  UserSession.last_seen_at < now - KEEP_ENDED)))
    token = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=_digest(token), created_at=now, last_seen_at=now))
    session.flush()
    return token


def live_session(session: Session, token: str, now: datetime, idle: timedelta) -> UserSession | None:
    """The session this cookie token opens (not ended, user active, seen within ``idle`` plus the bookkeeping
    slack), or None: a cookie is either a live session or no session."""
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    if row is None or row.ended_at is not None or not row.user.active:
        return None
    return row if now - row.last_seen_at <= idle + SEEN_RECORDED_EVERY else None


def seen_is_due(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= SEEN_RECORDED_EVERY


def record_seen(session: Session, session_id: int, now: datetime) -> bool:
    """Set ``last_seen_at`` unless another request did within SEEN_RECORDED_EVERY; True when a row changed.
    Meant for a session of its own, committed at once by the caller."""
    result = session.execute(update(UserSession).where(
        UserSession.id == session_id, UserSession.last_seen_at <= now - SEEN_RECORDED_EVERY,
    ).values(last_seen_at=now))
    return result.rowcount > 0


def end_session(session: Session, token: str, now: datetime) -> None:
    """End the session of this cookie token (signing out); nothing happens if it has ended already. No commit."""
    session.execute(update(UserSession).where(UserSession.token_hash == _digest(token or ""),
                                              UserSession.ended_at.is_(None)).values(ended_at=now))


def sign_out_everywhere(session: Session, user_id: int, now: datetime) -> None:
    """End every session of the user and revoke every API token (after a password change or reset, or a
    deactivation): whoever had a copy of a cookie or a token has nothing left. No commit."""
    session.execute(update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                    .values(ended_at=now))
    tokens.revoke_all(session, user_id, now)


def sessions_of(session: Session, user_id: int, now: datetime, idle: timedelta) -> list[UserSession]:
    """The user's live sessions, most recently seen first."""
    rows = session.scalars(select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
                           .order_by(UserSession.last_seen_at.desc()))
    return [row for row in rows if now - row.last_seen_at <= idle + SEEN_RECORDED_EVERY]
