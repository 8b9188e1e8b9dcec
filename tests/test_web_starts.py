"""The start pages: a street raises a 条块约请, the office calls a meeting, the supervision section opens a check,
a department applies for 社区事务准入 — each lands as a task in the next unit's inbox."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import HumanTask, ProcessInstance
from tests.process_support import Driver
from tests.web_support import db, login_as, post_form  # noqa: F401

FLOODING = "曹杨路积水点改造涉及排水管网，需区职能部门协调"
CONSULTATION = {"description": FLOODING, "place": "曹杨路兰溪路口", "project": "", "wished_reply_on": "",
                "invited_departments": ["minzhengju", "fangguanju"]}
CHECK = {"project": "2017-05", "subject": "旧住房综合改造推进情况", "requirements": "说明开工户数和资金到位情况",
         "answer_due": "2017-06-20"}
MEETING = {"meeting_date": "2017-06-15", "topics": "二季度重点项目推进情况",
           "invited_units": ["minzhengju", "fangguanju", "caoyang"]}
APPLICATION = {"affair": "高龄老人营养餐补贴的申请受理与初审", "legal_basis": "《上海市老年人权益保障条例》第三十条",
               "funding": "每街镇每年20万元", "staffing": "每街镇1名社工", "on_responsibility_list": "true"}


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    return driver


def page_text(response) -> str:
    return response.get_data(as_text=True)


def open_tasks(driver: Driver, name: str) -> list[HumanTask]:
    driver.session.expire_all()
    return driver.tasks(name=name)


def instance_count(driver: Driver) -> int:
    driver.session.expire_all()
    return driver.session.scalar(select(func.count()).select_from(ProcessInstance))


def office(login_as):
    return login_as("office", unit="tuijinban", role="office")


def test_a_street_starts_a_consultation_that_the_office_finds_in_its_inbox_to_dispatch(driver, login_as):
    street = login_as("caoyang")

    response = post_form(street, "/start/consultation", "/start/consultation", CONSULTATION)

    assert response.status_code == 302 and response.location == "/inbox"
    assert "已发起条块约请" in page_text(street.get("/inbox"))
    [dispatch] = open_tasks(driver, "分派约请部门")
    assert dispatch.assigned_unit == "tuijinban"
    assert driver.engine.task_view(dispatch).data["invited_departments"] == ["minzhengju", "fangguanju"]
    assert "分派约请部门" in page_text(office(login_as).get("/inbox"))


def test_the_consultation_page_offers_the_departments_as_checkboxes(driver, login_as):
    page = page_text(login_as("caoyang").get("/start/consultation"))

    assert 'type="checkbox" name="invited_departments" value="minzhengju"' in page
    assert 'value="caoyang"' not in page  # streets are not invited


def test_a_department_may_neither_open_nor_post_the_consultation_page(driver, login_as):
    department = login_as("minzhengju")

    assert department.get("/start/consultation").status_code == 403
    assert post_form(department, "/start", "/start/consultation", CONSULTATION).status_code == 403
    assert instance_count(driver) == 0


def test_a_consultation_without_departments_or_description_is_shown_again_with_messages_and_starts_nothing(
        driver, login_as):
    street = login_as("caoyang")

    response = post_form(street, "/start/consultation", "/start/consultation",
                         {**CONSULTATION, "description": "", "invited_departments": [], "place": "兰溪路"})

    page = page_text(response)
    assert response.status_code == 422
    assert "请填写“问题描述”" in page and "请选择“被约请部门”" in page
    assert 'value="兰溪路"' in page
    assert instance_count(driver) == 0


def test_a_bad_input_keeps_the_chosen_departments_ticked(driver, login_as):
    response = post_form(login_as("caoyang"), "/start/consultation", "/start/consultation",
                         {**CONSULTATION, "project": "2099-99"})

    page = page_text(response)
    assert response.status_code == 422 and "没有项目 2099-99" in page
    assert 'value="fangguanju" checked' in page and 'value="zuzhibu" checked' not in page


def test_the_office_calls_a_meeting_and_the_invited_units_may_send_agenda_items(driver, login_as):
    response = post_form(office(login_as), "/start/meeting", "/start/meeting", MEETING)

    assert response.status_code == 302 and response.location == "/inbox"
    assert sorted(t.assigned_unit for t in open_tasks(driver, "提交议题和问题")) == ["caoyang", "fangguanju",
                                                                                  "minzhengju"]


def test_a_unit_user_may_not_call_a_meeting(driver, login_as):
    assert login_as("minzhengju").get("/start/meeting").status_code == 403


def test_the_supervisor_opens_a_check_on_a_project_which_its_lead_unit_answers(driver, login_as):
    supervisor = login_as("supervisor", unit="duchake", role="supervisor")
    assert '<option value="2017-05"' in page_text(supervisor.get("/start/check"))

    response = post_form(supervisor, "/start/check", "/start/check", CHECK)

    assert response.status_code == 302
    [answering] = open_tasks(driver, "反馈督查事项")
    assert answering.assigned_unit == "fangguanju"
    assert "反馈督查事项" in page_text(login_as("fangguanju").get("/inbox"))


def test_a_check_without_a_due_date_is_refused_with_a_message(driver, login_as):
    supervisor = login_as("supervisor", unit="duchake", role="supervisor")

    response = post_form(supervisor, "/start/check", "/start/check", {**CHECK, "answer_due": ""})

    assert response.status_code == 422 and "请填写“反馈期限”" in page_text(response)
    assert '<option value="2017-05" selected' in page_text(response)
    assert instance_count(driver) == 0


def test_a_department_applies_for_access_and_the_legal_office_gives_its_opinion(driver, login_as):
    response = post_form(login_as("minzhengju"), "/start/access", "/start/access", APPLICATION)

    assert response.status_code == 302
    [opinion] = open_tasks(driver, "出具法律意见")
    assert opinion.assigned_unit == "fazhiban"
    assert driver.engine.task_view(opinion).data["on_responsibility_list"] is True
    assert "出具法律意见" in page_text(login_as("fazhiban").get("/inbox"))


def test_a_street_may_not_apply_for_access(driver, login_as):
    street = login_as("caoyang")

    assert street.get("/start/access").status_code == 403
    assert post_form(street, "/start", "/start/access", APPLICATION).status_code == 403


@pytest.mark.parametrize("username, unit, role, offered", [
    ("caoyang", None, "unit", ["发起条块约请"]),
    ("minzhengju", None, "unit", ["申请社区事务准入"]),
    ("office", "tuijinban", "office", ["通知召开定期例会"]),
    ("supervisor", "duchake", "supervisor", ["发起跟踪督查"]),
    ("admin", "tuijinban", "admin", ["通知召开定期例会", "发起跟踪督查"]),
    ("auditor", "tuijinban", "auditor", []),
])
def test_the_start_list_offers_only_what_the_user_may_start(driver, login_as, username, unit, role, offered):
    page = page_text(login_as(username, unit=unit, role=role).get("/start"))

    titles = ["发起条块约请", "通知召开定期例会", "发起跟踪督查", "申请社区事务准入"]
    assert [title for title in titles if f">{title}</a>" in page] == offered


def test_the_start_pages_require_signing_in(app):
    assert app.test_client().get("/start").status_code == 302


def test_the_meeting_page_offers_the_group_of_streets_and_towns_as_one_entry(driver, login_as):
    page = page_text(office(login_as).get("/start/meeting"))

    assert 'name="invited_units" value="gejiedaozhen"' in page and "各街道、镇" in page
    assert 'data-members="caoyang ' in page


def test_a_ticked_group_invites_each_of_its_members_to_the_meeting(driver, login_as):
    response = post_form(office(login_as), "/start/meeting", "/start/meeting",
                         {**MEETING, "invited_units": ["minzhengju", "gejiedaozhen"]})

    assert response.status_code == 302
    invited = sorted(t.assigned_unit for t in open_tasks(driver, "提交议题和问题"))
    assert invited == sorted(["minzhengju", "caoyang", "changfeng", "changshou", "ganquan", "shiquan", "yichuan",
                              "zhenru", "wanli", "changzheng", "taopu"])


def test_a_unit_not_in_the_directory_is_refused_naming_the_field_and_starts_nothing(driver, login_as):
    response = post_form(office(login_as), "/start/meeting", "/start/meeting",
                         {**MEETING, "invited_units": ["minzhengju", "nosuchunit"]})

    assert response.status_code == 422
    assert '<p class="field-error" id="error-invited_units">“参会单位”中有' in page_text(response)
    assert instance_count(driver) == 0
