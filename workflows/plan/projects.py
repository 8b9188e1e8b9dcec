"""Finding the plan's projects: the one an instance's business key names (``2017-02``, ``督查-2017-02``), and the
projects of a year as JSON."""
from __future__ import annotations

import re

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session, contains_eager, lazyload, selectinload

from ..directory.models import Unit
from .models import Plan, Project

PROJECT_KEY = re.compile(r"^(?:督查-)?(\d{4})-(\d{2,})$")


def projects_for(session: Session, business_keys: set[str | None], *, with_units: bool = True) -> dict[str, Project]:
    """The plan projects that these business keys name (``2017-02``, ``督查-2017-02``), in one query (with their
    plan and area; and their units in a second, unless ``with_units`` is False: a list that shows only the text
    then reads them only if it asks)."""
    wanted = {key: (int(match.group(1)), int(match.group(2)))
              for key in business_keys if (match := PROJECT_KEY.match(key or ""))}
    if not wanted:
        return {}
    query = (select(Project).join(Plan).options(contains_eager(Project.plan))
             .where(tuple_(Plan.year, Project.number).in_(set(wanted.values()))))
    if not with_units:
        query = query.options(lazyload(Project.units))
    by_number = {(project.plan.year, project.number): project for project in session.scalars(query).unique()}
    return {key: by_number[pair] for key, pair in wanted.items() if pair in by_number}


def project_for(session: Session, business_key: str | None) -> Project | None:
    """The plan project an instance's business key names, if any."""
    match = PROJECT_KEY.match(business_key or "")
    if match is None:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    return session.scalar(select(Project).join(Plan).options(contains_eager(Project.plan))
                          .where(Plan.year == year, Project.number == number))


def projects_as_json(session: Session, year: int | None = None) -> list[dict]:
    query = (select(Project).join(Project.plan).options(selectinload(Project.plan))
             .order_by(Plan.year, Project.number))
    if year is not None:
        query = query.where(Plan.year == year)
    return [_project_json(project) for project in session.scalars(query)]


def _project_json(project: Project) -> dict:
    return {
        "number": project.number,
        "business_key": project.business_key,
        "year": project.plan.year,
        "area": {"number": project.area.number, "heading": project.area.heading},
        "text": project.text,
        "party_work": project.party_work,
        "lead_units": [_unit_json(unit) for unit in project.lead_units],
        "responsible_units": [_unit_json(unit) for unit in project.responsible_units],
        "deadline": project.deadline_text,
        "due_on": project.due_on.isoformat() if project.due_on else None,
        "no_fixed_date": project.no_fixed_date,
        "read_by_fallback": project.read_by_fallback,
    }


def _unit_json(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name}
