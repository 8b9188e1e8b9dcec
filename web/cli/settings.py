"""`flask --app web settings show|set`: the values the office may change (scoring rules, consultation deadlines)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from workflows.records import settings

from ..core.db import get_session
from .common import echo_json, fail

settings_cli = AppGroup("settings", help="区推进办可调整的设置：年底评分规则、条块约请期限")


@settings_cli.command("show")
def settings_show():
    session = get_session()
    echo_json({key: settings.get_setting(session, key) for key in settings.DEFAULTS})


@settings_cli.command("set")
@click.argument("key", type=click.Choice(sorted(settings.DEFAULTS)))
@click.argument("name")
@click.argument("value", type=float)
def settings_set(key: str, name: str, value: float):
    """例如：settings set year_end_scoring completion 35"""
    session = get_session()
    try:
        merged = settings.set_setting(session, key, {name: int(value) if value.is_integer() else value})
    except settings.SettingError as error:
        session.rollback()
        fail(str(error))
    session.commit()
    echo_json(merged)
