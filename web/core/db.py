"""The database handle of the app: one SQLAlchemy engine per app, one session per request or command."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from engine.database import open_database


def init_app(app: Flask) -> None:
    engine = open_database(app.config["DATABASE_URL"])
    app.extensions["sqlalchemy_engine"] = engine
    app.extensions["sqlalchemy_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_engine():
    return current_app.extensions["sqlalchemy_engine"]


def new_session() -> Session:
    return current_app.extensions["sqlalchemy_sessionmaker"]()


def get_session() -> Session:
    """The session of this request or command; created on first use, closed at teardown."""
    if "db_session" not in g:
        g.db_session = new_session()
    return g.db_session


def _close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_process_engine(session: Session | None = None):
    """The domain's engine on this request's (or the given) session, in the app's time zone, bounded by the
    office's engine limits over the app's configuration (workflows/records/settings.py)."""
    from workflows.records.settings import engine_limit_settings
    from workflows.runtime import engine_bounds, process_engine

    session = session or get_session()
    return process_engine(session, current_app.config["TIMEZONE"],
                          bounds=engine_bounds(engine_limit_settings(session, current_app.config)))
