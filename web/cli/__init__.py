"""The command line, `flask --app web db|clock|worker|plan|units|users|settings|calendar|demo|bpmn|history ...`: one module per
command group, each command committing once. The groups share only common.py."""
from __future__ import annotations

from flask import Flask

from . import bpmn, calendar, clock, database, demo, history, plan, settings, units, users, worker


def register(app: Flask) -> None:
    """Add every command group to the app's `flask` command."""
    for command in (database.db_cli, clock.clock_cli, worker.worker, plan.plan_cli, units.units_cli, users.users_cli,
                    settings.settings_cli, calendar.calendar_cli, demo.demo, bpmn.bpmn_cli, history.history_cli):
        app.cli.add_command(command)
