"""The year report's summary tables, and the same tables as CSV (UTF-8 with BOM, for Excel) and XLSX."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from ..records.labels import label
from .overdue_items import OverdueItem
from .year_report import ProjectFacts, Rate, YearSummary

# What makes Excel, WPS or LibreOffice read a cell as a formula (or DDE command): OWASP's CSV injection list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text (a project's content, a unit's name …) as a spreadsheet shows it and never runs it: text beginning
    with ``= + - @``, a tab or a carriage return gets a leading ``'``, as OWASP's CSV injection guidance says.
    Every text cell of the CSV and XLSX exports goes through here; numbers and dates do not."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    percent_columns: set[int] = field(default_factory=set)  # cells holding a share (0.875), shown as 87.5%


def _report_mark(facts: ProjectFacts, quarter: int) -> str:
    """The quarter's status in the one list of words (records/labels.py, report_standing), as the dashboard
    decides it (projects.report_cells); — where no report is expected."""
    cell = facts.cell(quarter)
    if cell is None or cell.status == "not_applicable":
        return "—"
    return label("report_standing", cell.status)


def project_table(summary: YearSummary) -> Table:
    table = Table("项目汇总", ["编号", "任务领域", "项目内容", "牵头单位", "责任单位", "完成时间", "截止日期", "办结情况",
                           "确认办结日期", "一季度报告", "二季度报告", "三季度报告", "四季度报告", "季度按时率",
                           "自评分", "计算得分", "最终得分"], percent_columns={13})
    for facts in summary.projects:
        project, evaluation = facts.project, facts.evaluation
        table.rows.append([
            project.business_key, project.area.number, project.text,
            "、".join(u.name for u in project.lead_units), "、".join(u.name for u in project.responsible_units),
            project.deadline_text, project.due_on, facts.outcome_name,
            facts.completion.confirmed_on if facts.completion else None,
            *(_report_mark(facts, quarter) for quarter in (1, 2, 3, 4)), facts.rate().value,
            evaluation.self_score if evaluation else None, evaluation.computed_score if evaluation else None,
            facts.score])
    return table


def _rate_cells(rate: Rate) -> list[Any]:
    return [rate.counted, rate.on_time, rate.value]


def rate_table(summary: YearSummary) -> Table:
    header = ["任务领域"] + [f"第{q}季度{name}" for q in (1, 2, 3, 4) for name in ("应报", "按时", "按时率")] + \
        ["全年应报", "全年按时", "全年按时率"]
    table = Table("季度按时率", header, percent_columns={3, 6, 9, 12, 15})
    for row in summary.area_rates:
        table.rows.append([f"{row.area.number}. {row.area.heading}",
                           *(cell for q in (1, 2, 3, 4) for cell in _rate_cells(row.quarters[q])),
                           *_rate_cells(row.year)])
    table.rows.append(["全区", *(cell for q in (1, 2, 3, 4) for cell in _rate_cells(summary.quarter_rates[q])),
                       *_rate_cells(summary.year_rate)])
    return table


def ranking_table(summary: YearSummary) -> Table:
    table = Table("单位排名", ["名次", "牵头单位", "牵头项目数", "平均得分", "应报季度报告", "按时报送", "按时率"],
                  percent_columns={6})
    for place, rank in enumerate(summary.unit_ranking, start=1):
        table.rows.append([place, rank.unit.name, rank.projects, rank.average_score, *_rate_cells(rank.rate)])
    return table


def consultation_table(summary: YearSummary) -> Table:
    table = Table("条块约请", ["被约请部门", "被约请次数", "已签收", "平均签收工作日", "已答复", "平均答复工作日",
                           "已评价", "满意", "满意率"], percent_columns={8})
    for row in summary.consultations:
        table.rows.append([row.unit.name, row.invitations, row.signed, row.average_sign_days, row.replied,
                           row.average_reply_days, row.rated, row.satisfied, row.satisfaction])
    return table


def overdue_table(items: list[OverdueItem]) -> Table:
    table = Table("逾期事项", ["事项", "内容", "承办单位", "期限", "完成日期", "逾期工作日"])
    for item in items:
        table.rows.append([item.kind, item.subject, item.units, item.due_on, item.done_on or "未完成",
                           item.workdays_late])
    return table


def summary_tables(summary: YearSummary, overdue: list[OverdueItem]) -> list[Table]:
    return [project_table(summary), rate_table(summary), ranking_table(summary), consultation_table(summary),
            overdue_table(overdue)]


def _text(value: Any, percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return spreadsheet_text(value)
    if percent:
        return f"{value:.1%}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def tables_csv(tables: list[Table]) -> bytes:
    """One table after the other, each under its title, a blank line between them."""
    out = io.StringIO()
    writer = csv.writer(out)
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([f"【{table.title}】"])
        writer.writerow([spreadsheet_text(name) for name in table.header])
        for row in table.rows:
            writer.writerow([_text(cell, column in table.percent_columns) for column, cell in enumerate(row)])
    return out.getvalue().encode("utf-8-sig")


def tables_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table; dates as dates, shares as numbers shown as percentages, text always as text."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.title)
        for row in [table.header, *table.rows]:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    _write_text(cell)
        for column in table.percent_columns:
            for cell in sheet[get_column_letter(column + 1)][1:]:
                cell.number_format = "0.0%"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_text(cell) -> None:
    """openpyxl makes any string beginning with ``=`` a formula; this cell stays a string cell."""
    cell.value = spreadsheet_text(cell.value)
    cell.data_type = "s"
