"""The project list: search, filters by area, unit and light, order, a CSV export of what is shown, a legend for
the lights and the task areas by name rather than by number; a value outside its choices is a 422 naming it."""
from __future__ import annotations

import csv
import io

import pytest

from tests.process_support import Driver, start_projects
from tests.test_web_projects import page_text
from tests.web_support import db, login_as  # noqa: F401
from workflows.reports.project_list import area_name

LEAD = "zuzhibu"  # 区委组织部 leads projects 1 and 2


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2, 5)
    return driver


def listed(page: str) -> list[int]:
    numbers, start = [], 0
    while (start := page.find('id="project-', start)) != -1:
        start += len('id="project-')
        numbers.append(int(page[start:page.index('"', start)]))
    return numbers


def test_the_list_names_each_task_area_instead_of_its_number(driver, login_as):
    page = page_text(login_as(LEAD).get("/projects"))

    assert "深化城市基层党建引领社区治理" in page
    assert area_name("在深化城市基层党建引领社区治理上持续用力") == "深化城市基层党建引领社区治理"


def test_a_legend_says_what_each_light_means(driver, login_as):
    page = page_text(login_as(LEAD).get("/projects"))

    assert "状态图例" in page and "已逾期" in page and "3个工作日内到期" in page and "正常推进" in page


def test_searching_finds_projects_by_their_words_and_units(driver, login_as):
    client = login_as(LEAD)

    assert listed(page_text(client.get("/projects?q=区域化党建工作联席会议"))) == [2]
    assert set(listed(page_text(client.get("/projects?q=区委组织部")))) >= {1, 2}
    assert "没有符合条件的项目" in page_text(client.get("/projects?q=不存在的词语"))


def test_filters_by_area_and_unit_and_sorts_by_due_date(driver, login_as):
    client = login_as(LEAD)
    first_area = listed(page_text(client.get("/projects?area=1")))
    by_unit = listed(page_text(client.get("/projects?unit=zuzhibu")))
    by_due = listed(page_text(client.get("/projects?sort=due")))

    assert first_area and len(first_area) < len(listed(page_text(client.get("/projects"))))
    assert {1, 2} <= set(by_unit)
    assert sorted(by_due) == sorted(listed(page_text(client.get("/projects")))) and by_due != sorted(by_due)


def test_the_csv_export_holds_what_the_list_shows_with_names_not_codes(driver, login_as):
    response = login_as(LEAD).get("/projects/export.csv?q=区域化党建工作联席会议")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["编号", "任务领域", "项目内容"]
    assert [row[0] for row in rows[1:]] == ["2017-02"]
    assert rows[1][1] == "深化城市基层党建引领社区治理" and rows[1][3] == "区委组织部" and rows[1][7] == "正常推进"


@pytest.mark.parametrize("query, field", [("light=purple", "状态"), ("sort=colour", "排序"), ("area=x", "任务领域"),
                                          ("q=" + "长" * 101, "搜索")])
def test_a_value_outside_its_choices_is_refused_naming_the_field(driver, login_as, query, field):
    client = login_as(LEAD)
    page = client.get(f"/projects?{query}")
    export = client.get(f"/projects/export.csv?{query}")

    assert page.status_code == 422 and f"“{field}”" in page_text(page)
    assert export.status_code == 422 and f"“{field}”" in page_text(export)
