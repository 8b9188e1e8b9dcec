"""`flask --app web settings show|set|history`: the values the office may change (scoring rules, deadlines, the
engine's limits), with the same checks and the same history as the settings page (who = 命令行)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from workflows.records import settings

from ..core.db import get_session
from .common import echo_json, fail

settings_cli = AppGroup("settings", help="区推进办可调整的设置：年底评分规则、约请与催办期限、流程代码与定时器的限制")


@settings_cli.command("show")
def settings_show():
    """每项设置当前生效的值（未设置的取服务器配置或默认值）。"""
    values = settings.current_values(get_session(), current_app.config)
    shown: dict[str, dict] = {}
    for field, value in values.items():
        key, _, name = field.partition(".")
        shown.setdefault(key, {})[name] = value
    echo_json(shown)


@settings_cli.command("set")
@click.argument("key", type=click.Choice(sorted(settings.DEFAULTS)))
@click.argument("name")
@click.argument("value")
def settings_set(key: str, name: str, value: str):
    """例如：settings set year_end_scoring completion 35"""
    session = get_session()
    try:
        merged = settings.set_setting(session, key, {name: value}, actor=settings.CLI_ACTOR)
    except settings.SettingError as error:
        session.rollback()
        fail(str(error))
    session.commit()
    echo_json(merged)


@settings_cli.command("history")
@click.option("--limit", type=int, default=50, help="最多显示的条数")
def settings_history(limit: int):
    """最近的设置修改：何时、谁、哪一项、原值、新值。"""
    echo_json([{"at": change.changed_at.isoformat(timespec="seconds"), "who": change.changed_by,
                "key": change.key, "item": change.item, "old": change.old, "new": change.new}
               for change in settings.changes(get_session(), limit)])
