"""`flask --app web plan load|list|activate`: a year's plan file into the database, its projects, starting it."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from engine import EngineError
from workflows.directory import units as directory
from workflows.plan import loading as plans
from workflows.plan.document import PlanFileError
from workflows.plan.projects import projects_as_json
from workflows.projects import activation

from ..core.db import get_process_engine, get_session
from .common import echo_json, fail

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
        fail(str(error))
    session.commit()
    click.echo(f"新增 {result.created} 项，更新 {result.updated} 项，未变 {result.unchanged} 项")


@plan_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--year", type=int, default=None)
def plan_list(as_json: bool, year: int | None):
    """列出计划项目及其单位与完成时间。"""
    projects = projects_as_json(get_session(), year)
    if as_json:
        echo_json(projects)
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
        fail(str(error))
    click.echo(f"已启动 {len(result.started)} 个项目流程，{len(result.already_running)} 个已在运行")
