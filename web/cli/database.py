"""`flask --app web db upgrade|check`: the schema through Alembic."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.migrate import pending_changes, upgrade
from .common import fail

db_cli = AppGroup("db", help="数据库结构（Alembic 迁移）")


@db_cli.command("upgrade")
def db_upgrade():
    """创建或迁移数据库到最新结构。"""
    upgrade()
    click.echo("数据库已是最新结构")


@db_cli.command("check")
def db_check():
    """检查模型与迁移是否一致。"""
    changes = pending_changes()
    if changes:
        fail(f"模型与迁移不一致：{changes}")
    click.echo("模型与迁移一致")
