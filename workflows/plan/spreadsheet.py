"""A year's plan from the office's own table (CSV or XLSX): 序号, 项目, 牵头单位, 责任单位, 完成时间.

The table becomes a document in the plan file's layout, which ``document.py`` checks and ``loading.py`` loads exactly as they
does ``flask --app web plan load FILE``. Every error names the row as the spreadsheet shows it and the
column. Rows with an empty 序号 and a heading such as “一、……” or “（一）……” start a task area; an
optional 任务领域 column names the area row by row.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from ..directory.models import Unit
from ..directory.units import DirectoryError, normalise_name, split_names, unit_index
from .document import PlanData, PlanFileError, parse_deadline, read_plan_document
from .loading import resolve_units

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
MAX_COLUMNS = 30
COLUMNS = {  # field: the headers that name it; the first is the one messages use
    "number": ("序号",), "text": ("项目", "项目内容"), "lead_units": ("牵头单位",),
    "responsible_units": ("责任单位",), "deadline": ("完成时间",),
}
OPTIONAL_COLUMNS = {"area": ("任务领域", "领域"), "party_work": ("区委“1+6”工作",)}
AREA_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])")
UNIT_SEPARATORS = re.compile(r"([、，,;；])")
DEFAULT_AREA = "重点工作项目"


@dataclass(frozen=True)
class RowError:
    row: int | None  # as the spreadsheet shows it
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" if self.row is not None else ""
        where += f"“{self.column}”" if self.column else ""
        return f"{where}：{self.reason}" if where else self.reason


class PlanImportError(Exception):
    """The form or the table is wrong; ``fields`` maps form fields to messages, ``errors`` lists the rows'."""

    def __init__(self, errors: list[RowError] | None = None, fields: dict[str, str] | None = None):
        self.errors, self.fields = errors or [], fields or {}
        super().__init__("；".join([*self.fields.values(), *map(str, self.errors[:10])]))


@dataclass(frozen=True)
class Upload:
    """The table read into the plan file's layout; ``rows`` is the spreadsheet row of each project."""

    document: dict
    rows: list[int]


@dataclass
class _Table:
    """What has been read of the table so far."""

    columns: dict[str, int]
    areas: list[dict]
    projects: list[dict]
    rows: list[int]
    errors: list[RowError]


# --- the form ---------------------------------------------------------------------------------


def read_upload(session, *, year: str, title: str, issued_on: str, filename: str, content: bytes) -> Upload:
    """The plan an uploaded table describes, checked in full (units included); raises PlanImportError."""
    header = _plan_header(year, title, issued_on)
    table = _read_rows(filename or "", content)
    upload = _build(session, header, table)
    check_document(session, upload)
    return upload


def _plan_header(year: str, title: str, issued_on: str) -> dict:
    fields, header = {}, {"title": (title or "").strip()}
    text = (year or "").strip()
    if not (text.isdigit() and 2000 <= int(text) <= 2100):
        fields["year"] = "年度应是 2000–2100 之间的整数"
    else:
        header["year"] = int(text)
    if not header["title"]:
        fields["title"] = "请填写计划标题"
    try:
        header["issued_on"] = date.fromisoformat((issued_on or "").strip()).isoformat()
    except ValueError:
        fields["issued_on"] = "印发日期应写成 2018-03-01"
    if fields:
        raise PlanImportError(fields=fields)
    return header


# --- reading the file -------------------------------------------------------------------------


