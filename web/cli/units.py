"""`flask --app web units list [--json]`: the unit directory."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from workflows.directory import units as directory

from ..core.db import get_session
from .common import echo_json

units_cli = AppGroup("units", help="单位目录")


@units_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
def units_list(as_json: bool):
    units = directory.units_as_json(get_session())
    if as_json:
        echo_json(units)
        return
    for unit in units:
        click.echo(f"{unit['code']:<16} {unit['kind']:<18} {unit['name']}")
