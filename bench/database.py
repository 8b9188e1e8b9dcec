"""The benchmark's own database: var/bench.db on SQLite, BENCH_DATABASE_URL on PostgreSQL, emptied each run."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def database_url(kind: str) -> str:
    if kind == "sqlite":
        return os.environ.get("BENCH_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench.db'}")
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_POSTGRESQL)


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database if it is missing (the server's `postgres` database is asked)."""
    if not url.startswith("postgresql"):
        (ROOT / "var").mkdir(exist_ok=True)
        return
    name = make_url(url).database
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def empty_database(url: str) -> None:
    """Drop everything so each run builds its data from nothing."""
    if url.startswith("sqlite"):
        path = Path(make_url(url).database)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def fresh_app(url: str):
    """The product's app on an emptied database, migrated by the same code as `flask db upgrade`."""
    from web import create_app
    from web.core.migrate import upgrade

    ensure_database(url)
    empty_database(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    return app


def fix_sequences(session, tables: list[str]) -> None:
    """Rows copied with explicit ids leave PostgreSQL's sequences behind; move them past the largest id."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def settle(session, url: str) -> None:
    """After the bulk load, what a database would have reached by itself over a year of use: fresh planner
    statistics, and on PostgreSQL the copied tables vacuumed, so that autovacuum does not take a core in the
    middle of a later figure."""
    session.commit()
    if not url.startswith("postgresql"):
        session.execute(text("ANALYZE"))
        session.commit()
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")  # VACUUM cannot run inside a transaction
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()