def _read_rows(filename: str, content: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cell texts) of every non-blank row."""
    if len(content) > MAX_BYTES:
        raise PlanImportError(fields={"file": f"文件超过 {MAX_BYTES // (1024 * 1024)} MB，请拆分或删去无关内容后再上传"})
    if not content:
        raise PlanImportError(fields={"file": "请选择要上传的 CSV 或 XLSX 文件"})
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix == "csv":
        raw_rows = _csv_rows(content)
    elif suffix == "xlsx":
        raw_rows = _xlsx_rows(content)
    else:
        raise PlanImportError(fields={"file": "只能上传 .csv 或 .xlsx 文件"})
    rows = []
    for number, cells in raw_rows:
        texts = [_cell_text(cell) for cell in cells[:MAX_COLUMNS]]
        if any(texts):
            rows.append((number, texts))
            if len(rows) > MAX_ROWS + 1:  # the header row and MAX_ROWS rows below it
                raise PlanImportError(fields={"file": f"表格超过 {MAX_ROWS} 行，请拆分后再上传"})
    return rows


def _csv_rows(content: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PlanImportError(fields={"file": "CSV 文件的编码无法识别：请存为 UTF-8 或 GB18030（Excel 的“CSV”）"})
    try:
        return list(enumerate(csv.reader(io.StringIO(text, newline="")), start=1))
    except csv.Error as error:
        raise PlanImportError(fields={"file": f"CSV 文件格式有误：{error}"}) from None


def _xlsx_rows(content: bytes):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise PlanImportError(fields={"file": "无法读取这个 Excel 文件：请用 Excel 另存为 .xlsx 后再上传"}) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True), start=1):
            rows.append((number, list(cells)))
            if len(rows) > 20 * MAX_ROWS:
                break  # only blank formatted rows can make a file of 2 MB this long
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- reading the table ------------------------------------------------------------------------


def _build(session, header: dict, rows: list[tuple[int, list[str]]]) -> Upload:
    if not rows:
        raise PlanImportError([RowError(None, None, "表格是空的")])
    # A title such as 《……项目安排》 may stand above the header row.
    start = next((index for index, (_, cells) in enumerate(rows[:10])
                  if COLUMNS["number"][0] in map(normalise_name, cells)), 0)
    header_row, headings = rows[start]
    columns, missing = _columns(headings)
    if missing:
        raise PlanImportError([RowError(header_row, None, f"表头缺少“{name}”列（应有 序号、项目、牵头单位、责任单位、"
                                                          "完成时间）") for name in missing])
    table = _Table(columns=columns, areas=[], projects=[], rows=[], errors=[])
    names = unit_index(session)
    for number, cells in rows[start + 1:]:
        _read_row(table, number, cells + [""] * MAX_COLUMNS, header["year"], names)
    _check_numbers(table)
    if not table.projects and not table.errors:
        table.errors.append(RowError(None, None, "表中没有项目行"))
    if table.errors:
        raise PlanImportError(table.errors)
    return Upload(document={**header, "areas": table.areas, "projects": table.projects}, rows=table.rows)


def _columns(headings: list[str]) -> tuple[dict[str, int], list[str]]:
    positions = {normalise_name(text): index for index, text in reversed(list(enumerate(headings)))}
    columns, missing = {}, []
    for field, names in {**COLUMNS, **OPTIONAL_COLUMNS}.items():
        found = next((positions[name] for name in names if name in positions), None)
        if found is not None:
            columns[field] = found
        elif field in COLUMNS:
            missing.append(names[0])
    return columns, missing


def _read_row(table: _Table, row: int, cells: list[str], year: int, names: dict[str, Unit]) -> None:
    cell = {field: cells[index] for field, index in table.columns.items()}
    heading = _area_heading(cell, cells)
    if heading is not None:
        _area_number(table, heading)
        return
    if not cell["number"]:
        table.errors.append(RowError(row, "序号", "缺少序号（任务领域标题行请写成“一、……”）"))
        return
    errors_before = len(table.errors)
    project = {"number": _number(table, row, cell["number"]), "text": cell["text"],
               "party_work": cell.get("party_work", ""), "deadline": cell["deadline"],
               "lead_units": _units(table, row, "牵头单位", cell["lead_units"], names),
               "responsible_units": _units(table, row, "责任单位", cell["responsible_units"], names)}
    if not project["text"]:
        table.errors.append(RowError(row, "项目", "缺少项目内容"))
    if not project["lead_units"] and not cell["lead_units"]:
        table.errors.append(RowError(row, "牵头单位", "至少要有一个牵头单位"))
    _check_deadline(table, row, cell["deadline"], year)
    project["area"] = _area_number(table, cell.get("area") or None)
    if len(table.errors) == errors_before:
        table.projects.append(project)
        table.rows.append(row)


def _area_heading(cell: dict[str, str], cells: list[str]) -> str | None:
    """The heading of an area row: no units, no 完成时间, and its first text reads “一、……” or “（一）……”."""
    if cell["lead_units"] or cell["responsible_units"] or cell["deadline"]:
        return None
    first = next((text for text in cells if text), "")
    if AREA_HEADING.match(first) and (not cell["number"] or first == cell["number"]):
        return first
    return None


def _number(table: _Table, row: int, text: str) -> int | None:
    if not text.isdigit() or int(text) < 1:
        table.errors.append(RowError(row, "序号", f"序号应是正整数，而不是“{text}”"))
        return None
    return int(text)


def _check_numbers(table: _Table) -> None:
    first_rows: dict[int, int] = {}
    for project, row in zip(table.projects, table.rows):
        if project["number"] in first_rows:
            table.errors.append(RowError(row, "序号", f"序号 {project['number']} 与第 {first_rows[project['number']]} "
                                                     "行重复"))
        first_rows.setdefault(project["number"], row)


def _check_deadline(table: _Table, row: int, text: str, year: int) -> None:
    if not text:
        table.errors.append(RowError(row, "完成时间", "缺少完成时间"))
        return
    try:
        parse_deadline(text, year)
    except PlanFileError as error:
        table.errors.append(RowError(row, "完成时间", error.reason))


def _area_number(table: _Table, heading: str | None) -> int:
    """The number of the area with this heading (added if new); None means the current, or a default, area."""
    if heading is None:
        if not table.areas:
            table.areas.append({"number": 1, "heading": DEFAULT_AREA, "goal": ""})
        return table.areas[-1]["number"]
    title, _, goal = AREA_HEADING.sub("", heading).strip().partition("。")
    for area in table.areas:
        if area["heading"] == title:
            return area["number"]
    table.areas.append({"number": len(table.areas) + 1, "heading": title, "goal": goal.strip()})
    return len(table.areas)


def _units(table: _Table, row: int, column: str, text: str, names: dict[str, Unit]) -> list[str]:
    """The directory names of the units a cell lists; an unknown name is a row error."""
    found: list[str] = []
    for line in text.splitlines():
        pieces = [piece for piece in UNIT_SEPARATORS.split(normalise_name(line)) if piece]
        position = 0
        while position < len(pieces):
            taken, units = _longest_name(pieces, position, names)
            if not units and not UNIT_SEPARATORS.fullmatch(pieces[position]):
                table.errors.append(RowError(row, column, f"找不到单位“{pieces[position]}”"))
            for unit in units:
                if unit.name in found:
                    table.errors.append(RowError(row, column, f"单位“{unit.name}”重复"))
                found.append(unit.name)
            position += max(taken, 1)
    return found


def _longest_name(pieces: list[str], start: int, names: dict[str, Unit]) -> tuple[int, list[Unit]]:
    """How many pieces from ``start`` make the longest known name (各街道、镇 spans three), and its unit;
    a piece like 区农办和长征镇 is split as the directory splits a cell."""
    for end in range(len(pieces), start, -1):
        unit = names.get("".join(pieces[start:end]))
        if unit is not None:
            return end - start, [unit]
    try:
        return 1, [names[name] for name in split_names(pieces[start], names)]
    except DirectoryError:
        return 1, []


# --- checking through document.py and loading.py ------------------------------------------------


def check_document(session, upload: Upload) -> PlanData:
    """The plan checked by document.py in full, unit names included; errors carry the spreadsheet's rows."""
    try:
        data = read_plan_document(upload.document)
        resolve_units(session, data)
    except PlanFileError as error:
        row = upload.rows[error.row - 1] if error.row and error.row <= len(upload.rows) else None
        raise PlanImportError([RowError(row, None, error.reason)]) from None
    return data
