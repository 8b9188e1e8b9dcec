"""Administration by the office and the administrator: the members of vague unit groups, and user accounts.

Fixed groups (各街道、镇) take their members from ``directory/data/units.yaml``; only groups marked
``members_set_by_office`` (区相关委办局 …) are edited here. Accounts are created through ``users.py``;
passwords set here must be at least ``MIN_PASSWORD`` characters. Only an administrator may create,
reset or deactivate an administrator's account, so the office cannot give itself more rights. A new password
(reset by the office or changed by its owner) and a deactivation end all of the user's sessions and revoke all
their API tokens (sessions.sign_out_everywhere), at the real time in UTC.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import UNIT_KINDS, Unit
from . import tokens
from .models import ApiToken, User
from .sessions import sign_out_everywhere
from .users import AccountError, create_user

MIN_PASSWORD = 8
MEMBER_KINDS = ("department", "street", "town", "mass_organisation", "other", "office", "supervision")
# A group's name says what its members can be: 区相关委办局 are district bodies, 各街道、镇党(工)委 sit in streets.
KINDS_BY_NAME = (
    ("委办局", ("department",)),
    ("部门", ("department", "mass_organisation", "other")),
    ("街道", ("street", "town")),
)


class AdminError(Exception):
    """A change the administration pages refuse; ``field`` names the form field at fault, if one is."""

    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(AdminError):
    status = 404


class NotEditable(AdminError):
    """The thing exists but may not be changed this way (a fixed group, one's own account)."""

    status = 409


class Forbidden(AdminError):
    status = 403


# --- units and groups -------------------------------------------------------------------------


def units_with_groups(session: Session) -> list[Unit]:
    """Every unit and group, groups last, each with its members and groups loaded."""
    query = select(Unit).options(selectinload(Unit.members), selectinload(Unit.groups)).order_by(Unit.code)
    kinds = list(UNIT_KINDS)
    return sorted(session.scalars(query), key=lambda unit: (kinds.index(unit.kind), unit.code))


def get_unit(session: Session, code: str) -> Unit:
    unit = session.get(Unit, code)
    if unit is None:
        raise NotFound(f"单位代码“{code}”不存在")
    return unit


def member_kinds(group: Unit) -> tuple[str, ...]:
    """The kinds of unit that may belong to this group."""
    return next((kinds for word, kinds in KINDS_BY_NAME if word in group.name), MEMBER_KINDS)


def possible_members(session: Session, group: Unit) -> list[Unit]:
    kinds = member_kinds(group)
    return [unit for unit in units_with_groups(session) if unit.kind in kinds]


def set_group_members(session: Session, code: str, member_codes: Iterable[str]) -> Unit:
    """Replace the members of a group the office sets; a fixed group or a plain unit is refused. No commit."""
    group = get_unit(session, code)
    if not group.is_group:
        raise NotEditable(f"“{group.name}”是单位，不是单位组，没有成员可设")
    if not group.members_set_by_office:
        raise NotEditable(f"“{group.name}”是固定单位组，成员以单位目录文件为准，不能在这里修改")
    kinds = member_kinds(group)
    members = []
    for member_code in dict.fromkeys(member_codes):
        member = session.get(Unit, member_code)
        if member is None:
            raise AdminError(f"单位代码“{member_code}”不存在", "members")
        if member.kind not in kinds:
            allowed = "、".join(UNIT_KINDS[kind] for kind in kinds)
            raise AdminError(f"“{member.name}”（{UNIT_KINDS[member.kind]}）不能作为“{group.name}”的成员，"
                             f"只能选{allowed}", "members")
        members.append(member)
    group.members = sorted(members, key=lambda unit: unit.code)
    session.flush()
    return group


# --- users ------------------------------------------------------------------------------------


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.role, User.username)))


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在")
    return user


def create_account(session: Session, *, acting_role: str, username: str, display_name: str, unit_code: str,
                   role: str, password: str) -> User:
    """A new active user; the rules of ``accounts.create_user`` plus the longer password. No commit."""
    if role == "admin" and acting_role != "admin":
        raise Forbidden("只有系统管理员可以创建系统管理员账号", "role")
    _check_password(password)
    try:
        return create_user(session, username=(username or "").strip(), unit_code=unit_code, role=role,
                           password=password, display_name=(display_name or "").strip())
    except AccountError as error:
        raise AdminError(str(error), _account_field(str(error))) from None


def reset_password(session: Session, *, acting_role: str, user_id: int, password: str) -> User:
    user = get_user(session, user_id)
    _check_may_manage(user, acting_role)
    _check_password(password)
    user.set_password(password)
    sign_out_everywhere(session, user.id, datetime.utcnow())
    session.flush()
    return user


def change_own_password(session: Session, *, user_id: int, current_password: str, new_password: str,
                        repeated: str) -> User:
    """The owner's new password, after the current one; every session and token of theirs ends (the caller opens
    a new session for the browser that asked). Raises AdminError naming the field. No commit."""
    user = get_user(session, user_id)
    if not user.check_password(current_password or ""):
        raise AdminError("当前密码不正确", "current_password")
    _check_password(new_password)
    if new_password != repeated:
        raise AdminError("两次输入的新密码不一致", "repeated")
    user.set_password(new_password)
    sign_out_everywhere(session, user.id, datetime.utcnow())
    session.flush()
    return user


def set_active(session: Session, *, acting_username: str, acting_role: str, user_id: int, active: bool) -> User:
    """Deactivate or reactivate an account; nobody can deactivate their own. Deactivating ends the user's
    sessions and revokes their tokens; reactivating gives none back. No commit."""
    user = get_user(session, user_id)
    _check_may_manage(user, acting_role)
    if not active and user.username == acting_username:
        raise NotEditable("不能停用自己正在使用的账号")
    user.active = active
    if not active:
        sign_out_everywhere(session, user.id, datetime.utcnow())
    session.flush()
    return user


def revoke_token(session: Session, *, acting_role: str, token_id: int) -> ApiToken:
    """Revoke any user's token from the administration pages; an administrator's only by an administrator."""
    try:
        row = tokens.get_token(session, token_id)
    except tokens.TokenNotFound as error:
        raise NotFound(str(error)) from None
    _check_may_manage(row.user, acting_role)
    tokens.revoke(row, datetime.utcnow())
    session.flush()
    return row


def _check_may_manage(user: User, acting_role: str) -> None:
    if user.role == "admin" and acting_role != "admin":
        raise Forbidden(f"“{user.username}”是系统管理员账号，只有系统管理员可以修改")


def _check_password(password: str | None) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AdminError(f"密码至少 {MIN_PASSWORD} 个字符", "password")


def _account_field(message: str) -> str:
    for word, field in (("用户名", "username"), ("角色", "role"), ("单位", "unit_code"), ("密码", "password")):
        if message.startswith(word):
            return field
    return "username"
