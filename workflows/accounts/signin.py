"""Signing in: checking a password, and refusing a name or an address that keeps guessing.

Failed attempts live in the ``login_attempt`` table, so every web worker counts the same failures.
Times here are real (UTC), never the simulated clock: the lock protects the live system.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import LoginAttempt, User
from .users import find_user

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
KEEP_ATTEMPTS = timedelta(days=1)


class LoginRefused(Exception):
    """Wrong name or password, or an account that may not sign in; the message says no more than needed."""


class TooManyAttempts(Exception):
    """Too many failures for this name or from this address; try again later."""


def authenticate(session: Session, username: str, password: str, remote_addr: str, now: datetime) -> User:
    """The user with this name and password; raises TooManyAttempts or LoginRefused (and counts the failure)."""
    username = (username or "").strip().lower()
    if is_locked(session, LoginAttempt.username == username, now) or \
            is_locked(session, LoginAttempt.remote_addr == remote_addr, now):
        raise TooManyAttempts(f"登录失败次数过多，请 {int(LOCKOUT.total_seconds() // 60)} 分钟后再试")
    user = find_user(session, username)
    if user is None or not user.check_password(password or ""):
        _record_failure(session, username, remote_addr, now)
        raise LoginRefused("用户名或密码错误")
    if not user.active:
        # Only someone who knows the password learns that the account is disabled.
        raise LoginRefused("该账号已停用，请联系区推进办")
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
    return user


def is_locked(session: Session, which, now: datetime) -> bool:
    """Locked while the latest failure is younger than LOCKOUT and closed MAX_FAILURES within WINDOW."""
    latest = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(which))
    if latest is None or now - latest >= LOCKOUT:
        return False
    count = session.scalar(select(func.count(LoginAttempt.id)).where(
        which, LoginAttempt.attempted_at > latest - WINDOW, LoginAttempt.attempted_at <= latest))
    return count >= MAX_FAILURES


def _record_failure(session: Session, username: str, remote_addr: str, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - KEEP_ATTEMPTS))
    session.add(LoginAttempt(username=username[:60], remote_addr=(remote_addr or "")[:64], attempted_at=now))
    session.flush()
