"""What a year's plan must hold, in the plan file's layout (``data/plan-<year>.yaml``, or the office's spreadsheet
read into that layout): every field checked and every deadline read, nothing written. Reading the file and
loading the checked plan into the database is loading.py's.

Nothing here is specific to one year: another year's plan in the same layout is checked the same way.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

PLAN_KEYS = ("year", "title", "issued_on", "areas", "projects")
PROJECT_KEYS = ("number", "area", "text", "lead_units", "responsible_units", "deadline")
OPTIONAL_PROJECT_KEYS = ("party_work", "due_on", "no_fixed_date", "read_by_fallback")
AREA_KEYS = ("number", "heading")

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


# --- checking a document ---------------------------------------------------------------------


def read_plan_document(document: object) -> PlanData:
    """The plan a document in the file's layout describes (a dict, as YAML or JSON gives it), every field checked."""
    _require_keys(document, PLAN_KEYS, PLAN_KEYS, None)
    year = _integer(document["year"], "year", None)
    areas = _read_areas(document["areas"])
    projects = _read_projects(document["projects"], year, {area.number for area in areas})
    return PlanData(year=year, title=_text(document["title"], "title", None),
                    issued_on=_date(document["issued_on"], "issued_on", None),
                    areas=areas, projects=projects)


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
