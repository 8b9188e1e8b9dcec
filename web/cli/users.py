"""`flask --app web users create|token`: accounts and API tokens."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from workflows.accounts import tokens, users
from workflows.accounts.models import ROLES

from ..core.db import get_session
from .common import fail

users_cli = AppGroup("users", help="用户")


@users_cli.command("create")
@click.argument("username")
@click.option("--unit", "unit_code", required=True, help="所属单位代码")
@click.option("--role", type=click.Choice(sorted(ROLES)), default="unit")
@click.password_option()
def users_create(username: str, unit_code: str, role: str, password: str):
    session = get_session()
    try:
        users.create_user(session, username=username, unit_code=unit_code, role=role, password=password)
    except users.AccountError as error:
        session.rollback()
        fail(str(error))
    session.commit()
    click.echo(f"已创建用户 {username}")


@users_cli.command("token")
@click.argument("username")
def users_token(username: str):
    """为用户签发一个 API 令牌（只显示这一次）：Authorization: Bearer <令牌>。"""
    session = get_session()
    user = users.find_user(session, username)
    if user is None or not user.active:
        fail(f"用户“{username}”不存在或已停用")
    token = tokens.issue_token(session, user, datetime.utcnow())
    session.commit()
    click.echo(token)
