"""The figures as tables for the CSV export (UTF-8 with BOM, every text cell through spreadsheet_text, like the
other exports: workflows/reports/tables.py)."""
from __future__ import annotations

from ..reports.tables import Table, tables_csv
from .figures import Figures, ProcessFigures

KINDS = {"user": "用户任务", "call": "调用子流程", "timer": "定时器"}
HEADER = ["在办", "已办", "耗时中位数（工作日）", "90%分位耗时（工作日）"]


def _cells(figures: Figures, kind: str) -> list:
    waiting = None if kind == "timer" else figures.waiting
    return [waiting, figures.finished, figures.median, figures.p90]


def analytics_tables(figures: ProcessFigures) -> list[Table]:
    """各环节 (every step, in diagram order), 最慢的五个环节, 各单位各环节 (slowest first)."""
    steps = Table("各环节", ["环节", "类型", *HEADER],
                  [[step.step.name, KINDS[step.step.kind], *_cells(step.figures, step.step.kind)]
                   for step in figures.steps])
    slowest = Table("最慢的五个环节", ["环节", *HEADER],
                    [[step.step.name, *_cells(step.figures, "user")] for step in figures.slowest])
    units = Table("各单位各环节", ["环节", "单位", *HEADER],
                  [[step.step.name, unit, *_cells(unit_figures, "user")] for step, unit, unit_figures in figures.unit_rows])
    return [steps, slowest, units]


def analytics_csv(figures: ProcessFigures) -> bytes:
    return tables_csv(analytics_tables(figures))
