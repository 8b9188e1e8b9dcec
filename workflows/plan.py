"""The annual plan file (``data/plan-<year>.yaml``): read it, check it, load it, list it.

Nothing here is specific to one year: another year's file in the same format loads the same way.
A file is checked completely, unit names included, before anything is written.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .directory import normalise_name, unit_index
from .models import Plan, Project, ProjectUnit, TaskArea, Unit

DEFAULT_PLAN_FILE = Path(__file__).resolve().parent / "data" / "plan-2017.yaml"

PLAN_KEYS = ("year", "title", "issued_on", "areas", "projects")
PROJECT_KEYS = ("number", "area", "text", "lead_units", "responsible_units", "deadline")
OPTIONAL_PROJECT_KEYS = ("party_work", "due_on", "no_fixed_date", "read_by_fallback")
AREA_KEYS = ("number", "heading")
ROLE_NAMES = {"lead": "牵头单位", "responsible": "责任单位"}

# Deadlines that depend on someone else's timetable, or run on: the project has no fixed due date.
NO_FIXED_DATE_MARKERS = ("根据市级部署", "出台后", "适时完成", "长期")
HALF_YEAR_ENDS = {"上半年": 6, "下半年": 12, "全年": 12, "年底": 12, "年底前": 12, "年内": 12}
# 10月底前, 6月, 2018年3月底, 6月30日前: the month's end, or the day given; the year defaults to the plan's.
MONTH_DEADLINE = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日|底)?(?:前)?$")


class PlanFileError(Exception):
    """A plan file that cannot be loaded; ``row`` is the 1-based project row, None for the whole file."""

    def __init__(self, reason: str, row: int | None = None, number: object = None):
        self.reason = reason
        self.row = row
        self.number = number
        super().__init__(self.message())

    def message(self) -> str:
        if self.row is None:
            return self.reason
        where = f"第 {self.row} 行" + (f"（序号 {self.number}）" if self.number is not None else "")
        return f"{where}：{self.reason}"


@dataclass(frozen=True)
class AreaData:
    number: int
    heading: str
    goal: str


@dataclass(frozen=True)
class ProjectData:
    row: int
    number: int
    area: int
    text: str
    party_work: str
    lead_units: tuple[str, ...]
    responsible_units: tuple[str, ...]
    deadline: str
    due_on: date | None
    no_fixed_date: bool
    read_by_fallback: bool


@dataclass(frozen=True)
class PlanData:
    year: int
    title: str
    issued_on: date
    areas: tuple[AreaData, ...]
    projects: tuple[ProjectData, ...]


@dataclass(frozen=True)
class LoadResult:
    """Counts of projects; ``header_changed`` says whether the plan's title, date or areas changed."""

    created: int
    updated: int
    unchanged: int
    header_changed: bool = False
    removed: int = 0


# --- deadlines --------------------------------------------------------------------------------


def parse_deadline(text: str, year: int) -> tuple[date | None, bool]:
    """(due date, no fixed date) for a 完成时间 as written: 全年, 10月底前, 上半年, 根据市级部署 …"""
    deadline = "".join(text.split())
    if any(marker in deadline for marker in NO_FIXED_DATE_MARKERS):
        return None, True
    if deadline in HALF_YEAR_ENDS:
        return _month_end(year, HALF_YEAR_ENDS[deadline]), False
    match = MONTH_DEADLINE.match(deadline)
    if match and 1 <= int(match.group(2)) <= 12:
        stated_year, month = int(match.group(1) or year), int(match.group(2))
        try:
            return (date(stated_year, month, int(match.group(3))) if match.group(3)
                    else _month_end(stated_year, month)), False
        except ValueError:
            pass  # 2月30日: falls through to the message below
    raise PlanFileError(f"无法识别的完成时间“{text}”：请写成 全年、年底、上半年、N月底前、2018年6月30日 等，"
                        "或给出 due_on")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


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


def read_plan_document(document: object) -> PlanData:
    """The plan a document in the file's layout describes (a dict, as YAML or JSON gives it), every field checked."""
    _require_keys(document, PLAN_KEYS, PLAN_KEYS, None)
    year = _integer(document["year"], "year", None)
    areas = _read_areas(document["areas"])
    projects = _read_projects(document["projects"], year, {area.number for area in areas})
    return PlanData(year=year, title=_text(document["title"], "title", None),
                    issued_on=_date(document["issued_on"], "issued_on", None),
                    areas=areas, projects=projects)


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


