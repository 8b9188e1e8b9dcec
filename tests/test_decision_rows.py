"""Issue 16 §3: a meeting's decisions are entered as rows (承办单位 from a list, 事项, a date), each row checked with
a message naming it; the 单位；事项；期限 text stays as a paste shortcut."""
from __future__ import annotations

import pytest

from tests.process_support import Driver
from tests.web_support import db, login_as, post_form  # noqa: F401
from workflows.cases import opening as cases

CALL = {"meeting_date": "2017-06-15", "topics": "二季度重点项目推进情况",
        "invited_units": ["minzhengju", "fangguanju", "caoyang"]}
RECORD = "记录会议纪要和决定事项"


@pytest.fixture
def minutes_task(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    cases.call_meeting(driver.session, driver.engine, CALL, actor="tuijinban")
    driver.session.commit()
    driver.advance(days=7)  # the meeting day
    return driver, driver.task(name=RECORD)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def test_the_minutes_form_offers_decision_rows_with_a_unit_list_and_a_date_picker(minutes_task, login_as):
    _, task = minutes_task

    page = page_text(login_as("tuijinban", role="office").get(f"/tasks/{task.id}"))

    assert '<select name="decisions__unit"' in page and '<option value="minzhengju"' in page
    assert 'type="date" name="decisions__due_on"' in page and 'name="decisions__task"' in page
    assert 'id="field-decisions-paste" name="decisions"' in page


def test_decisions_entered_as_rows_and_pasted_lines_become_action_items_for_each_unit(minutes_task, login_as):
    driver, task = minutes_task
    office = login_as("tuijinban", role="office")

    response = post_form(office, f"/tasks/{task.id}", f"/tasks/{task.id}", {
        "minutes": "会议通报了二季度进展",
        "decisions__unit": ["minzhengju", "", ""], "decisions__task": ["牵头制定方案", "", ""],
        "decisions__due_on": ["2017-07-31", "", ""],
        "decisions": "曹杨新村街道；排摸老年助餐需求；2017-07-14"})

    assert response.status_code == 302
    assert sorted(t.assigned_unit for t in driver.tasks(name="报告决定事项落实情况")) == ["caoyang", "minzhengju"]


def test_a_row_without_a_date_is_refused_with_a_message_naming_it_and_the_rows_are_kept(minutes_task, login_as):
    driver, task = minutes_task
    office = login_as("tuijinban", role="office")

    response = post_form(office, f"/tasks/{task.id}", f"/tasks/{task.id}", {
        "minutes": "会议通报了二季度进展",
        "decisions__unit": ["minzhengju", "caoyang"], "decisions__task": ["牵头制定方案", "排摸老年助餐需求"],
        "decisions__due_on": ["2017-07-31", ""]})

    page = page_text(response)
    assert response.status_code == 422 and "第 2 项" in page
    assert 'value="牵头制定方案"' in page and 'value="2017-07-31"' in page  # nothing typed is lost
    assert driver.tasks(name="报告决定事项落实情况") == [] and driver.task(name=RECORD).id == task.id
