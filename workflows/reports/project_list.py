"""The project list's search, filters, order and CSV export (/projects, /projects/export.csv).

Rows come from workflows/projects/pages.project_rows (each project with its open tasks and light); here they are
chosen and ordered by a :class:`ListQuery` read from the page's query string, and written as CSV for Excel/WPS."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from ..projects.pages import ProjectRow
from ..records.labels import VOCABULARIES
from .tables import spreadsheet_text

# The lights as the legend and the export name them; "completed" is a project whose 办结 was confirmed.
LIGHT_WORDS = VOCABULARIES["project_light"]  # the labels registry's list, not a copy
SORTS = {"number": "编号", "due": "完成时间", "light": "状态（逾期在前）", "area": "任务领域"}
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "completed": 3}
MAX_SEARCH = 100
CSV_HEADER = ["编号", "任务领域", "项目内容", "牵头单位", "责任单位", "完成时间", "当前环节", "状态"]


class BadListQuery(ValueError):
    """A query-string value the list cannot use; ``field`` names the form field, ``str()`` the Chinese message."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ListQuery:
    """What the person asked: ``q`` words in the content or units, ``area`` a task area's number, ``light`` one
    of LIGHT_WORDS, ``unit`` a unit's code (lead or responsible), ``sort`` one of SORTS."""

    q: str = ""
    area: int | None = None
    light: str = ""
    unit: str = ""
    sort: str = "number"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> ListQuery:
        """From the query string; raises BadListQuery naming the field for a value outside its choices."""
        q, area, light = args.get("q", "").strip(), args.get("area", "").strip(), args.get("light", "")
        sort = args.get("sort", "") or "number"
        if len(q) > MAX_SEARCH:
            raise BadListQuery(f"“搜索”不能超过 {MAX_SEARCH} 个字", "q")
        if area and not (area.isdigit() and 0 < int(area) < 100):
            raise BadListQuery("“任务领域”须从列表中选择", "area")
        if light and light not in LIGHT_WORDS:
            raise BadListQuery("“状态”须从列表中选择", "light")
        if sort not in SORTS:
            raise BadListQuery("“排序”须从列表中选择", "sort")
        return cls(q=q, area=int(area) if area else None, light=light, unit=args.get("unit", "").strip()[:50],
                   sort=sort)


def light_of(row: ProjectRow) -> str:
    return "completed" if row.completed else row.light


def area_name(heading: str) -> str:
    """A task area's short name: 在深化城市基层党建引领社区治理上持续用力 → 深化城市基层党建引领社区治理."""
    short = heading.removeprefix("在").removesuffix("上持续用力")
    return short or heading


def _matches(row: ProjectRow, query: ListQuery) -> bool:
    project = row.project
    units = project.lead_units + project.responsible_units
    if query.area is not None and project.area.number != query.area:
        return False
    if query.light and light_of(row) != query.light:
        return False
    if query.unit and query.unit not in {unit.code for unit in units}:
        return False
    words = " ".join([project.business_key, project.text, row.current_step, *(unit.name for unit in units)])
    return all(word in words for word in query.q.split())


def _sort_key(query: ListQuery):
    keys = {
        "number": lambda row: row.project.number,
        "due": lambda row: (row.project.due_on is None, row.project.due_on or 0, row.project.number),
        "light": lambda row: (LIGHT_ORDER[light_of(row)], row.project.number),
        "area": lambda row: (row.project.area.number, row.project.number),
    }
    return keys[query.sort]


def chosen(rows: list[ProjectRow], query: ListQuery) -> list[ProjectRow]:
    """The rows the query keeps, in its order."""
    return sorted((row for row in rows if _matches(row, query)), key=_sort_key(query))


def units_in(rows: list[ProjectRow]) -> list[tuple[str, str]]:
    """(code, name) of every lead or responsible unit of the rows, by name: the 单位 filter's choices."""
    units = {unit.code: unit.name for row in rows
             for unit in row.project.lead_units + row.project.responsible_units}
    return sorted(units.items(), key=lambda item: item[1])


def csv_bytes(rows: list[ProjectRow]) -> bytes:
    """The rows as CSV in UTF-8 with a byte order mark (Excel and WPS open it as Chinese text), every text cell
    guarded against formulas (tables.spreadsheet_text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for row in rows:
        project = row.project
        cells = [project.business_key, area_name(project.area.heading), project.text,
                 "、".join(unit.name for unit in project.lead_units),
                 "、".join(unit.name for unit in project.responsible_units),
                 project.deadline_text, row.current_step, LIGHT_WORDS[light_of(row)]]
        writer.writerow([spreadsheet_text(cell or "") for cell in cells])
    return out.getvalue().encode("utf-8-sig")
