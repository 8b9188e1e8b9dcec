"""Turn the 2017 notice's flattened project table into the plan file ``workflows/plan/data/plan-2017.yaml``.

The table came out of the web page one cell per paragraph, with a blank line between cells, so the
牵头单位 and 责任单位 columns run together. They are told apart like this (the office's reading rules):

1. a unit that repeats within a project starts the 责任单位 column (projects 17, 49, 52, 54);
2. otherwise an extra blank line between names is the column break (36: nothing after the lead, 42);
3. otherwise the first unit leads and the rest are responsible; such projects get
   ``read_by_fallback: true`` so the office checks them.

Run:  PYTHONPATH=. .venv/bin/python tools/convert_putuo_2017.py [SOURCE] [OUTPUT]
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from workflows.directory.units import DEFAULT_UNITS_FILE, DirectoryError, read_units_file, split_names
from workflows.plan.document import PlanFileError, parse_deadline
from workflows.plan.loading import DEFAULT_PLAN_FILE

SOURCE_FILE = Path(__file__).resolve().parent / "putuo-2017-key-projects.txt"
TABLE_LAST_HEADER = "完成时间"
AREA_HEADING = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
TITLE = re.compile(r"《(.+?)》")
ISSUE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
COLUMN_GAP = 2  # blank lines; one blank line separates ordinary cells

HEADER = """\
# {title}
# 由 tools/convert_putuo_2017.py 从原通知附表生成（PYTHONPATH=. .venv/bin/python tools/convert_putuo_2017.py）。
# 原表每格一段，牵头单位与责任单位两栏连在一起，按以下规则分栏：
#   同一项目中单位名重复出现时，重复处开始是责任单位（17、49、52、54）；
#   否则单位之间多一个空行处为分栏（36、42）；
#   否则第一个单位为牵头单位，其余为责任单位，并标 read_by_fallback: true，请推进办核对。
# due_on 是由 deadline（完成时间）推算的截止日期；改了完成时间请同时改 due_on，或把 due_on 置空由系统推算。
# no_fixed_date: true 表示没有固定完成日期（如“根据市级部署”），不推算 due_on。
# 单位写名称或别名（见 workflows/directory/data/units.yaml）。
# 区委“1+6”工作一栏原表无文字，party_work 留空。
"""


class ConversionError(Exception):
    """The source text does not read as the expected table."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    blank_lines_before: int


def read_paragraphs(source: str) -> list[Paragraph]:
    paragraphs, blanks = [], 0
    for line in source.splitlines():
        if line.strip():
            paragraphs.append(Paragraph(line.strip(), blanks))
            blanks = 0
        else:
            blanks += 1
    return paragraphs


def convert(source: str, known_names: list[str]) -> dict:
    """The plan as a dictionary in the plan file's layout."""
    paragraphs = read_paragraphs(source)
    title = _title(paragraphs)
    year = int(re.search(r"(\d{4})年", title).group(1))
    areas, projects = _read_table(_table(paragraphs), year, known_names)
    return {"year": year, "title": title, "issued_on": _issue_date(paragraphs), "areas": areas,
            "projects": projects}


def _title(paragraphs: list[Paragraph]) -> str:
    for paragraph in paragraphs:
        match = TITLE.search(paragraph.text)
        if match:
            return match.group(1)
    raise ConversionError("找不到通知标题（《…》）")


def _issue_date(paragraphs: list[Paragraph]) -> date:
    for paragraph in paragraphs:
        match = ISSUE_DATE.match(paragraph.text)
        if match:
            return date(*map(int, match.groups()))
    raise ConversionError("找不到发文日期（某年某月某日）")


def _table(paragraphs: list[Paragraph]) -> list[Paragraph]:
    for index, paragraph in enumerate(paragraphs):
        if paragraph.text == TABLE_LAST_HEADER:
            return paragraphs[index + 1:]
    raise ConversionError(f"找不到附表表头（“{TABLE_LAST_HEADER}”）")


def _read_table(table: list[Paragraph], year: int, known_names: list[str]) -> tuple[list, list]:
    areas: list[dict] = []
    projects: list[dict] = []
    index = 0
    while index < len(table):
        paragraph = table[index]
        if AREA_HEADING.match(paragraph.text):
            areas.append(_area(paragraph.text, len(areas) + 1))
            index += 1
        elif paragraph.text == str(len(projects) + 1) and areas:
            project, index = _read_row(table, index, year, known_names)
            projects.append({"number": project.pop("number"), "area": len(areas), **project})
        else:
            break  # the page's footer follows the last row
    if any(paragraph.text == str(len(projects) + 1) for paragraph in table[index:]):
        raise ConversionError(f"序号 {len(projects)} 之后读不下去：“{table[index].text}”")
    return areas, projects


