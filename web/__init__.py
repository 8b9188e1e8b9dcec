"""The Flask app: task inbox, project pages and the command line (`flask --app web ...`)."""
from __future__ import annotations

from flask import Flask

from . import config as app_config
from . import db, inputs


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(app_config.from_environment())
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    db.init_app(app)
    inputs.init_app(app)  # before the blueprints: their <int:…> rules use its converter

    from . import admin, api, auth, cli, dashboard, editor, filters, inbox, pages, projects, reports, starts, \
        task_actions, task_notes

    cli.register(app)
    auth.init_app(app)
    filters.register(app)
    for feature in (pages, inbox, api, starts, projects, dashboard, task_notes, admin, reports, task_actions, editor):
        app.register_blueprint(feature.bp)
    return app
