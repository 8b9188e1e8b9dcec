"""The task page's 延期申请 and 改派, as pages and through the API: a unit asks for more time, the office decides
in its inbox and the unit's inbox shows the new date; the office hands a task to another unit."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from engine import HumanTask
from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import db, ensure_user, login_as, post_form, text  # noqa: F401
from workflows.accounts.tokens import issue_token
from workflows.tasks.models import DeadlineExtension

COMPILE, REVIEW_EXTENSION = "汇总填报季度报告", "审批延期申请"
REQUEST = {"requested_due_on": "2017-06-30", "reason": "需等待区统计局提供二季度数据"}


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)  # project 2's Q2 report waits for 区委组织部 (zuzhibu), due 19 June
    return driver


@pytest.fixture
def report(driver) -> HumanTask:
    return driver.task(name=COMPILE, business_key="2017-02")


@pytest.fixture
def api(app, driver):
    """``api(username, path, json, unit=..., role=...)``: a POST with that user's Bearer token."""
    client = app.test_client()

    def post(username, path, json, *, unit=None, role="unit"):
        user = ensure_user(driver.session, username, unit or username, role)
        token = issue_token(driver.session, user, datetime.utcnow())
        driver.session.commit()
        response = client.post(path, json=json, headers={"Authorization": f"Bearer {token}"})
        driver.session.expire_all()
        return response

    return post


def office(login_as):  # noqa: F811
    return login_as("office", unit="tuijinban", role="office")


def ask_for_more_time(client, task: HumanTask, data: dict = REQUEST):
    url = f"/tasks/{task.id}/extension"
    return post_form(client, url, url, data)


def test_a_unit_asks_for_more_time_the_office_approves_it_in_its_inbox_and_the_unit_sees_the_new_date(
        driver, report, login_as):  # noqa: F811
    unit = login_as("zuzhibu")
    assert f'href="/tasks/{report.id}/extension"' in text(unit.get(f"/tasks/{report.id}"))

    response = ask_for_more_time(unit, report)

    assert response.status_code == 302 and response.location == f"/tasks/{report.id}"
    page = text(unit.get(f"/tasks/{report.id}"))
    assert "待区推进办审批" in page and f'href="/tasks/{report.id}/extension"' not in page
    review = driver.task(name=REVIEW_EXTENSION)
    desk = office(login_as)
    assert REVIEW_EXTENSION in text(desk.get("/inbox"))
    review_page = text(desk.get(f"/tasks/{review.id}"))
    assert "延期申请详情" in review_page and REQUEST["reason"] in review_page and "2017年6月30日" in review_page

    decided = post_form(desk, f"/tasks/{review.id}", f"/tasks/{review.id}",
                        {"extension_decision": "approve", "approved_due": "", "decision_comment": ""})

    assert decided.status_code == 302
    inbox = text(unit.get("/inbox"))
    assert "2017年6月30日" in inbox and "2017年6月19日" not in inbox
    assert "已同意，延至 2017年6月30日" in text(unit.get(f"/tasks/{report.id}"))


def test_the_office_refusing_without_a_comment_is_told_which_field_to_fill(driver, report, login_as):  # noqa: F811
    ask_for_more_time(login_as("zuzhibu"), report)
    review = driver.task(name=REVIEW_EXTENSION)

    response = post_form(office(login_as), f"/tasks/{review.id}", f"/tasks/{review.id}",
                         {"extension_decision": "refuse", "decision_comment": ""})

    assert response.status_code == 422 and 'id="error-decision_comment"' in text(response)
    driver.session.expire_all()
    assert driver.session.get(DeadlineExtension, 1).status == "pending"


@pytest.mark.parametrize("data, field", [
    ({"requested_due_on": "2017-06-18", "reason": "理由"}, "requested_due_on"),
    ({"requested_due_on": "", "reason": "理由"}, "requested_due_on"),
    ({"requested_due_on": "2017-06-30", "reason": ""}, "reason"),
])
def test_a_bad_request_form_answers_422_naming_the_field_and_starts_nothing(driver, report, login_as, data,
                                                                             field):  # noqa: F811
    response = ask_for_more_time(login_as("zuzhibu"), report, data)

    assert response.status_code == 422 and f'id="error-{field}"' in text(response)
    assert driver.tasks(name=REVIEW_EXTENSION) == []


def test_a_second_request_while_one_is_pending_is_refused_with_409(driver, report, login_as):  # noqa: F811
    unit = login_as("zuzhibu")
    ask_for_more_time(unit, report)
    token_page = f"/tasks/{report.id}"  # the extension page itself now refuses; the token comes from the task
    response = post_form(unit, token_page, f"/tasks/{report.id}/extension", REQUEST)
    assert response.status_code == 409 and "审批中" in text(response)
    assert len(driver.tasks(name=REVIEW_EXTENSION)) == 1


def test_a_unit_cannot_ask_for_more_time_on_another_units_task(driver, report, login_as):  # noqa: F811
    other = login_as("caoyang")
    assert other.get(f"/tasks/{report.id}/extension").status_code == 404
    response = post_form(other, "/inbox", f"/tasks/{report.id}/extension", REQUEST)
    assert response.status_code == 404
    assert office(login_as).get(f"/tasks/{report.id}/extension").status_code == 403


