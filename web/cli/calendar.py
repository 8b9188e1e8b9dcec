"""`flask --app web calendar import|show`: the working-day calendar the office keeps (holidays and 调休)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from workflows.holidays import office

from ..core.db import get_session
from .common import fail

calendar_cli = AppGroup("calendar", help="工作日历：法定节假日与调休上班日（国务院每年的放假通知）")


@calendar_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--draft", is_flag=True, help="只录入文件中的日期，不把这些年份标为已完整录入（正式通知发布前）")
def calendar_import(file: Path, draft: bool):
    """导入放假通知文件：每行“日期,休或班,名称”，如 2027-01-01,休,元旦；# 开头的行为注释。
    文件替换其中各年份原有的办公室录入；任何一行有误则全部不导入，退出码 1。"""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{file.name} 不是 UTF-8 编码的文本文件")
    try:
        entries = office.parse_notice(text)
    except office.CalendarInvalid as error:
        fail(f"{file.name} 未导入：\n" + "\n".join(error.errors))
    session = get_session()
    years = office.import_notice(session, entries, f"导入文件 {file.name}", "命令行", datetime.utcnow(),
                                 complete=not draft)
    session.commit()
    for year in years:
        days = [entry for entry in entries if entry.day.year == year]
        off = sum(not entry.is_workday for entry in days)
        click.echo(f"已导入 {year} 年：放假 {off} 天，调休上班 {len(days) - off} 天"
                   + ("（草稿，未标为完整）" if draft else "（已标为完整）"))


@calendar_cli.command("show")
@click.argument("year", type=int)
def calendar_show(year: int):
    """列出某年的放假日与调休上班日。"""
    session = get_session()
    state = "已完整录入" if office.year_known(session, year) else "未完整录入，按周一至周五推算"
    click.echo(f"{year} 年（{state}）")
    for row in office.year_days(session, year):
        click.echo(f"{row.day.isoformat()},{'班' if row.is_workday else '休'},{row.name}"
                   + ("  # 办公室录入" if row.by_office else ""))
