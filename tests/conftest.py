"""Fixtures: `app` on a fresh schema (SQLite by default, TEST_DATABASE_URL for PostgreSQL), `db`, `runner`."""
from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, inspect, make_url, text

from engine.models import Base
import workflows.schema  # noqa: F401  (registers the domain tables on Base.metadata)

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.browser_support"]


def _database_url(tmp_path_factory) -> str:
    """SQLite in the run's temporary folder (one per pytest-xdist worker), or TEST_DATABASE_URL; under pytest-xdist
    each worker has its own PostgreSQL database next to it, ``test_gw0``, ``test_gw1`` …, created when missing,
    since a test empties its database and ends the connections others left there."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    return _own_database(make_url(url), worker)


def _own_database(url: URL, worker: str) -> str:
    """``url``'s server with a database of its own for ``worker`` (``gw0`` …), created from ``url`` when missing."""
    name = f"{url.database}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return _database_url(tmp_path_factory)


def _reset_schema(url: str) -> bool:
    """Empty the test database. Returns True when it was already migrated to the newest schema and only its rows
    went (the tests' common case, some 20 times cheaper than dropping and migrating again), False when it was
    dropped whole and must be migrated."""
    engine = create_engine(url)
    with engine.begin() as connection:
        if url.startswith("postgresql"):
            # A connection a failed test left open would block the drop.
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        emptied = _at_newest_schema(connection)
        if emptied:
            _delete_rows(connection)
        elif url.startswith("postgresql"):
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return emptied


@functools.cache
def _newest_revision() -> str:
    from alembic.script import ScriptDirectory

    from web.core.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _at_newest_schema(connection) -> bool:
    """Whether the database holds exactly the models' tables, migrated to the newest revision."""
    tables = set(inspect(connection).get_table_names())
    if tables != set(Base.metadata.tables) | {"alembic_version"}:
        return False
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_newest_revision()]


def _delete_rows(connection) -> None:
    """Every row goes, children first, and ids start again at 1 (PostgreSQL's TRUNCATE costs far more here)."""
    for table in reversed(Base.metadata.sorted_tables):
        connection.execute(table.delete())
    if connection.dialect.name == "postgresql":
        sequences = connection.execute(text("SELECT sequence_name FROM information_schema.sequences "
                                            "WHERE sequence_schema = 'public'")).scalars().all()
        for name in sequences:
            connection.execute(text(f'ALTER SEQUENCE "{name}" RESTART WITH 1'))
    elif "sqlite_sequence" in inspect(connection).get_table_names():
        connection.execute(text("DELETE FROM sqlite_sequence"))


def fresh_app(database_url: str):
    """An app on an emptied database, migrated to the newest schema by the same command as `make run`."""
    from web import create_app
    from web.core.migrate import upgrade

    emptied = _reset_schema(database_url)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "WTF_CSRF_ENABLED": True,
                              "SECRET_KEY": "test"})
    if not emptied:
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

    emptied = _reset_schema(database_url)
    bind = create_engine(database_url)
    if not emptied:
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
