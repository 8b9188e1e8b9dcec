"""The Flask app: task inbox, project pages and the command line (`flask --app web ...`)."""
from __future__ import annotations

from flask import Flask

from . import config as app_config
from . import db


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(app_config.from_environment())
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    db.init_app(app)

    from . import api, auth, cli, filters, inbox, pages
    from . import starts
    from . import projects

    cli.register(app)
    auth.init_app(app)
    filters.register(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(starts.bp)
    app.register_blueprint(projects.bp)
    return app
