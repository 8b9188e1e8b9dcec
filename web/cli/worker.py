"""`flask --app web worker [--once]`: fire due timers by the system clock; `worker retry ID`: run a failed step
again after its cause was fixed."""
from __future__ import annotations

import logging
import signal
from datetime import datetime

import click
from flask import current_app

from engine import EngineError
from engine.incidents import UNAVAILABLE
from engine.timer_starts import StartsResult, start_due
from engine.worker import run_forever, sweep
from workflows.notifications.delivery import ChannelSettings, DeliveryResult, deliver_outbox
from workflows.records.labels import label
from workflows.records.settings import engine_limit_settings
from workflows.runtime import engine_bounds, process_engine

from ..core.db import new_session

log = logging.getLogger(__name__)


def _engine_for(app):
    def engine_for(session):
        limits = engine_limit_settings(session, app.config)  # the office's, over the configuration
        return process_engine(session, app.config["TIMEZONE"], bounds=engine_bounds(limits))

    return engine_for


@click.group("worker", invoke_without_command=True)
@click.option("--once", is_flag=True, help="只扫描一次到期定时器然后退出")
@click.option("--interval", type=float, default=None, help="两次扫描之间的秒数")
@click.pass_context
def worker(context: click.Context, once: bool, interval: float | None):
    """按系统时钟触发到期的定时器；出错的实例记为故障，worker 不会退出。"""
    if context.invoked_subcommand is not None:
        return
    app = current_app._get_current_object()
    if once:
        _sweep_once(app)
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stopping = []
    # A signal sets a flag that the loop reads between instances: a step is never cut in two, and a
    # KeyboardInterrupt inside a step can only come from diagram code (engine/engine.py makes it an incident).
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.append(True))
    click.echo("定时器 worker 已启动")
    run_forever(new_session, _engine_for(app), interval or app.config["WORKER_INTERVAL_SECONDS"],
                should_stop=lambda: bool(stopping), after_sweep=lambda: (_timer_starts(app), _deliver(app)))
    click.echo("定时器 worker 已停止")


def _sweep_once(app) -> None:
    try:
        result = sweep(new_session, _engine_for(app))
        starts = _timer_starts(app)
        delivered = _deliver(app)
    except UNAVAILABLE as error:
        log.debug("sweep failed", exc_info=error)
        raise click.ClickException("数据库暂时无法读写（被锁定、只读或连接中断），本次扫描未完成，请稍后重试") from error
    click.echo(f"已触发 {result.fired} 个实例的定时器，失败 {len(result.failed)} 个")
    click.echo(f"按计划启动 {len(starts.started)} 个流程实例，失败 {len(starts.failed)} 个")
    click.echo(f"已发送 {delivered.sent} 条外发通知，失败 {delivered.failed} 条")
    for instance_id, message in result.failed:
        click.echo(f"  实例 {instance_id}：{message}", err=True)


def _timer_starts(app) -> StartsResult:
    """Processes with a timer start event whose time has come (engine/timer_starts.py), one per transaction."""
    result = start_due(new_session, _engine_for(app))
    for process_key, message in result.failed:
        log.error("timer start of %s failed: %s", process_key, message)
    return result


def _deliver(app) -> DeliveryResult:
    """The outbox's turn (workflows/notifications/delivery.py), in its own transaction after the sweep."""
    with new_session() as session:
        result = deliver_outbox(session, datetime.utcnow(), ChannelSettings.from_config(app.config))
        session.commit()
    return result


@worker.command("retry")
@click.argument("instance_id", type=int)
@click.option("--actor", default="admin", help="记入流程历史的操作人")
def retry(instance_id: int, actor: str):
    """重新运行出错实例失败的那一步（修正流程图或迁移到新版本之后）。"""
    from ..core.db import get_session

    session = get_session()
    try:
        instance = _engine_for(current_app)(session).retry_instance(instance_id, actor=actor)
    except EngineError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    session.commit()
    click.echo(f"实例 {instance_id} 已重新运行，当前状态：{label('instance_status', instance.row.status)}")
