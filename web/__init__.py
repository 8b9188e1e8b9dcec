"""The Flask app: one blueprint per feature (their templates under templates/<blueprint>/), the JSON API and the
command line (`flask --app web ...`). core/ is the plumbing every blueprint stands on, shared/ what several
blueprints use; the blueprints do not import each other (checked by import-linter, see .importlinter)."""
from __future__ import annotations

from flask import Flask

from workflows.notifications import arrivals

from .core import config as app_config
from .core import db, headers, inputs, unavailable


def create_app(config: dict | None = None) -> Flask:
    """The app, configured from the environment (core/config.py) and then by ``config`` (the tests' database …)."""
    app = Flask(__name__)
    app.config.update(app_config.from_environment())
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    db.init_app(app)
    inputs.init_app(app)  # before the blueprints: their <int:…> rules use its converter
    headers.init_app(app)

    from . import admin, analytics, api, auth, calendar, cli, dashboard, decisions, editor, health, inbox, instances, \
        notifications, pages, projects, reports, roles, settings_page, starts, task_actions, task_notes
    from .core import errors, filters, security

    cli.register(app)
    security.init_app(app)
    errors.init_app(app)
    arrivals.install()  # every new task for a unit becomes a message (workflows/notifications/arrivals.py)
    filters.register(app)
    unavailable.init_app(app)
    for feature in (auth, pages, inbox, api, starts, projects, dashboard, task_notes, admin, calendar, reports,
                    task_actions, editor, decisions, health, instances, roles, notifications, settings_page, analytics):
        app.register_blueprint(feature.bp)
    return app
