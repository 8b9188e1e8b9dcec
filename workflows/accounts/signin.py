"""Signing in: checking a password, and refusing a name and address that keep guessing.

Two locks, both counted in the ``login_attempt`` table so every web worker sees the same failures:

- the (name, address) pair: MAX_FAILURES (5) wrong passwords for one name from one address within WINDOW lock
  that name from that address for LOCKOUT (15 min). The same name from another address, and every other name
  from this address, still sign in: one clerk's typos, or a guesser at ``admin``, lock nobody else out.
- the address: MAX_ADDRESS_FAILURES (50) failures for any names within WINDOW lock the address. That is high
  enough for a whole office behind one NAT address on a bad morning, and still stops one machine from trying
  many names. There is no lock on a name from every address: it would let anyone lock ``admin`` out at will.

Times here are real (UTC), never the simulated clock: the lock protects the live system.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import LoginAttempt, User
from .users import find_user

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 50
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
KEEP_ATTEMPTS = timedelta(days=1)


class LoginRefused(Exception):
    """Wrong name or password, or an account that may not sign in; the message says no more than needed."""


class TooManyAttempts(Exception):
    """Too many failures for this name from this address, or from this address at all; try again later."""


def authenticate(session: Session, username: str, password: str, remote_addr: str, now: datetime) -> User:
    """The user with this name and password; raises TooManyAttempts or LoginRefused (and counts the failure)."""
    username = (username or "").strip().lower()
    remote_addr = (remote_addr or "")[:64]
    pair = (LoginAttempt.username == username[:60], LoginAttempt.remote_addr == remote_addr)
    if is_locked(session, pair, now, MAX_FAILURES) or \
            is_locked(session, (LoginAttempt.remote_addr == remote_addr,), now, MAX_ADDRESS_FAILURES):
        raise TooManyAttempts(f"登录失败次数过多，请 {int(LOCKOUT.total_seconds() // 60)} 分钟后再试")
    user = find_user(session, username)
    if user is None or not user.check_password(password or ""):
        _record_failure(session, username, remote_addr, now)
        raise LoginRefused("用户名或密码错误")
    if not user.active:
        # Only someone who knows the password learns that the account is disabled.
        raise LoginRefused("该账号已停用，请联系区推进办")
    session.execute(delete(LoginAttempt).where(*pair))
    return user


def is_locked(session: Session, which: tuple, now: datetime, limit: int) -> bool:
    """Locked while the latest failure matching ``which`` (SQL conditions) is younger than LOCKOUT and closed
    ``limit`` failures within WINDOW."""
    latest = session.scalar(select(func.max(LoginAttempt.attempted_at)).where(*which))
    if latest is None or now - latest >= LOCKOUT:
        return False
    count = session.scalar(select(func.count(LoginAttempt.id)).where(
        *which, LoginAttempt.attempted_at > latest - WINDOW, LoginAttempt.attempted_at <= latest))
    return count >= limit


def _record_failure(session: Session, username: str, remote_addr: str, now: datetime) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - KEEP_ATTEMPTS))
    session.add(LoginAttempt(username=username[:60], remote_addr=remote_addr, attempted_at=now))
    session.flush()