def _require_keys(mapping: object, required: tuple[str, ...], allowed: tuple[str, ...], row: int | None,
                  number: object = None) -> None:
    if not isinstance(mapping, dict):
        raise PlanFileError("应是一个映射（键: 值）", row, number)
    for key in required:
        if key not in mapping:
            raise PlanFileError(f"缺少“{key}”", row, number)
    unknown = [str(key) for key in mapping if key not in allowed]
    if unknown:
        raise PlanFileError(f"未知字段“{'、'.join(unknown)}”", row, number)


def _read_areas(raw: object) -> tuple[AreaData, ...]:
    if not isinstance(raw, list) or not raw:
        raise PlanFileError("“areas”应是非空列表")
    areas = []
    for index, item in enumerate(raw, start=1):
        _require_keys(item, AREA_KEYS, (*AREA_KEYS, "goal"), None)
        where = f"areas 第 {index} 项的"
        areas.append(AreaData(number=_integer(item["number"], where + "number", None),
                              heading=_text(item["heading"], where + "heading", None),
                              goal=_text(item.get("goal") or "", where + "goal", None, allow_empty=True)))
    numbers = [area.number for area in areas]
    for number in numbers:
        if numbers.count(number) > 1:
            raise PlanFileError(f"任务领域序号 {number} 重复")
    return tuple(areas)


def _read_projects(raw: object, year: int, area_numbers: set[int]) -> tuple[ProjectData, ...]:
    if not isinstance(raw, list) or not raw:
        raise PlanFileError("“projects”应是非空列表")
    projects = tuple(_read_project(item, row, year, area_numbers) for row, item in enumerate(raw, start=1))
    first_rows: dict[int, int] = {}
    for project in projects:
        if project.number in first_rows:
            raise PlanFileError(f"序号 {project.number} 与第 {first_rows[project.number]} 行重复",
                                project.row, project.number)
        first_rows[project.number] = project.row
    return projects


def _read_project(item: object, row: int, year: int, area_numbers: set[int]) -> ProjectData:
    number = item.get("number") if isinstance(item, dict) else None
    _require_keys(item, PROJECT_KEYS, PROJECT_KEYS + OPTIONAL_PROJECT_KEYS, row, number)
    try:
        return _project_fields(item, row, year, area_numbers)
    except PlanFileError as error:
        raise PlanFileError(error.reason, row, number) from None


def _project_fields(item: dict, row: int, year: int, area_numbers: set[int]) -> ProjectData:
    area = _integer(item["area"], "area", None)
    if area not in area_numbers:
        raise PlanFileError(f"任务领域 {area} 不存在")
    lead_units = _unit_list(item["lead_units"], "lead_units")
    if not lead_units:
        raise PlanFileError("至少要有一个牵头单位（lead_units）")
    deadline = _text(item["deadline"], "deadline", None)
    due_on, no_fixed_date = _due_date(item, deadline, year)
    return ProjectData(row=row, number=_integer(item["number"], "number", None), area=area,
                       text=_text(item["text"], "text", None),
                       party_work=_text(item.get("party_work") or "", "party_work", None, allow_empty=True),
                       lead_units=lead_units, responsible_units=_unit_list(item["responsible_units"],
                                                                          "responsible_units"),
                       deadline=deadline, due_on=due_on, no_fixed_date=no_fixed_date,
                       read_by_fallback=_flag(item.get("read_by_fallback", False), "read_by_fallback"))


def _due_date(item: dict, deadline: str, year: int) -> tuple[date | None, bool]:
    """An explicit due_on wins; no_fixed_date: true needs no date; otherwise the deadline text decides."""
    no_fixed_date = _flag(item.get("no_fixed_date", False), "no_fixed_date")
    if item.get("due_on") is not None:
        if no_fixed_date:
            raise PlanFileError("给了 due_on 又标了 no_fixed_date: true，二者只能取一")
        return _date(item["due_on"], "due_on", None), False
    if no_fixed_date:
        return None, True
    return parse_deadline(deadline, year)


def _integer(value: object, field: str, row: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PlanFileError(f"“{field}”应是整数，而不是“{value}”", row)
    return value


def _text(value: object, field: str, row: int | None, allow_empty: bool = False) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise PlanFileError(f"“{field}”应是非空文字", row)
    return value


def _flag(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise PlanFileError(f"“{field}”应是 true 或 false")
    return value


def _date(value: object, field: str, row: int | None) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PlanFileError(f"“{field}”不是有效日期：“{value}”（应写成 2017-06-30）", row) from None


def _unit_list(value: object, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(name, str) and name.strip() for name in value):
        raise PlanFileError(f"“{field}”应是单位名称的列表")
    return tuple(value)


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


# --- listing ----------------------------------------------------------------------------------


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