def _area(text: str, number: int) -> dict:
    body = AREA_HEADING.sub("", text)
    heading, _, goal = body.partition("。")
    return {"number": number, "heading": heading, "goal": goal}


def _read_row(table: list[Paragraph], index: int, year: int, known_names: list[str]) -> tuple[dict, int]:
    """One row: 序号, 项目, one or more unit cells, 完成时间. Returns the project and the next index."""
    number = int(table[index].text)
    text = table[index + 1].text
    cells: list[tuple[list[str], int]] = []
    position = index + 2
    while position < len(table) and (names := _unit_names(table[position].text, known_names)):
        cells.append((names, table[position].blank_lines_before))
        position += 1
    if not cells or position >= len(table):
        raise ConversionError(f"序号 {number}：缺少单位或完成时间")
    deadline = table[position]
    try:
        due_on, no_fixed_date = parse_deadline(deadline.text, year)
    except PlanFileError:
        raise ConversionError(f"序号 {number}：“{deadline.text}”既不是已知单位也不是完成时间") from None
    lead_units, responsible_units, by_fallback = split_columns(cells, deadline.blank_lines_before)
    project = {"number": number, "party_work": "", "text": text, "lead_units": lead_units,
               "responsible_units": responsible_units, "deadline": deadline.text, "due_on": due_on,
               "no_fixed_date": no_fixed_date, "read_by_fallback": by_fallback}
    return project, position + 1


def _unit_names(text: str, known_names: list[str]) -> list[str]:
    try:
        return split_names(text, known_names)
    except DirectoryError:
        return []


def split_columns(cells: list[tuple[list[str], int]], blank_lines_before_deadline: int
                  ) -> tuple[list[str], list[str], bool]:
    """(lead units, responsible units, read by the fallback rule) from a row's unit cells in order."""
    names = [name for cell_names, _ in cells for name in cell_names]
    for position, name in enumerate(names):
        if name in names[:position]:
            return names[:position], names[position:], False
    starts, position = [], 0
    for cell_names, blank_lines in cells:
        starts.append((position, blank_lines))
        position += len(cell_names)
    for start, blank_lines in [*starts[1:], (len(names), blank_lines_before_deadline)]:
        if blank_lines >= COLUMN_GAP:
            return names[:start], names[start:], False
    return names[:1], names[1:], True


# --- writing YAML in the plan file's layout ---------------------------------------------------


class _FlowMapping(dict):
    pass


class _FlowList(list):
    pass


class _Quoted(str):
    pass


class _PlanDumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # indent list items under their key


_PlanDumper.add_representer(_FlowMapping, lambda dumper, value: dumper.represent_mapping(
    "tag:yaml.org,2002:map", value.items(), flow_style=True))
_PlanDumper.add_representer(_FlowList, lambda dumper, value: dumper.represent_sequence(
    "tag:yaml.org,2002:seq", value, flow_style=True))
_PlanDumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", str(value), style='"'))


def render(plan: dict) -> str:
    document = {
        **plan,
        "areas": [_FlowMapping(area, goal=_Quoted(area["goal"])) for area in plan["areas"]],
        "projects": [_layout_project(project) for project in plan["projects"]],
    }
    body = yaml.dump(document, Dumper=_PlanDumper, allow_unicode=True, sort_keys=False, width=10_000)
    return HEADER.format(title=plan["title"]) + body


def _layout_project(project: dict) -> dict:
    return {**project, "text": _Quoted(project["text"]), "party_work": _Quoted(project["party_work"]),
            "lead_units": _FlowList(project["lead_units"]),
            "responsible_units": _FlowList(project["responsible_units"])}


def convert_file(source: Path = SOURCE_FILE, units_file: Path = DEFAULT_UNITS_FILE) -> str:
    """The plan file's text for a source notice."""
    entries = read_units_file(units_file)
    known_names = [name for entry in entries for name in (entry.name, *entry.aliases)]
    return render(convert(source.read_text(encoding="utf-8"), known_names))


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE_FILE
    output = Path(argv[1]) if len(argv) > 1 else DEFAULT_PLAN_FILE
    try:
        text = convert_file(source)
    except (ConversionError, DirectoryError) as error:
        print(f"转换失败：{error}", file=sys.stderr)
        return 1
    output.write_text(text, encoding="utf-8")
    print(f"已写入 {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
