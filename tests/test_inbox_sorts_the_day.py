"""Issue 16 §4: an inbox that sorts the day — the 流程 filter and column name a task's own (called) process, a
returned report and the office's 催办 carry due dates from the settings, and markers say 退回 and 被催办."""
from __future__ import annotations

from datetime import date

import pytest

from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import db, login_as, post_form  # noqa: F401
from workflows.records.settings import set_setting
from workflows.tasks.inbox import inbox

COMPILE, REVIEW, REVISE, CHASE = "汇总填报季度报告", "审核季度报告", "按意见修改季度报告", "催办季度报告"
LEAD = "zuzhibu"


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()  # Thursday 2017-06-08
    start_projects(driver, 1, 2)
    return driver


def page_text(response) -> str:
    return response.get_data(as_text=True)


def task_links(client, query: str) -> int:
    return page_text(client.get(f"/inbox?{query}")).count('href="/tasks/')


def return_report(driver: Driver, business_key: str = "2017-02") -> None:
    driver.complete(driver.task(name=COMPILE, business_key=business_key), REPORT)
    driver.complete(driver.task(name=REVIEW, business_key=business_key),
                    {"verdict": "return", "office_comment": "请补充街道落实情况"})


def test_the_process_filter_finds_the_tasks_of_a_called_process(driver, login_as):
    client = login_as(LEAD)

    assert task_links(client, "process=quarterly_report") == 2
    assert task_links(client, "process=project_completion") == 2
    assert task_links(client, "process=consultation_reply") == 0
    assert task_links(client, "process=project_lifecycle") == 4  # the caller's filter keeps its called tasks


def test_the_process_column_names_the_tasks_own_process_and_the_project(driver, login_as):
    page = page_text(login_as(LEAD).get("/inbox?project=2017-02"))
    row = page[page.index(COMPILE):]
    row = row[:row.index("</tr>")]

    assert "季度信息报送" in row and "健全区域化党建工作联席会议制度" in row


def test_a_returned_report_is_due_in_three_working_days_and_marked_returned(driver, login_as):
    return_report(driver)

    revise = driver.task(name=REVISE, business_key="2017-02")
    assert revise.due_on == date(2017, 6, 13)  # Friday 9, Monday 12, Tuesday 13 June
    row = page_text(login_as(LEAD).get("/inbox?project=2017-02"))
    assert '<span class="marker">退回</span>' in row


def test_the_returned_report_deadline_follows_the_offices_setting(driver):
    set_setting(driver.session, "task_deadlines", {"returned_report_workdays": 5})
    driver.session.commit()

    return_report(driver)

    assert driver.task(name=REVISE, business_key="2017-02").due_on == date(2017, 6, 15)


def test_the_offices_chase_is_due_the_next_working_day_and_sorts_with_the_other_tasks(driver):
    driver.advance(days=13)  # Wednesday 2017-06-21: the second quarter was due on 06-19

    chases = driver.tasks(name=CHASE)
    assert chases and {task.due_on for task in chases} == {date(2017, 6, 22)}
    rows = inbox(driver.session, "tuijinban", today=driver.today).rows
    assert [row.task.due_on is None for row in rows] == sorted(row.task.due_on is None for row in rows)


def test_a_chase_reaches_the_unit_as_a_marker_on_its_overdue_report(driver, login_as):
    driver.advance(days=13)
    client = login_as(LEAD)
    assert "被催办" not in page_text(client.get("/inbox?project=2017-02"))

    driver.complete(driver.task(name=CHASE, business_key="2017-02"), {"chase_note": "已电话催报"})

    page = page_text(client.get("/inbox?project=2017-02"))
    assert '<span class="marker">被催办</span>' in page
    assert '<span class="marker">被催办</span>' not in page_text(client.get("/inbox?project=2017-01"))


def overdue_reports(driver: Driver) -> list:
    driver.advance(days=13)  # 2017-06-21: both second-quarter reports are two working days late
    return driver.tasks(name=COMPILE)


def test_the_office_chases_several_overdue_tasks_from_the_dashboard_in_one_action(driver, login_as):
    reports = overdue_reports(driver)
    office = login_as("tuijinban", role="office")
    page = page_text(office.get("/dashboard"))
    assert all(f'name="task" value="{task.id}"' in page for task in reports)

    response = post_form(office, "/dashboard", "/dashboard/urge", {"task": [str(task.id) for task in reports]})

    assert response.status_code == 302
    for task in reports:
        assert driver.history_kinds(task.instance_id).count(("task_urged", COMPILE)) == 1
    assert page_text(login_as(LEAD).get("/inbox")).count('<span class="marker">被催办</span>') == 2


def test_the_history_of_a_bulk_chase_names_the_unit_in_words(driver, login_as):
    task = overdue_reports(driver)[0]
    office = login_as("tuijinban", role="office")
    post_form(office, "/dashboard", "/dashboard/urge", {"task": [str(task.id)]})

    page = page_text(office.get(f"/tasks/{task.id}"))
    assert "催办区委组织部办理“汇总填报季度报告”" in page and ">task_urged<" not in page and "<td>催办</td>" in page


