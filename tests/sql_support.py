"""What a block of code sends to the database: for tests that count statements (a read folded into another, a
cache that spares a query)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def statements_sent(bind) -> Iterator[list[str]]:
    """``with statements_sent(session.get_bind()) as sent:``: ``sent`` fills with each SQL statement the engine
    ``bind`` sends while the block runs (an executemany counts once), its whitespace collapsed to single spaces."""
    sent: list[str] = []

    def record(_connection, _cursor, statement, *_rest) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(bind, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(bind, "before_cursor_execute", record)
