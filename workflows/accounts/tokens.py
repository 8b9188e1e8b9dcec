"""API tokens: `Authorization: Bearer <token>`. Only a hash is stored; the token is shown once.

A token carries a name (what it is for), expires ``days`` after it is issued (the app's ``API_TOKEN_DAYS``,
90 by default) and can be revoked by its owner or the office; a password change or reset and a deactivation
revoke all of a user's tokens (sessions.sign_out_everywhere). Times are naive UTC, real time, never the
simulated clock.

When a token was last used is bookkeeping, not security: it is written at most once per ``USE_RECORDED_EVERY``
per token, by ``record_use`` in a transaction of its own, so that API requests do not each take the database's
write lock (on SQLite one slow request holding it made every other request wait 30 s and fail).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .models import ApiToken, User

PREFIX = "ptk_"
DEFAULT_DAYS = 90
MAX_NAME = 100
USE_RECORDED_EVERY = timedelta(minutes=10)
STATES = {"active": "有效", "expired": "已过期", "revoked": "已撤销"}


class TokenRefused(Exception):
    """A Bearer token that opens nothing (unknown, expired, revoked, or its user deactivated); the message is
    Chinese and says which, since only the token's holder can learn it."""


class TokenNotFound(Exception):
    """No such token, or not one the acting user may see."""

    status = 404


class InvalidTokenName(Exception):
    status = 422


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, now: datetime, name: str = "", days: int = DEFAULT_DAYS) -> str:
    """A new token for ``user``, valid ``days`` days from ``now``; returns the token itself (the only time it is
    seen). Raises InvalidTokenName for a name over MAX_NAME characters. No commit."""
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise InvalidTokenName(f"令牌名称最多 {MAX_NAME} 个字符")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_digest(token), name=name, created_at=now,
                         expires_at=now + timedelta(days=days)))
    session.flush()
    return token


def token_in_use(session: Session, token: str, now: datetime) -> ApiToken:
    """The token's row, its user active and the token neither expired nor revoked; raises TokenRefused."""
    if not token:
        raise TokenRefused("需要有效的 API 令牌：Authorization: Bearer <令牌>")
    row = None
    if token.startswith(PREFIX) and len(token) <= 200:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        raise TokenRefused("API 令牌无效：请使用签发时显示的完整令牌")
    if row.revoked_at is not None:
        raise TokenRefused("API 令牌已被撤销，请向区推进办申请新的令牌")
    if row.expires_at <= now:
        raise TokenRefused(f"API 令牌已于 {row.expires_at:%Y-%m-%d} 过期，请向区推进办申请新的令牌")
    if not row.user.active:
        raise TokenRefused("该账号已停用，API 令牌不再有效")
    return row


def use_is_due(row: ApiToken, now: datetime) -> bool:
    """Whether ``last_used_at`` is older than USE_RECORDED_EVERY (or unset), so this use should be written."""
    return row.last_used_at is None or now - row.last_used_at >= USE_RECORDED_EVERY


def record_use(session: Session, token_id: int, now: datetime) -> bool:
    """Set the token's ``last_used_at`` to ``now`` unless another request did within USE_RECORDED_EVERY; True
    when a row changed. Meant for a session of its own, committed at once by the caller."""
    result = session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - USE_RECORDED_EVERY),
    ).values(last_used_at=now))
    return result.rowcount > 0


def state(row: ApiToken, now: datetime) -> str:
    """A key of STATES: revoked before expired, since revoking is what someone did."""
    if row.revoked_at is not None:
        return "revoked"
    return "expired" if row.expires_at <= now else "active"


def tokens_of(session: Session, user_id: int | None = None) -> list[ApiToken]:
    """The tokens of one user, or of everyone when ``user_id`` is None, newest first."""
    query = select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(session.scalars(query))


def get_token(session: Session, token_id: int, owner_id: int | None = None) -> ApiToken:
    """The token with this id, which must belong to ``owner_id`` when one is given; raises TokenNotFound."""
    row = session.get(ApiToken, token_id)
    if row is None or (owner_id is not None and row.user_id != owner_id):
        raise TokenNotFound(f"API 令牌 {token_id} 不存在")
    return row


def revoke(row: ApiToken, now: datetime) -> bool:
    """Revoke the token from ``now`` on; False if it already was (its first revocation time is kept). No commit."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


def revoke_all(session: Session, user_id: int, now: datetime) -> int:
    """Revoke every token of the user not yet revoked; the number revoked. No commit."""
    result = session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
                             .values(revoked_at=now))
    return result.rowcount
