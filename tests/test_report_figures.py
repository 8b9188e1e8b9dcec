"""The year-end PDF, its CSV/XLSX tables, the dashboard page and GET /api/dashboard agree on every report that is
due and missing, filed late, returned or extended, and on every overdue task (issue 18 §1): all of them read the
report status from workflows/reports/dashboard.report_cells and the overdue tasks from overdue_tasks.

The plan is activated on Thu 2017-06-08 and played to Thu 2017-06-22, the day of the issue's example: most Q2 reports
(due Mon 06-19) are missing. Long unbroken text wraps inside the A4 page and 𪚥 (U+2A6A5, outside Noto CJK) is
drawn by the fallback font.
"""
from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import datetime

import pikepdf
import pytest
from openpyxl import load_workbook

from tests.process_support import REPORT, Driver, prepared_app
from tests.web_support import signed_in_client
from workflows.accounts.actor import Actor
from workflows.accounts.tokens import issue_token
from workflows.tasks import extensions

COMPILE, REVIEW = "汇总填报季度报告", "审核季度报告"
ON_TIME, RETURNED, LATE, EXTENDED, MISSING = "2017-02", "2017-52", "2017-42", "2017-10", "2017-07"
LONG_LINK = "https://www.shpt.gov.cn/" + "a" * 175  # 199 characters without a break
RARE = "\U0002A6A5"  # 𪚥, CJK Extension B
COMMENT = f"请补充街道落实情况，参见{LONG_LINK}，附件“{RARE}字样稿" + "很" * 60 + ".docx”"
ITEM = re.compile(r"【第(\d)季度报告】(\d{4}-\d{2})([^【]*)")  # up to the next item (pdftotext may reorder a line)


def play_to_june_22(driver: Driver) -> None:
    """Activate on 06-08, then one report on time, one returned (with a long link and a rare character in the
    office's comment), one extended, one late (06-21), and the clock left at Thursday 06-22."""
    session = driver.session
    driver.activate()
    driver.complete(driver.task(name=COMPILE, business_key=ON_TIME), REPORT)
    driver.complete(driver.task(name=REVIEW, business_key=ON_TIME), {"verdict": "accept"})
    driver.complete(driver.task(name=COMPILE, business_key=RETURNED), REPORT)
    driver.complete(driver.task(name=REVIEW, business_key=RETURNED), {"verdict": "return", "office_comment": COMMENT})
    task = driver.task(name=COMPILE, business_key=EXTENDED)
    extensions.request_extension(session, driver.engine, Actor(task.assigned_unit, task.assigned_unit, "unit"),
                                 task.id, "2017-06-30", "需等待区统计局提供二季度数据")
    session.commit()
    driver.complete(driver.task(name="审批延期申请"), {"extension_decision": "approve"}, as_unit="tuijinban")
    driver.advance(days=13)  # Wed 06-21
    driver.complete(driver.task(name=COMPILE, business_key=LATE), REPORT)
    driver.advance(days=1)  # Thu 06-22


@pytest.fixture(scope="module")
def app(database_url):
    """The 2017 plan played to 06-22 (play_to_june_22); the rest of the reports left missing."""
    with prepared_app(database_url, play_to_june_22,
                      users=(("auditor", "tuijinban", "auditor"), ("office", "tuijinban", "office"))) as application:
        yield application


@pytest.fixture(scope="module")
def auditor(app):
    return signed_in_client(app, "auditor")


@pytest.fixture(scope="module")
def api_figures(app):
    from web.core.db import new_session
    from workflows.accounts.users import find_user

    with app.app_context():
        session = new_session()
        token = issue_token(session, find_user(session, "office"), datetime.utcnow())
        session.commit()
        session.close()
    response = app.test_client().get("/api/dashboard?year=2017", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.json


@pytest.fixture(scope="module")
def year_pdf(auditor) -> bytes:
    response = auditor.get("/reports/year-end/2017.pdf")
    assert response.status_code == 200
    return response.data


def pdf_text(content: bytes, tmp_path, *pages: int) -> str:
    """The text of the PDF (or of pages ``first..last``, 1-based) in the order it was drawn, all white space
    removed."""
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    span = ["-f", str(pages[0]), "-l", str(pages[1])] if pages else []
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", *span, str(path), "-"], capture_output=True, check=True,
                         text=True).stdout
    return "".join(out.split())


