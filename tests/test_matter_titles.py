"""Issue 16 §4: started matters have titles a clerk recognises (the street, the matter, the date), and a project's
page lists the 约请 raised about it and the checks made of it."""
from __future__ import annotations

import pytest

from tests.process_support import Driver, start_projects
from tests.web_support import db, login_as  # noqa: F401
from workflows.cases import opening as cases

CHECK = {"project": "2017-05", "subject": "旧住房综合改造推进情况", "requirements": "说明开工户数和资金到位情况",
         "answer_due": "2017-06-20"}


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()  # 2017-06-08
    start_projects(driver, 5)
    return driver


def raise_consultation(driver: Driver, description: str, project: str | None = None):
    data = {"description": description, "place": "曹杨路兰溪路口", "invited_departments": ["minzhengju"]}
    instance = cases.raise_consultation(driver.session, driver.engine, "caoyang",
                                        data | ({"project": project} if project else {}), actor="caoyang")
    driver.session.commit()
    return instance


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_two_matters_raised_by_one_street_on_one_day_are_told_apart_in_the_offices_inbox(driver, login_as):
    raise_consultation(driver, "曹杨路积水点改造涉及排水管网")
    raise_consultation(driver, "兰溪路菜场周边占道经营")

    page = page_text(login_as("tuijinban", role="office").get("/inbox?process=unit_consultation"))

    assert "曹杨新村街道 · 约请：曹杨路积水点改造涉及排水管网 · 2017年6月8日" in page
    assert "曹杨新村街道 · 约请：兰溪路菜场周边占道经营 · 2017年6月8日" in page
    assert "约请-caoyang-20170608" not in page


def test_two_matters_of_one_street_on_one_day_get_two_business_keys_in_words(driver):
    first = raise_consultation(driver, "曹杨路积水点改造涉及排水管网")
    second = raise_consultation(driver, "兰溪路菜场周边占道经营")

    assert (first.row.business_key, second.row.business_key) == ("约请-曹杨新村街道-20170608", "约请-曹杨新村街道-20170608-2")


def test_the_task_page_of_a_matter_is_titled_by_the_matter(driver, login_as):
    instance = raise_consultation(driver, "曹杨路积水点改造涉及排水管网")
    task = driver.task(name="分派约请部门", instance_id=instance.id)

    page = page_text(login_as("tuijinban", role="office").get(f"/tasks/{task.id}"))

    title = page[page.index("<title>"):page.index("</title>")]
    assert "曹杨新村街道 · 约请：曹杨路积水点改造涉及排水管网" in title
    assert "约请-caoyang-20170608" not in page


def test_a_project_page_lists_what_a_street_raised_about_it_and_the_supervisors_check(driver, login_as):
    raise_consultation(driver, "旧住房改造中的居民安置协调", project="2017-05")
    cases.open_check(driver.session, driver.engine, CHECK, actor="duchake")
    driver.session.commit()

    page = page_text(login_as("zuzhibu").get("/projects/5?year=2017"))
    related = page[page.index("相关约请和督查"):]
    related = related[:related.index("</section>")]

    assert "条块约请" in related and "曹杨新村街道 · 约请：旧住房改造中的居民安置协调" in related and "办理中" in related
    assert "跟踪督查" in related and "督查：旧住房综合改造推进情况" in related and "待反馈" in related
    assert "open" not in related


def test_a_project_without_matters_says_so(driver, login_as):
    page = page_text(login_as("zuzhibu").get("/projects/5?year=2017"))

    assert "暂无街镇约请或督查事项" in page


def test_the_office_dispatches_a_consultation_by_ticking_departments_not_typing_codes(driver, login_as):
    from tests.web_support import post_form
    instance = raise_consultation(driver, "曹杨路积水点改造涉及排水管网")
    task = driver.task(name="分派约请部门", instance_id=instance.id)
    office = login_as("tuijinban", role="office")

    page = page_text(office.get(f"/tasks/{task.id}"))
    assert 'data-unit-picker' in page and 'name="invited_departments" value="chengguanju"' in page
    picker = page[page.index('id="field-invited_departments"'):]
    assert 'value="caoyang"' not in picker[:picker.index("</fieldset>")]  # streets are not departments
    assert "picker.js" in page

    response = post_form(office, f"/tasks/{task.id}", f"/tasks/{task.id}",
                         {"invited_departments": ["chengguanju", "fangguanju"], "dispatch_note": ""})

    assert response.status_code == 302
    signers = sorted(t.assigned_unit for t in driver.tasks(name="签收约请", instance_id=instance.id))
    assert signers == ["chengguanju", "fangguanju"]


def test_a_ticked_group_stands_for_its_members(driver):
    from workflows.tasks.unit_choices import expand_groups, unit_choices

    assert expand_groups(driver.session, ["gejiedao", "caoyang", "minzhengju"]) == [  # members by code, each once
        "caoyang", "changfeng", "changshou", "ganquan", "shiquan", "wanli", "yichuan", "zhenru", "minzhengju"]
    streets = unit_choices(driver.session, ("street", "town"))
    assert {group.name for group, _ in streets.groups} >= {"各街道", "各街道、镇"}
    assert [name for name, _ in streets.kinds] == ["街道", "镇"]
