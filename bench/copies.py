"""The other districts: district 1's played year copied row by row, with new ids and business keys.

Playing 880 project years through the engine would take hours per database, so one district (the plan's 55
projects, numbers 1–55) is played for real and districts 2–16 get its rows: projects numbered
(district − 1) × 100 + n (business keys 2017-101 … 2017-1555), their units, lifecycle instances (state with
the new key), human tasks, history and the records the reports read.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from engine.models import Base

from .database import fix_sequences

TABLES = ("project", "project_unit", "process_instance", "human_task", "history_event", "quarterly_report",
          "project_completion", "evaluation", "supervision_check")
BATCH = 2_000


def district_number(district: int, number: int) -> int:
    return (district - 1) * 100 + number


def table(name: str) -> Table:
    return Base.metadata.tables[name]


class Ids:
    """The next free id of each table, so copies can be inserted with their ids (and referenced at once)."""

    def __init__(self, session: Session, names: tuple[str, ...] = TABLES):
        self.next = {name: (session.scalar(select(func.max(table(name).c.id))) or 0) + 1 for name in names}

    def take(self, name: str) -> int:
        self.next[name] += 1
        return self.next[name] - 1


def copy_rows(session: Session, ids: Ids, name: str, where, change: Callable[[dict], dict | None]) -> dict[int, int]:
    """Insert a changed copy of each row ``where`` selects; ``change`` may drop a row by returning None."""
    source = table(name)
    mapping, batch = {}, []
    for row in session.execute(select(source).where(where).order_by(source.c.id)).mappings():
        copied = change(dict(row))
        if copied is None:
            continue
        mapping[row["id"]] = copied["id"] = ids.take(name)
        batch.append(copied)
        if len(batch) >= BATCH:
            session.execute(insert(source), batch)
            batch = []
    if batch:
        session.execute(insert(source), batch)
    return mapping


def rekey(value, keys: dict[str, str], numbers: dict[str, int]):
    """Business keys replaced wherever they appear; a project's number beside its new key follows it."""
    if isinstance(value, dict):
        copied = {k: rekey(v, keys, numbers) for k, v in value.items()}
        if copied.get("business_key") in numbers and "number" in copied:
            copied["number"] = numbers[copied["business_key"]]
        return copied
    if isinstance(value, list):
        return [rekey(v, keys, numbers) for v in value]
    return keys.get(value, value) if isinstance(value, str) else value


def copy_district(session: Session, ids: Ids, plan_id: int, year: int, district: int) -> int:
    """District 1's projects and everything that hangs on them, once more as ``district``; returns instances."""
    projects = table("project")
    originals = (projects.c.plan_id == plan_id) & (projects.c.number < 100)
    project_ids = copy_rows(session, ids, "project", originals,
                            lambda row: row | {"number": district_number(district, row["number"])})
    numbers = dict(session.execute(select(projects.c.id, projects.c.number).where(projects.c.id.in_(project_ids))).all())
    keys = {f"{year}-{numbers[old]:02d}": f"{year}-{district_number(district, numbers[old]):02d}" for old in project_ids}
    keys |= {f"督查-{old}": f"督查-{new}" for old, new in list(keys.items())}
    new_numbers = {new: district_number(district, numbers[old]) for old in project_ids
                   for new in [keys[f"{year}-{numbers[old]:02d}"]]}
    copy_rows(session, ids, "project_unit", table("project_unit").c.project_id.in_(project_ids),
              lambda row: row | {"project_id": project_ids[row["project_id"]]})
    instances = table("process_instance")
    instance_ids = copy_rows(session, ids, "process_instance", instances.c.business_key.in_(keys),
                             lambda row: row | {"business_key": keys[row["business_key"]],
                                                "state": rekey(row["state"], keys, new_numbers)})
    _copy_instance_rows(session, ids, instance_ids, keys, new_numbers)
    _copy_records(session, ids, project_ids, instance_ids)
    return len(instance_ids)


def _copy_instance_rows(session, ids: Ids, instance_ids: dict[int, int], keys, numbers) -> None:
    for name in ("human_task", "history_event"):
        source = table(name)
        for chunk in chunks(list(instance_ids), 500):
            copy_rows(session, ids, name, source.c.instance_id.in_(chunk),
                      lambda row: row | {"instance_id": instance_ids[row["instance_id"]]}
                      | ({"data": rekey(row["data"], keys, numbers)} if "data" in row else {}))


def _copy_records(session, ids: Ids, project_ids: dict[int, int], instance_ids: dict[int, int]) -> None:
    def moved(row: dict) -> dict | None:
        if "instance_id" in row and row["instance_id"] not in instance_ids:
            return None  # a record of a process that was not copied
        row["project_id"] = project_ids[row["project_id"]]
        if "instance_id" in row:
            row["instance_id"] = instance_ids[row["instance_id"]]
        return row

    for name in ("quarterly_report", "project_completion", "evaluation", "supervision_check"):
        copy_rows(session, ids, name, table(name).c.project_id.in_(project_ids), moved)


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def copy_districts(session: Session, plan_id: int, year: int, districts: int) -> int:
    """Districts 2 … ``districts``; one transaction each. Returns how many instances were copied."""
    copied = 0
    for district in range(2, districts + 1):
        ids = Ids(session)
        copied += copy_district(session, ids, plan_id, year, district)
        fix_sequences(session, list(TABLES))
        session.commit()
    return copied


def shift_year(day: date | None, years: int) -> date | None:
    return day.replace(year=day.year + years) if day else None
