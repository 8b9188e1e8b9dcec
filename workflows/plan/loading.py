"""The plan file into the database: read ``data/plan-<year>.yaml``, check it (document.py) and create or update
the year's plan, its areas and its projects. A file is checked completely, unit names included, before anything
is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.units import normalise_name, unit_index
from .document import PLAN_KEYS, PlanData, PlanFileError, ProjectData, read_plan_document
from .models import Plan, Project, ProjectUnit, TaskArea

DEFAULT_PLAN_FILE = Path(__file__).resolve().parent / "data" / "plan-2017.yaml"
ROLE_NAMES = {"lead": "牵头单位", "responsible": "责任单位"}


@dataclass(frozen=True)
class LoadResult:
    """Counts of projects; ``header_changed`` says whether the plan's title, date or areas changed."""

    created: int
    updated: int
    unchanged: int
    header_changed: bool = False
    removed: int = 0


# --- reading the file -------------------------------------------------------------------------


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported with its row."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_plan_file(path: str | Path) -> PlanData:
    """The plan a file describes, every field checked; raises PlanFileError naming row and reason."""
    return read_plan_document(_read_yaml(Path(path)))


def _read_yaml(path: Path) -> dict:
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlanLoader)
    except OSError as error:
        raise PlanFileError(f"无法读取计划文件 {path}：{error.strerror}") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"（文件第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark else ""
        raise PlanFileError(f"不是有效的 YAML{where}：{getattr(error, 'problem', None) or error}") from error
    if not isinstance(document, dict):
        raise PlanFileError("计划文件应是一个映射，含 " + "、".join(PLAN_KEYS))
    return document


# --- loading into the database ----------------------------------------------------------------


def load_plan(session: Session, path: str | Path) -> LoadResult:
    """Upsert the plan, its areas and its projects from a file; writes nothing if any of it is wrong.

    Projects missing from the file are left as they are. Does not commit.
    """
    return load_plan_data(session, read_plan_file(path))


def load_plan_data(session: Session, data: PlanData, *, remove_missing: bool = False) -> LoadResult:
    """Upsert a checked plan; ``remove_missing`` also deletes the projects and areas it no longer lists."""
    columns = resolve_units(session, data)
    plan, header_changed = _upsert_plan(session, data)
    areas = {area.number: area for area in plan.areas}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    existing = {project.number: project for project in plan.projects}
    for project in data.projects:
        outcome = _upsert_project(session, plan, existing.get(project.number), project,
                                  areas[project.area], columns[project.number])
        counts[outcome] += 1
    session.flush()
    if remove_missing:
        counts["removed"] = _remove_missing(session, plan, data)
    return LoadResult(header_changed=header_changed, **counts)


def _remove_missing(session: Session, plan: Plan, data: PlanData) -> int:
    numbers, area_numbers = {project.number for project in data.projects}, {area.number for area in data.areas}
    gone = [project for project in plan.projects if project.number not in numbers]
    for project in gone:
        plan.projects.remove(project)
    session.flush()
    for area in [area for area in plan.areas if area.number not in area_numbers]:
        plan.areas.remove(area)
    session.flush()
    return len(gone)


def resolve_units(session: Session, data: PlanData) -> dict[int, list[tuple[str, str]]]:
    """(role, unit code) pairs for every project, in listed order; raises on an unknown or repeated unit."""
    index = unit_index(session)
    columns = {}
    for project in data.projects:
        pairs: list[tuple[str, str]] = []
        for role, names in (("lead", project.lead_units), ("responsible", project.responsible_units)):
            for name in names:
                unit = index.get(normalise_name(name))
                if unit is None:
                    raise PlanFileError(f"未知单位“{name}”", project.row, project.number)
                if (role, unit.code) in pairs:
                    raise PlanFileError(f"{ROLE_NAMES[role]}“{name}”重复", project.row, project.number)
                pairs.append((role, unit.code))
        columns[project.number] = pairs
    return columns


def _upsert_plan(session: Session, data: PlanData) -> tuple[Plan, bool]:
    plan = session.scalar(select(Plan).where(Plan.year == data.year))
    changed = plan is None
    if plan is None:
        plan = Plan(year=data.year, title=data.title, issued_on=data.issued_on)
        session.add(plan)
    changed = _assign(plan, {"title": data.title, "issued_on": data.issued_on}) or changed
    areas = {area.number: area for area in plan.areas}
    for area in data.areas:
        if area.number not in areas:
            plan.areas.append(TaskArea(number=area.number, heading=area.heading, goal=area.goal))
            changed = True
        else:
            changed = _assign(areas[area.number], {"heading": area.heading, "goal": area.goal}) or changed
    session.flush()
    return plan, changed


def _upsert_project(session: Session, plan: Plan, project: Project | None, data: ProjectData,
                    area: TaskArea, pairs: list[tuple[str, str]]) -> str:
    fields = {"area_id": area.id, "text": data.text, "party_work": data.party_work,
              "deadline_text": data.deadline, "due_on": data.due_on, "no_fixed_date": data.no_fixed_date,
              "read_by_fallback": data.read_by_fallback}
    if project is None:
        project = Project(number=data.number, **fields)
        plan.projects.append(project)
        _replace_units(session, project, pairs)
        return "created"
    changed = _assign(project, fields)
    if _unit_pairs(project) != pairs:
        _replace_units(session, project, pairs)
        changed = True
    return "updated" if changed else "unchanged"


def _unit_pairs(project: Project) -> list[tuple[str, str]]:
    return [(link.role, link.unit_code) for role in ROLE_NAMES
            for link in sorted(project.units, key=lambda link: link.position) if link.role == role]


def _replace_units(session: Session, project: Project, pairs: list[tuple[str, str]]) -> None:
    if project.units:
        project.units.clear()
        session.flush()  # old rows go before new ones, or (project, role, unit) would clash
    positions = {role: 0 for role in ROLE_NAMES}
    for role, code in pairs:
        positions[role] += 1
        project.units.append(ProjectUnit(role=role, position=positions[role], unit_code=code))


def _assign(record: object, fields: dict) -> bool:
    changed = False
    for field, value in fields.items():
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed = True
    return changed