def test_the_note_of_a_bulk_chase_shows_in_the_tasks_history(driver, login_as):
    task = overdue_reports(driver)[0]
    office = login_as("tuijinban", role="office")
    post_form(office, "/dashboard", "/dashboard/urge", {"task": [str(task.id)], "note": "请于本周内报送"})

    page = page_text(login_as(LEAD).get(f"/tasks/{task.id}"))
    assert "催办区委组织部办理“汇总填报季度报告”；催办说明：请于本周内报送" in page


def test_a_bulk_chase_of_nothing_or_of_a_task_not_overdue_is_refused_and_changes_nothing(driver, login_as):
    office = login_as("tuijinban", role="office")
    not_late = driver.tasks(name=COMPILE)[0]
    history_before = driver.history_kinds(not_late.instance_id)

    nothing = post_form(office, "/dashboard", "/dashboard/urge", {})
    early = post_form(office, "/dashboard", "/dashboard/urge", {"task": [str(not_late.id)]})
    garbled = post_form(office, "/dashboard", "/dashboard/urge", {"task": ["abc"]})

    assert (nothing.status_code, early.status_code, garbled.status_code) == (422, 422, 422)
    assert "请勾选要催办的逾期待办" in page_text(nothing) and "尚未逾期" in page_text(early)
    assert driver.history_kinds(not_late.instance_id) == history_before


def test_only_the_office_may_chase_from_the_dashboard(driver, login_as):
    task = overdue_reports(driver)[0]
    supervisor = login_as("duchake", role="supervisor")

    assert 'action="/dashboard/urge"' not in page_text(supervisor.get("/dashboard"))
    assert post_form(supervisor, "/dashboard", "/dashboard/urge", {"task": [str(task.id)]}).status_code == 403


def test_a_task_page_title_names_the_project_and_the_quarter(driver, login_as):
    task = driver.task(name=COMPILE, business_key="2017-02")

    page = page_text(login_as(LEAD).get(f"/tasks/{task.id}"))

    title = page[page.index("<title>"):page.index("</title>")]
    assert "2017-02 健全区域化党建工作联席会议制度" in title and "2017年第2季度" in title
    assert '<p class="task-heading">2017-02 健全区域化党建工作联席会议制度' in page


def test_a_task_page_leads_back_to_the_filtered_list_it_was_opened_from_even_after_saving_a_draft(driver, login_as):
    client, task = login_as(LEAD), driver.task(name=COMPILE, business_key="2017-02")
    listing = "http://localhost/inbox?project=2017-02"

    page = page_text(client.get(f"/tasks/{task.id}", headers={"Referer": listing}))
    assert '<a href="/inbox?project=2017-02">← 返回待办</a>' in page

    client.post(f"/tasks/{task.id}/draft", data={"progress": "推进中", "csrf_token": _token(page)})
    again = page_text(client.get(f"/tasks/{task.id}", headers={"Referer": f"http://localhost/tasks/{task.id}"}))
    assert '<a href="/inbox?project=2017-02">← 返回待办</a>' in again


def test_a_task_page_opened_from_elsewhere_leads_back_to_the_inbox(driver, login_as):
    task = driver.task(name=COMPILE, business_key="2017-02")

    page = page_text(login_as(LEAD).get(f"/tasks/{task.id}", headers={"Referer": "http://elsewhere.example/inbox"}))

    assert '<a href="/inbox">← 返回待办</a>' in page


def _token(page: str) -> str:
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]


def test_the_auditor_lands_on_the_year_end_reports_which_link_the_dashboard(driver, login_as):
    auditor = login_as("auditor", unit="tuijinban", role="auditor")

    assert auditor.get("/").location == "/reports"
    page = page_text(auditor.get("/reports"))
    assert "年度评估报告" in page and 'href="/dashboard"' in page
    assert login_as(LEAD).get("/").location == "/inbox"


def test_the_auditors_menu_offers_no_inbox_and_no_starting_which_are_the_offices(driver, login_as):
    auditor_page = login_as("auditor", unit="tuijinban", role="auditor").get("/reports").get_data(as_text=True)
    office_page = login_as("office", unit="tuijinban", role="office").get("/reports").get_data(as_text=True)

    for link in ('href="/inbox"', 'href="/start"', 'href="/started"'):
        assert link not in auditor_page and link in office_page


def test_the_project_pdf_form_takes_the_project_key_as_well_as_its_number(driver, login_as):
    auditor = login_as("auditor", unit="tuijinban", role="auditor")

    by_key = auditor.get("/reports/project?number=2017-07&year=2018")
    by_number = auditor.get("/reports/project?number=7&year=2017")
    padded = auditor.get("/reports/project?number=07&year=2017")

    assert by_key.headers["Location"].endswith("/reports/projects/7.pdf?year=2017")
    assert by_number.headers["Location"] == padded.headers["Location"] == by_key.headers["Location"]
    refused = auditor.get("/reports/project?number=2017-&year=2017")
    assert refused.status_code == 422 and "“项目编号”应为正整数或项目编号，如 7 或 2017-07" in page_text(refused)


def test_the_auditor_signing_in_lands_on_the_reports_not_on_the_offices_inbox(driver, client):
    from tests.web_support import ensure_user, sign_in
    ensure_user(driver.session, "auditor", "tuijinban", "auditor")

    assert sign_in(client, "auditor").location == "/"
    assert client.get("/").location == "/reports"
