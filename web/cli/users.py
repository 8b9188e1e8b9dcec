"""`flask --app web users create|token|tokens|revoke-token`: accounts and their API tokens."""
from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
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
@click.option("--name", default="命令行签发", show_default=True, help="令牌的用途，如“统计平台对接”")
def users_token(username: str, name: str):
    """为用户签发一个 API 令牌（只显示这一次）：Authorization: Bearer <令牌>。有效期 API_TOKEN_DAYS 天（默认 90）。"""
    session = get_session()
    user = users.find_user(session, username)
    if user is None or not user.active:
        fail(f"用户“{username}”不存在或已停用")
    try:
        token = tokens.issue_token(session, user, datetime.utcnow(), name, current_app.config["API_TOKEN_DAYS"])
    except tokens.InvalidTokenName as error:
        fail(str(error))
    session.commit()
    click.echo(token)


@users_cli.command("tokens")
@click.argument("username")
def users_tokens(username: str):
    """列出用户的 API 令牌：编号、名称、签发时间、最近使用、有效期至、状态（时间为 UTC）。"""
    session = get_session()
    user = users.find_user(session, username)
    if user is None:
        fail(f"用户“{username}”不存在")
    rows, now = tokens.tokens_of(session, user.id), datetime.utcnow()
    if not rows:
        click.echo(f"用户 {username} 没有 API 令牌")
        return
    click.echo("\t".join(("编号", "名称", "签发时间", "最近使用", "有效期至", "状态")))
    for row in rows:
        click.echo("\t".join((str(row.id), row.name or "（未命名）", _when(row.created_at),
                              _when(row.last_used_at) if row.last_used_at else "从未使用", _when(row.expires_at),
                              tokens.STATES[tokens.state(row, now)])))


@users_cli.command("revoke-token")
@click.argument("token_id", type=int)
def users_revoke_token(token_id: int):
    """撤销一个 API 令牌（编号见 `users tokens 用户名`），立即生效。"""
    session = get_session()
    try:
        row = tokens.get_token(session, token_id)
    except tokens.TokenNotFound as error:
        fail(str(error))
    if not tokens.revoke(row, datetime.utcnow()):
        fail(f"API 令牌 {token_id} 已于 {_when(row.revoked_at)} 撤销")
    session.commit()
    click.echo(f"已撤销 {row.user.username} 的 API 令牌 {token_id}（{row.name or '未命名'}）")


def _when(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M}"