def appendix_text(content: bytes, tmp_path) -> str:
    """The text of the appendix: from the page of its anchor to the end."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        first = pages[pikepdf.NameTree(pdf.Root.Names.Dests)["overdue"][0].objgen]
        count = len(pdf.pages)
    return pdf_text(content, tmp_path, first + 1, count)


def status_keys(figures: dict, quarter: int, status: str) -> set[str]:
    return {row["business_key"] for row in figures["matrix"]["rows"] if row["cells"][quarter - 1]["status"] == status}


def appendix_reports(text: str, quarter: int) -> tuple[set[str], set[str]]:
    """(projects whose report is listed as still not done, those listed as done late) in the appendix."""
    items = [(key, "未完成" in rest) for q, key, rest in ITEM.findall(text) if int(q) == quarter]
    return {key for key, missing in items if missing}, {key for key, missing in items if not missing}


def summary_column(rows: list[list[str]], title: str) -> list[str]:
    header = rows[0]
    return [row[header.index(title)] for row in rows[1:]]


def test_the_dashboard_counts_the_missing_late_returned_and_extended_reports_of_the_issues_day(api_figures):
    totals = api_figures["matrix"]["totals"]["2"]
    assert api_figures["today"] == "2017-06-22"
    assert MISSING in status_keys(api_figures, 2, "missing")
    assert status_keys(api_figures, 2, "late") == {LATE}
    assert status_keys(api_figures, 2, "returned") == {RETURNED}
    assert EXTENDED in status_keys(api_figures, 2, "not_due")  # its due date moved to 06-30
    assert totals["missing"] == len(status_keys(api_figures, 2, "missing")) > 40


def test_the_year_pdfs_appendix_lists_exactly_the_reports_the_api_counts_missing_and_late(api_figures, year_pdf,
                                                                                          tmp_path):
    missing, late = appendix_reports(appendix_text(year_pdf, tmp_path), 2)
    assert missing == status_keys(api_figures, 2, "missing")
    assert late == status_keys(api_figures, 2, "late")
    assert api_figures["matrix"]["totals"]["2"]["missing"] == len(missing)


def test_the_year_pdfs_appendix_lists_every_overdue_task_the_dashboard_counts(api_figures, year_pdf, tmp_path):
    appendix = appendix_text(year_pdf, tmp_path)
    assert appendix.count("【待办逾期】") == sum(unit["overdue"] for unit in api_figures["units"]) > 0
    assert f"共{appendix.count('【')}项" in appendix


def test_the_dashboard_page_shows_the_same_quarter_totals_as_the_api(auditor, api_figures):
    page = auditor.get("/dashboard?year=2017").get_data(as_text=True)
    for status in ("missing", "late", "returned", "on_time"):
        row = re.search(rf'<tr data-status="{status}">(.*?)</tr>', page, re.S).group(1)
        cells = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row)]
        assert cells == [api_figures["matrix"]["totals"][str(q)][status] for q in (1, 2, 3, 4)], status


def test_the_csv_and_xlsx_mark_each_second_quarter_report_as_the_dashboard_does(auditor, api_figures):
    content = auditor.get("/reports/year-end/2017.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    summary = rows[1:rows.index([])]
    workbook = load_workbook(io.BytesIO(auditor.get("/reports/year-end/2017.xlsx").data))
    sheet = [[str(cell) if cell is not None else "" for cell in row]
             for row in workbook["项目汇总"].iter_rows(values_only=True)]
    for table in (summary, sheet):
        marks = dict(zip(summary_column(table, "编号"), summary_column(table, "二季度报告")))
        assert {key for key, mark in marks.items() if mark == "逾期未报"} == status_keys(api_figures, 2, "missing")
        assert {key for key, mark in marks.items() if mark == "逾期报送"} == {LATE}
        assert marks[RETURNED] == "退回待改" and marks[EXTENDED] == "未到期" and marks[ON_TIME] == "按时报送"


def test_a_missing_report_is_in_its_projects_section_of_the_year_pdf_and_in_the_projects_pdf(auditor, year_pdf,
                                                                                           tmp_path):
    project_pdf = auditor.get("/reports/projects/7.pdf?year=2017")
    assert project_pdf.status_code == 200
    with pikepdf.open(io.BytesIO(year_pdf)) as pdf:
        pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
        page = pages[pikepdf.NameTree(pdf.Root.Names.Dests)["project-7"][0].objgen] + 1
    for text in (pdf_text(project_pdf.data, tmp_path), pdf_text(year_pdf, tmp_path, page, page)):
        assert "第2季度：期限2017年6月19日，逾期未报" in text
        assert f"【第2季度报告】{MISSING}" in text and "未完成；逾期3个工作日" in text
        assert f"【待办逾期】{MISSING}" in text
        assert "暂无" not in text and "没有逾期事项" not in text


def test_an_extended_report_is_shown_with_its_new_due_date_and_not_as_overdue(auditor, tmp_path):
    text = pdf_text(auditor.get("/reports/projects/10.pdf?year=2017").data, tmp_path)
    assert "第2季度：期限2017年6月30日，未到期" in text
    assert "【第2季度报告】" not in text


def word_boxes(content: bytes, tmp_path) -> tuple[float, list[float]]:
    """The page width and the right edge of every word, in points, as pdftotext -bbox finds them."""
    path = tmp_path / "boxes.pdf"
    path.write_bytes(content)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    return width, [float(x) for x in re.findall(r'xMax="([\d.]+)"', html)]


def test_a_199_character_link_and_a_long_file_name_wrap_inside_the_page(auditor, tmp_path):
    content = auditor.get("/reports/projects/52.pdf?year=2017").data
    width, right_edges = word_boxes(content, tmp_path)
    assert LONG_LINK in pdf_text(content, tmp_path)
    assert max(right_edges) <= width - 16 / 25.4 * 72 + 1  # inside the 16 mm right margin


def test_a_character_outside_the_main_font_is_drawn_by_an_embedded_fallback_font(auditor, tmp_path):
    content = auditor.get("/reports/projects/52.pdf?year=2017").data
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    assert RARE in pdf_text(content, tmp_path)
    assert "HanaMinB" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())

