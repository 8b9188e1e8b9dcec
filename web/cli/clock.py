"""`flask --app web clock show|set|advance`: the system clock, real or simulated."""
from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from engine import EngineError, parse_step

from ..core.db import get_process_engine, get_session
from .common import fail

clock_cli = AppGroup("clock", help="系统时钟：真实时间或模拟日期")


@clock_cli.command("show")
def clock_show():
    _show_clock()


def _show_clock() -> None:
    engine = get_process_engine()
    mode = "模拟" if engine.clock.simulated() else "真实"
    click.echo(f"{mode}时钟：{engine.clock.now().astimezone(engine.clock.local_tz):%Y-%m-%d %H:%M:%S %Z}")


@clock_cli.command("set")
@click.argument("when")
def clock_set(when: str):
    """设为模拟时间，如 2017-06-08 或 2017-06-08T09:00；`real` 回到真实时间。"""
    engine = get_process_engine()
    if when == "real":
        engine.clock.set(None)
    else:
        try:
            engine.clock.set(datetime.fromisoformat(when))
        except ValueError:
            fail(f"日期格式无效：{when!r}（应为 2017-06-08 或 2017-06-08T09:00）")
    get_session().commit()
    _show_clock()


@clock_cli.command("advance")
@click.argument("step")
def clock_advance(step: str):
    """把模拟时钟向前拨，如 10d、3h、2w。"""
    engine = get_process_engine()
    try:
        engine.clock.advance(parse_step(step))
    except EngineError as error:
        fail(error.message)
    get_session().commit()
    _show_clock()
