"""`flask --app web history verify|head`: the tamper-evident history (engine/chain.py)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from engine.chain import history_head, verify

from ..core.db import get_session
from .common import fail

history_cli = AppGroup("history", help="流程历史：防篡改哈希链")


@history_cli.command("verify")
def history_verify():
    """逐条核对流程历史的哈希链；发现第一条不符的事件时指出它，退出码 1。"""
    session = get_session()
    broken = verify(session)
    if broken is not None:
        fail(f"流程历史第 {broken.event_id} 号事件（实例 {broken.instance_id}，{broken.kind}）与哈希链不符："
             f"{broken.reason}。该事件或其前一事件可能被改动过。")
    version = history_head(session)
    click.echo(f"流程历史完整：共核对至第 {version.event_id} 号事件，链头 {version.head}")


@history_cli.command("head")
def history_show_head():
    """显示当前数据版本（最新事件号）和链头哈希。"""
    version = history_head(get_session())
    click.echo(f"数据版本 {version.event_id}，链头 {version.head}")
