"""A connection pool for a database URL, set up the same way by the app and by worker processes."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from .storage import json_text


def open_database(url: str) -> Engine:
    """An instance's state goes as the text its check made (storage.json_text). SQLite waits up to 30 s for another process's write (workers write beside the app), in WAL mode."""
    if not url.startswith("sqlite"):
        return create_engine(url, json_serializer=json_text)
    bind = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=json_text)
    event.listen(bind, "connect", _sqlite_pragmas)
    return bind


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