def test_the_office_reassigns_a_task_and_only_the_new_unit_sees_it(driver, report, login_as):  # noqa: F811
    desk = office(login_as)
    page = text(desk.get(f"/tasks/{report.id}"))
    assert f'action="/tasks/{report.id}/reassign"' in page and 'value="minzhengju"' in page
    assert 'value="gejiedao"' not in page  # groups are not offered

    response = post_form(desk, f"/tasks/{report.id}", f"/tasks/{report.id}/reassign",
                         {"unit": "minzhengju", "reason": "牵头单位调整为区民政局"})

    assert response.status_code == 302
    assert login_as("zuzhibu").get(f"/tasks/{report.id}").status_code == 404
    new_unit = login_as("minzhengju")
    assert COMPILE in text(new_unit.get("/inbox"))
    history = text(new_unit.get(f"/tasks/{report.id}"))
    assert "<td>改派</td>" in history  # the history names the step, the units and the reason
    assert "由区委组织部改派至区民政局；理由：牵头单位调整为区民政局" in history


@pytest.mark.parametrize("username, unit, role", [
    ("zuzhibu", "zuzhibu", "unit"), ("auditor", "tuijinban", "auditor"), ("supervisor", "duchake", "supervisor")])
def test_only_the_office_may_reassign(driver, report, login_as, api, username, unit, role):  # noqa: F811
    client = login_as(username, unit=unit, role=role)
    assert f'/tasks/{report.id}/reassign' not in text(client.get(f"/tasks/{report.id}"))
    response = post_form(client, "/inbox", f"/tasks/{report.id}/reassign", {"unit": "minzhengju", "reason": "调整"})
    assert response.status_code == 403
    answer = api(username, f"/api/tasks/{report.id}/reassign", {"unit": "minzhengju", "reason": "调整"},
                 unit=unit, role=role)
    assert answer.status_code == 403
    assert driver.session.get(HumanTask, report.id).assigned_unit == "zuzhibu"


@pytest.mark.parametrize("unit", ["gejiedao", "各街道", "nosuchunit"])
def test_reassigning_to_a_group_or_an_unknown_unit_answers_422_naming_the_unit(driver, report, login_as, api,
                                                                              unit):  # noqa: F811
    response = post_form(office(login_as), f"/tasks/{report.id}", f"/tasks/{report.id}/reassign",
                         {"unit": unit, "reason": "调整"})
    assert response.status_code == 422 and 'id="error-unit"' in text(response)
    answer = api("office", f"/api/tasks/{report.id}/reassign", {"unit": unit, "reason": "调整"},
                 unit="tuijinban", role="office")
    assert answer.status_code == 422 and list(answer.json["errors"]) == ["unit"]
    assert driver.session.get(HumanTask, report.id).assigned_unit == "zuzhibu"


def test_a_completed_task_cannot_be_reassigned(driver, report, login_as, api):  # noqa: F811
    driver.complete(report, REPORT)
    response = post_form(office(login_as), f"/tasks/{report.id}", f"/tasks/{report.id}/reassign",
                         {"unit": "minzhengju", "reason": "调整"})
    assert response.status_code == 409
    answer = api("office", f"/api/tasks/{report.id}/reassign", {"unit": "minzhengju", "reason": "调整"},
                 unit="tuijinban", role="office")
    assert answer.status_code == 409


def test_the_api_takes_a_request_for_more_time_and_a_reassignment(driver, report, api):
    asked = api("zuzhibu", f"/api/tasks/{report.id}/extension", REQUEST)
    assert asked.status_code == 201
    assert (asked.json["status"], asked.json["current_due_on"], asked.json["requested_due_on"]) == (
        "pending", "2017-06-19", "2017-06-30")
    again = api("zuzhibu", f"/api/tasks/{report.id}/extension", REQUEST)
    assert again.status_code == 409

    moved = api("office", f"/api/tasks/{report.id}/reassign", {"unit": "区民政局", "reason": "调整"},
                unit="tuijinban", role="office")
    assert moved.status_code == 200 and (moved.json["assigned_unit"], moved.json["claimed_by"]) == ("minzhengju", None)


@pytest.mark.parametrize("body, field", [
    ({"requested_due_on": "2017-06-30", "reason": "理由", "extra": 1}, "extra"),
    ({"requested_due_on": "2017/06/30", "reason": "理由"}, "requested_due_on"),
    ({"requested_due_on": "2017-06-30"}, "reason"),
])
def test_the_api_refuses_a_bad_request_for_more_time_field_by_field(driver, report, api, body, field):
    answer = api("zuzhibu", f"/api/tasks/{report.id}/extension", body)
    assert answer.status_code == 422 and field in answer.json["errors"]


def test_the_api_hides_another_units_task_and_refuses_the_auditor(driver, report, api):
    assert api("caoyang", f"/api/tasks/{report.id}/extension", REQUEST).status_code == 404
    assert api("auditor", f"/api/tasks/{report.id}/extension", REQUEST, unit="tuijinban",
               role="auditor").status_code == 403
    assert driver.session.get(HumanTask, report.id).due_on == date(2017, 6, 19)
