"""`flask --app web demo [--if-empty]`: the demonstration data set."""
from __future__ import annotations

import click
from flask import current_app

from engine import EngineError
from workflows import demo as demo_data
from workflows.directory import units as directory
from workflows.plan.document import PlanFileError
from workflows.projects import activation

from ..core.db import get_process_engine, get_session
from .common import fail


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
        fail(str(error))
    session.commit()
    click.echo(summary)
