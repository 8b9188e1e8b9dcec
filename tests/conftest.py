"""Fixtures: `app` on a fresh schema (SQLite by default, TEST_DATABASE_URL for PostgreSQL), `db`, `runner`."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from engine.models import Base
import workflows.schema  # noqa: F401  (registers the domain tables on Base.metadata)

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.browser_support"]


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


def _reset_schema(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        if url.startswith("postgresql"):
            # A connection a failed test left open would block the drop.
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()


def fresh_app(database_url: str):
    """An app on an emptied database, migrated to the newest schema by the same command as `make run`."""
    from web import create_app
    from web.core.migrate import upgrade

    _reset_schema(database_url)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": True,
                              "SECRET_KEY": "test"})
    with application.app_context():
        upgrade()
    return application


@pytest.fixture
def app(database_url):
    application = fresh_app(database_url)
    yield application
    application.extensions["sqlalchemy_engine"].dispose()


@pytest.fixture
def engine_db(database_url):
    """A bare SQLAlchemy session on the migrated test database, for engine tests that need no app."""
    from sqlalchemy.orm import sessionmaker

    from web.core.migrate import upgrade_connection

    _reset_schema(database_url)
    bind = create_engine(database_url)
    with bind.begin() as connection:
        upgrade_connection(connection)
    make_session = sessionmaker(bind, expire_on_commit=False)
    opened = []

    def factory():
        opened.append(make_session())
        return opened[-1]

    yield factory
    for session in opened:
        session.close()
    bind.dispose()


@pytest.fixture
def db(app):
    """A session inside an app context; tests commit through it like a command would."""
    from web.core.db import get_session

    with app.app_context():
        session = get_session()
        yield session
        session.rollback()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def driver(db):
    """A process driver on the 2017 plan and every diagram, the clock at 2017-06-08 09:00 (not activated)."""
    from tests.process_support import Driver

    driver = Driver(db)
    driver.load_plan_and_diagrams()
    return driver
