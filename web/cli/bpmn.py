"""`flask --app web bpmn check|deploy|list`: diagrams checked, deployed and listed by version; `deploy` also takes a
.dmn file, each of whose decisions becomes a new version of its id."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from workflows.decisions import files as decision_files
from workflows.processes import deployment

from ..core.db import get_session
from .common import echo_json, fail

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
        fail(f"{path}：{len(checked.problems)} 个问题，不能部署")
    click.echo(f"{path}：可以部署")


@bpmn_cli.command("deploy")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", "deployed_by", default="cli", show_default=True, help="记为部署人的用户名")
def bpmn_deploy(path: str, deployed_by: str):
    """部署一个 BPMN 文件：每个流程成为其新版本；运行中的实例保持原版本。也可部署 DMN 决策表（.dmn）。"""
    session = get_session()
    if decision_files.is_dmn(Path(path).read_bytes()):
        _deploy_decisions(session, path, deployed_by)
        return
    try:
        definitions, notes = deployment.deploy_diagram(session, Path(path).read_bytes(), source=Path(path).name,
                                                       deployed_by=deployed_by)
    except deployment.DiagramRefused as refused:
        session.rollback()
        _echo_problems(refused.problems)
        fail(f"{path} 未部署：{len(refused.problems)} 个问题")
    session.commit()
    for note in notes:
        click.echo(f"注意：{note}")
    for definition in definitions:
        click.echo(f"已部署 {definition.key} 版本 {definition.version}")


def _deploy_decisions(session, path: str, deployed_by: str) -> None:
    try:
        deployed = decision_files.deploy_decision_file(session, Path(path).read_bytes(), source=Path(path).name,
                                                       deployed_by=deployed_by)
    except decision_files.DecisionRefused as refused:
        session.rollback()
        for problem in refused.problems:
            click.echo(f"  {problem['message']}", err=True)
        fail(f"{path} 未部署：{len(refused.problems)} 个问题")
    session.commit()
    for definition in deployed:
        click.echo(f"已部署决策 {definition.key} 版本 {definition.version}")


@bpmn_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def bpmn_list(as_json: bool):
    """已部署的流程及其各版本：部署人与时间。"""
    versions = [{"key": d.key, "version": d.version, "name": d.name, "deployed_by": d.deployed_by,
                 "deployed_at": d.deployed_at.isoformat()} for d in deployment.definition_versions(get_session())]
    if as_json:
        echo_json(versions)
        return
    for v in versions:
        click.echo(f"{v['key']:<28} v{v['version']:<3} {v['deployed_at'][:16]}  {v['deployed_by']:<10} {v['name']}")
