"""The command line: `flask --app web db|clock|worker|plan|units|users|demo|bpmn ...`. Each command commits once."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from engine import EngineError, parse_step
from engine.worker import run_forever, sweep
from workflows import demo as demo_data
from workflows.accounts import tokens, users
from workflows.accounts.models import ROLES
from workflows.directory import units as directory
from workflows.plan import loading as plans
from workflows.plan.document import PlanFileError
from workflows.plan.projects import projects_as_json
from workflows.processes import deployment
from workflows.projects import activation
from workflows.records import settings
from workflows.runtime import process_engine

from .db import get_process_engine, get_session, new_session
from .migrate import pending_changes, upgrade


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


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
        _fail(f"模型与迁移不一致：{changes}")
    click.echo("模型与迁移一致")


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
            _fail(f"日期格式无效：{when!r}（应为 2017-06-08 或 2017-06-08T09:00）")
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
        _fail(error.message)
    get_session().commit()
    _show_clock()


@click.command("worker")
@click.option("--once", is_flag=True, help="只扫描一次到期定时器然后退出")
@click.option("--interval", type=float, default=None, help="两次扫描之间的秒数")
def worker(once: bool, interval: float | None):
    """按系统时钟触发到期的定时器。"""
    app = current_app._get_current_object()

    def engine_for(session):
        return process_engine(session, app.config["TIMEZONE"])

    if once:
        result = sweep(new_session, engine_for)
        click.echo(f"已触发 {result.fired} 个实例的定时器，失败 {len(result.failed)} 个")
        for instance_id, message in result.failed:
            click.echo(f"  实例 {instance_id}：{message}", err=True)
        return
    click.echo("定时器 worker 已启动")
    run_forever(new_session, engine_for, interval or app.config["WORKER_INTERVAL_SECONDS"])


plan_cli = AppGroup("plan", help="年度计划：导入、列出、启动")


@plan_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def plan_load(path: str):
    """导入（或更新）一个年度计划文件；文件有误时什么也不写。"""
    session = get_session()
    try:
        directory.load_directory(session)
        result = plans.load_plan(session, path)
    except (PlanFileError, directory.DirectoryError) as error:
        session.rollback()
        _fail(str(error))
    session.commit()
    click.echo(f"新增 {result.created} 项，更新 {result.updated} 项，未变 {result.unchanged} 项")


@plan_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--year", type=int, default=None)
def plan_list(as_json: bool, year: int | None):
    """列出计划项目及其单位与完成时间。"""
    projects = projects_as_json(get_session(), year)
    if as_json:
        _echo_json(projects)
        return
    for project in projects:
        leads = "、".join(u["name"] for u in project["lead_units"])
        others = "、".join(u["name"] for u in project["responsible_units"]) or "—"
        due = project["due_on"] or "无固定日期"
        click.echo(f"{project['business_key']}  牵头：{leads}  责任：{others}  完成：{project['deadline']}（{due}）")


@plan_cli.command("activate")
@click.argument("year", type=int)
@click.option("--workers", type=click.IntRange(min=1), default=1,
              help="并行启动的进程数（每个进程分批提交）")
def plan_activate(year: int, workers: int):
    """启动计划：为每个项目启动“项目全年推进”流程（以系统时钟为启动日期）。"""
    session = get_session()
    try:
        result = activation.activate_and_commit(session, get_process_engine(session),
                                                current_app.config["DATABASE_URL"], year, actor="cli", workers=workers)
    except (activation.ActivationError, EngineError) as error:
        session.rollback()
        _fail(str(error))
    click.echo(f"已启动 {len(result.started)} 个项目流程，{len(result.already_running)} 个已在运行")


units_cli = AppGroup("units", help="单位目录")


@units_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def units_list(as_json: bool):
    units = directory.units_as_json(get_session())
    if as_json:
        _echo_json(units)
        return
    for unit in units:
        click.echo(f"{unit['code']:<16} {unit['kind']:<18} {unit['name']}")


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
        _fail(str(error))
    session.commit()
    click.echo(f"已创建用户 {username}")


settings_cli = AppGroup("settings", help="区推进办可调整的设置：年底评分规则、条块约请期限")


@settings_cli.command("show")
def settings_show():
    session = get_session()
    _echo_json({key: settings.get_setting(session, key) for key in settings.DEFAULTS})


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
        _fail(str(error))
    session.commit()
    _echo_json(merged)


@users_cli.command("token")
@click.argument("username")
def users_token(username: str):
    """为用户签发一个 API 令牌（只显示这一次）：Authorization: Bearer <令牌>。"""
    session = get_session()
    user = users.find_user(session, username)
    if user is None or not user.active:
        _fail(f"用户“{username}”不存在或已停用")
    token = tokens.issue_token(session, user, datetime.utcnow())
    session.commit()
    click.echo(token)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="数据库已有数据时什么也不做")
def demo(if_empty: bool):
    """载入演示数据：2017 年计划、每个单位一个用户、office/supervisor/auditor/admin，密码均为 demo。"""
    session = get_session()
    if if_empty and not demo_data.database_is_empty(session):
        click.echo("数据库已有数据，未载入演示数据")
        return
    try:
        summary = demo_data.load(session, get_process_engine(session), current_app.config["BPMN_DIR"])
    except (PlanFileError, directory.DirectoryError, activation.ActivationError, EngineError) as error:
        session.rollback()
        _fail(str(error))
    session.commit()
    click.echo(summary)


bpmn_cli = AppGroup("bpmn", help="流程图：检查、部署、版本")


def _echo_problems(problems) -> None:
    for problem in problems:
        click.echo(f"  [{problem.rule}] {problem.element or '—'}：{problem.message}", err=True)


@bpmn_cli.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def bpmn_check(path: str):
    """检查一个 BPMN 文件（bpmnlint、引擎解析、脚本沙箱、泳道），不部署。"""
    checked = deployment.check_diagram(get_session(), Path(path).read_bytes(), source=Path(path).name)
    _echo_problems(checked.warnings)
    for note in checked.notes:
        click.echo(f"注意：{note}")
    if checked.problems:
        _echo_problems(checked.problems)
        _fail(f"{path}：{len(checked.problems)} 个问题，不能部署")
    click.echo(f"{path}：可以部署")


@bpmn_cli.command("deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "deployed_by", default="cli", show_default=True, help="记为部署人的用户名")
def bpmn_deploy(path: str, deployed_by: str):
    """部署一个 BPMN 文件：每个流程成为其新版本；运行中的实例保持原版本。"""
    session = get_session()
    try:
        definitions, notes = deployment.deploy_diagram(session, Path(path).read_bytes(), source=Path(path).name,
                                                       deployed_by=deployed_by)
    except deployment.DiagramRefused as refused:
        session.rollback()
        _echo_problems(refused.problems)
        _fail(f"{path} 未部署：{len(refused.problems)} 个问题")
    session.commit()
    for note in notes:
        click.echo(f"注意：{note}")
    for definition in definitions:
        click.echo(f"已部署 {definition.key} 版本 {definition.version}")


@bpmn_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def bpmn_list(as_json: bool):
    """已部署的流程及其各版本：部署人与时间。"""
    versions = [{"key": d.key, "version": d.version, "name": d.name, "deployed_by": d.deployed_by,
                 "deployed_at": d.deployed_at.isoformat()} for d in deployment.definition_versions(get_session())]
    if as_json:
        _echo_json(versions)
        return
    for v in versions:
        click.echo(f"{v['key']:<28} v{v['version']:<3} {v['deployed_at'][:16]}  {v['deployed_by']:<10} {v['name']}")


def register(app: Flask) -> None:
    for command in (db_cli, clock_cli, worker, plan_cli, units_cli, users_cli, settings_cli, demo, bpmn_cli):
        app.cli.add_command(command)
