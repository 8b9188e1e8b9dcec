"""`flask --app web worker [--once]`: fire due timers by the system clock."""
from __future__ import annotations

import click
from flask import current_app

from engine.worker import run_forever, sweep
from workflows.runtime import bounds_from, process_engine

from ..core.db import new_session


@click.command("worker")
@click.option("--once", is_flag=True, help="只扫描一次到期定时器然后退出")
@click.option("--interval", type=float, default=None, help="两次扫描之间的秒数")
def worker(once: bool, interval: float | None):
    """按系统时钟触发到期的定时器。"""
    app = current_app._get_current_object()

    def engine_for(session):
        return process_engine(session, app.config["TIMEZONE"], bounds_from(app.config))

    if once:
        result = sweep(new_session, engine_for)
        click.echo(f"已触发 {result.fired} 个实例的定时器，失败 {len(result.failed)} 个")
        for instance_id, message in result.failed:
            click.echo(f"  实例 {instance_id}：{message}", err=True)
        return
    click.echo("定时器 worker 已启动")
    run_forever(new_session, engine_for, interval or app.config["WORKER_INTERVAL_SECONDS"])
