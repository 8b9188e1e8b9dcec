"""Users: one unit each, one role; passwords hashed."""
from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import Unit
from .models import ROLES, User

USERNAME = re.compile(r"^[a-z0-9_.-]{2,60}$")
MIN_PASSWORD = 4


class AccountError(Exception):
    """A user that cannot be created or changed as asked."""


def create_user(session: Session, *, username: str, unit_code: str, role: str, password: str,
                display_name: str = "", password_hash: str | None = None) -> User:
    """``password_hash``, when given, is the already hashed ``password`` (the demo hashes its one password once)."""
    if not USERNAME.fullmatch(username or ""):  # not match(): "$" lets "office\n" through
        raise AccountError(f"用户名“{username}”无效：只能用小写字母、数字、_ . -，2–60 个字符")
    if role not in ROLES:
        raise AccountError(f"角色“{role}”无效，可选：{', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    unit = session.get(Unit, unit_code)
    if unit is None or unit.is_group:
        raise AccountError(f"单位代码“{unit_code}”不存在")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"用户名“{username}”已存在")
    user = User(username=username, unit_code=unit.code, role=role, display_name=display_name or unit.name)
    if password_hash is None:
        user.set_password(password)
    else:
        user.password_hash = password_hash
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))
