"""Bulk rows: human tasks up to the target count and consultations, written with Core (COPY on PostgreSQL).

They are the rows the product itself writes, with its columns and values: task names, specs and lanes taken
from the played year, units from the directory, instances of the copied lifecycles, due dates in the year.
"""
from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine import HumanTask, ProcessDefinition, ProcessInstance
from workflows.directory.models import Unit

BATCH = 20_000
COLUMNS = ("instance_id", "task_guid", "spec_name", "name", "lane", "assigned_unit", "due_on", "state", "claimed_by",
           "created_at", "completed_at", "completed_by")


def write_rows(session: Session, table, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """COPY on PostgreSQL; executemany in batches elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    batch = []
    for row in rows:
        batch.append(dict(zip(columns, row)))
        if len(batch) >= BATCH:
            session.execute(insert(table), batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)


def _task_row(rng: random.Random, kinds: list, instance_ids: list[int], unit: str, state: str, year: int) -> tuple:
    spec_name, name, lane = rng.choice(kinds)
    due = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    created = datetime.combine(due - timedelta(days=rng.randrange(5, 30)), datetime.min.time()) + timedelta(hours=9)
    done = state != "ready"
    return (rng.choice(instance_ids), str(uuid.UUID(int=rng.getrandbits(128), version=4)), spec_name, name, lane,
            unit, due, state, None, created, created + timedelta(days=rng.randrange(1, 20)) if done else None,
            unit if state == "completed" else None)


def fill_human_tasks(session: Session, total: int, inbox_unit: str, open_tasks: int, year: int) -> int:
    """Add tasks until human_task has ``total`` rows, ``open_tasks`` of them ready in ``inbox_unit``'s inbox.

    Of the rest: 85 % completed, 10 % cancelled, 5 % ready in the other units' inboxes."""
    rng = random.Random(8)
    existing = session.scalar(select(func.count(HumanTask.id)))
    mine = session.scalar(select(func.count(HumanTask.id)).where(
        HumanTask.assigned_unit == inbox_unit, HumanTask.state == "ready"))
    kinds = session.execute(select(HumanTask.spec_name, HumanTask.name, HumanTask.lane).distinct()).all()
    instance_ids = list(session.scalars(select(ProcessInstance.id).join(ProcessDefinition)
                                        .where(ProcessDefinition.key == "project_lifecycle")))
    units = [code for code in session.scalars(select(Unit.code).where(Unit.kind != "group")) if code != inbox_unit]
    missing_open = max(0, open_tasks - mine)

    def rows() -> Iterator[tuple]:
        for index in range(max(0, total - existing)):
            if index < missing_open:
                yield _task_row(rng, kinds, instance_ids, inbox_unit, "ready", year)
                continue
            draw = rng.random()
            state = "completed" if draw < 0.85 else "cancelled" if draw < 0.95 else "ready"
            yield _task_row(rng, kinds, instance_ids, rng.choice(units), state, year)

    write_rows(session, HumanTask.__table__, COLUMNS, rows())
    session.commit()
    return max(0, total - existing)
