"""Importing a year's plan from the office's own table (CSV or XLSX): reading, row errors, preview, confirm."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from workflows.directory.units import load_directory
from workflows.plan import spreadsheet as plan_import
from workflows.plan.document import PlanFileError, parse_deadline
from workflows.plan.loading import DEFAULT_PLAN_FILE, load_plan
from workflows.plan.models import Plan, Project
from workflows.plan.spreadsheet import PlanImportError
from workflows.projects import plan_preview

HEADER = {"year": "2018", "title": "普陀区2018年重点工作项目安排", "issued_on": "2018-03-01"}
SMALL_PLAN = """\
序号,项目,牵头单位,责任单位,完成时间
,一、在加强基层队伍建设上持续用力。围绕基层队伍建设。,,,
1,第一个项目。,区民政局、区人社局,各街道、镇,9月底前
2,第二个项目。,区城管执法局(区拆违办),"区房管局
区规划局",年底
,（二）在提升群众满意度获得感上持续用力,,,
3,第三个项目。,区环保局,相关委办局；长征镇,长期
"""


@pytest.fixture
def directory(db):
    load_directory(db)
    db.commit()


def read(db, text: str = SMALL_PLAN, *, filename: str = "plan.csv", encoding: str = "utf-8-sig", **header):
    return plan_import.read_upload(db, filename=filename, content=text.encode(encoding), **{**HEADER, **header})


def errors_of(db, text: str, **kwargs) -> list[str]:
    with pytest.raises(PlanImportError) as raised:
        read(db, text, **kwargs)
    return [str(error) for error in raised.value.errors] + list(raised.value.fields.values())


def plan_count(db, year: int = 2018) -> int:
    return db.scalar(select(func.count()).select_from(Plan).where(Plan.year == year))


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_csv_table_reads_into_the_plan_layout_with_its_areas_units_and_rows(db, directory):
    upload = read(db)

    document = upload.document
    assert (document["year"], document["issued_on"]) == (2018, "2018-03-01")
    assert [area["heading"] for area in document["areas"]] == ["在加强基层队伍建设上持续用力",
                                                             "在提升群众满意度获得感上持续用力"]
    assert document["areas"][0]["goal"] == "围绕基层队伍建设。"
    first, second, third = document["projects"]
    assert first["lead_units"] == ["区民政局", "区人社局"] and first["responsible_units"] == ["各街道、镇"]
    assert second["responsible_units"] == ["区房管局", "区规划局"] and second["lead_units"] == ["区城管执法局"]
    assert third["area"] == 2 and third["responsible_units"] == ["区相关委办局", "长征镇"]
    assert upload.rows == [3, 4, 6]


def test_a_csv_saved_by_chinese_excel_in_gb18030_reads_the_same(db, directory):
    assert read(db, encoding="gb18030").document == read(db).document


def test_an_xlsx_table_with_a_title_above_the_header_and_a_date_cell_reads_like_the_csv(db, directory):
    content = xlsx([
        ["普陀区2018年重点工作项目安排"],
        [],
        ["序号", "项目", "牵头单位", "责任单位", "完成时间", "任务领域"],
        [1, "第一个项目。", "区民政局\n区人社局", "各街道、镇", "9月底前", "在加强基层队伍建设上持续用力"],
        [2.0, "第二个项目。", "区城管执法局", None, datetime(2018, 11, 15), "在加强基层队伍建设上持续用力"],
    ])

    upload = plan_import.read_upload(db, filename="计划.XLSX", content=content, **HEADER)

    assert [project["number"] for project in upload.document["projects"]] == [1, 2]
    assert upload.document["projects"][1]["deadline"] == "2018年11月15日"
    assert upload.document["projects"][0]["lead_units"] == ["区民政局", "区人社局"]
    assert len(upload.document["areas"]) == 1


def test_an_xlsx_row_error_names_the_row_excel_shows(db, directory):
    content = xlsx([["计划表"], [], ["序号", "项目", "牵头单位", "责任单位", "完成时间"],
                    [1, "项目。", "区民政局", "区某某局", "全年"]])

    with pytest.raises(PlanImportError) as raised:
        plan_import.read_upload(db, filename="plan.xlsx", content=content, **HEADER)

    assert [str(error) for error in raised.value.errors] == ["第 4 行“责任单位”：找不到单位“区某某局”"]


def test_the_2017_notice_deadlines_and_the_usual_office_wordings_all_parse():
    assert parse_deadline("年底", 2018) == (date(2018, 12, 31), False)
    assert parse_deadline("2018年6月底", 2018) == (date(2018, 6, 30), False)
    assert parse_deadline("2019年3月31日前", 2018) == (date(2019, 3, 31), False)
    assert parse_deadline("长期", 2018) == (None, True)
    assert parse_deadline("10月底前", 2017) == (date(2017, 10, 31), False)
    with pytest.raises(PlanFileError):
        parse_deadline("2月30日", 2018)


def test_an_unknown_unit_is_reported_with_the_spreadsheet_row_and_the_column(db, directory):
    table = SMALL_PLAN.replace("区环保局", "区某某局")

    assert errors_of(db, table) == ["第 6 行“牵头单位”：找不到单位“区某某局”"]


def test_every_wrong_row_is_reported_at_once_and_nothing_is_written(db, directory):
    table = ("序号,项目,牵头单位,责任单位,完成时间\n"
             "1,,区民政局,,9月底前\n"
             "2,第二个项目。,区民政局,,明年再说\n"
             "3,第三个项目。,区民政局,,全年\n"
             "3,第四个项目。,区民政局,,全年\n"
             "x,第五个项目。,,,全年\n")

    assert errors_of(db, table) == [
        "第 2 行“项目”：缺少项目内容",
        "第 3 行“完成时间”：无法识别的完成时间“明年再说”：请写成 全年、年底、上半年、N月底前、2018年6月30日 等，或给出 due_on",
        "第 6 行“序号”：序号应是正整数，而不是“x”",
        "第 6 行“牵头单位”：至少要有一个牵头单位",
        "第 5 行“序号”：序号 3 与第 4 行重复",
    ]
    assert plan_count(db) == 0


def test_a_header_without_the_completion_column_is_refused(db, directory):
    assert errors_of(db, "序号,项目,牵头单位,责任单位\n1,项目。,区民政局,,\n") == [
        "第 1 行：表头缺少“完成时间”列（应有 序号、项目、牵头单位、责任单位、完成时间）"]


def test_a_file_over_two_megabytes_or_two_thousand_rows_is_refused(db, directory):
    too_big = "序号,项目,牵头单位,责任单位,完成时间\n" + "x" * plan_import.MAX_BYTES
    too_long = "序号,项目,牵头单位,责任单位,完成时间\n" + "".join(
        f"{number},项目。,区民政局,,全年\n" for number in range(1, plan_import.MAX_ROWS + 2))

    assert errors_of(db, too_big) == ["文件超过 2 MB，请拆分或删去无关内容后再上传"]
    assert errors_of(db, too_long) == ["表格超过 2000 行，请拆分后再上传"]


def test_a_file_that_is_neither_csv_nor_a_real_xlsx_is_refused(db, directory):
    assert errors_of(db, SMALL_PLAN, filename="plan.txt") == ["只能上传 .csv 或 .xlsx 文件"]
    assert errors_of(db, SMALL_PLAN, filename="plan.xlsx") == ["无法读取这个 Excel 文件：请用 Excel 另存为 .xlsx 后再上传"]


def test_a_bad_year_or_issue_date_names_its_field(db, directory):
    with pytest.raises(PlanImportError) as raised:
        read(db, year="明年", issued_on="3月1日")

    assert raised.value.fields == {"year": "年度应是 2000–2100 之间的整数", "issued_on": "印发日期应写成 2018-03-01"}


def test_the_preview_of_a_new_year_lists_every_project_as_created_and_writes_nothing(db, directory):
    preview = plan_preview.preview(db, read(db))

    assert not preview.exists and [line.number for line in preview.created] == [1, 2, 3]
    assert preview.created[2].fields["截止日期"] == "无固定日期"
    assert preview.created[0].fields["截止日期"] == "2018-09-30"
    assert plan_count(db) == 0


def test_confirming_writes_the_plan_and_a_second_table_shows_changes_field_by_field(db, directory):
    plan_preview.confirm(db, read(db))
    db.commit()
    changed = SMALL_PLAN.replace("9月底前", "6月底前").replace("区民政局、区人社局", "区民政局").replace(
        "3,第三个项目。,区环保局,相关委办局；长征镇,长期\n", "4,新的项目。,区环保局,,全年\n")

    preview = plan_preview.preview(db, read(db, changed))

    assert [line.number for line in preview.created] == [4]
    assert [line.number for line in preview.removed] == [3]
    (line,) = preview.changed
    assert [(c.label, c.before, c.after) for c in line.changes] == [
        ("牵头单位", "区民政局、区人社局", "区民政局"), ("完成时间", "9月底前", "6月底前"),
        ("截止日期", "2018-09-30", "2018-06-30")]
    assert preview.unchanged == 1

    result = plan_preview.confirm(db, read(db, changed))
    db.commit()

    assert (result.created, result.updated, result.removed, result.unchanged) == (1, 1, 1, 1)
    numbers = db.scalars(select(Project.number).join(Plan).where(Plan.year == 2018).order_by(Project.number)).all()
    assert numbers == [1, 2, 4]


def test_the_carried_plan_is_checked_again_in_full_when_confirmed(db, directory):
    upload = read(db)
    upload.document["projects"][0]["lead_units"] = ["区某某局"]
    carried = plan_preview.upload_from_json(plan_preview.upload_as_json(upload))

    with pytest.raises(PlanImportError) as raised:
        plan_preview.confirm(db, carried)

    assert [str(error) for error in raised.value.errors] == ["第 3 行：未知单位“区某某局”"]
    with pytest.raises(PlanImportError):
        plan_preview.upload_from_json('{"document": []}')
    db.rollback()
    assert plan_count(db) == 0


def test_an_activated_plan_cannot_be_changed_by_an_import(db, directory):
    load_plan(db, DEFAULT_PLAN_FILE)
    db.scalar(select(Plan).where(Plan.year == 2017)).activated_at = datetime(2017, 6, 8, 9, 0)
    db.commit()

    with pytest.raises(plan_preview.PlanLocked, match="2017年计划已于 2017-06-08 启动"):
        plan_preview.preview(db, read(db, year="2017"))
