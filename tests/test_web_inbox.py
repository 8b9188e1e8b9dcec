"""The inbox on the real diagrams: a unit's 待办, the task page and its form, claiming, 已办, the clock's warnings."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine import HumanTask
from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user, login_as, post_form  # noqa: F401
from workflows.workdays import urgency, working_days_left
from workflows.accounts.users import find_user

COMPILE, REVIEW, COMPLETION = "汇总填报季度报告", "审核季度报告", "提交办结报告"
LEAD = "zuzhibu"  # 区委组织部 leads projects 1 and 2
GOOD_REPORT = {"progress": "已召开联席会议两次", "percent": "40", "status": "on_track", "next_step": "submit"}


@pytest.fixture
def driver(db) -> Driver:
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2)
    return driver


def report_task(driver: Driver, business_key: str = "2017-02") -> HumanTask:
    return driver.task(name=COMPILE, business_key=business_key)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def set_clock(driver: Driver, when: datetime) -> None:
    driver.engine.clock.set(when)
    driver.session.commit()


def test_the_lead_unit_sees_its_second_quarter_report_with_its_due_date_in_chinese(driver, login_as):
    client = login_as(LEAD)

    page = page_text(client.get("/inbox"))

    assert page.count(COMPILE) == 2
    assert "2017-02" in page and "健全区域化党建工作联席会议制度" in page
    assert "2017年6月19日" in page and "剩 7 个工作日" in page


def test_the_home_page_of_a_signed_in_user_is_the_inbox(driver, login_as):
    assert login_as(LEAD).get("/").location == "/inbox"


def test_another_unit_sees_neither_the_task_in_its_inbox_nor_the_task_page(driver, login_as):
    client = login_as("caoyang")
    task = report_task(driver)

    assert COMPILE not in page_text(client.get("/inbox"))
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert post_form(client, "/inbox", f"/tasks/{task.id}", GOOD_REPORT).status_code == 404


def test_the_task_page_shows_the_project_the_instructions_the_form_and_the_history(driver, login_as):
    page = page_text(login_as(LEAD).get(f"/tasks/{report_task(driver).id}"))

    assert "区委组织部" in page  # the lead unit
    assert "统筹单位汇总各牵头单位材料" in page  # the task's documentation
    assert '<textarea id="field-progress" name="progress"' in page
    assert 'type="number" name="percent"' in page
    assert '<option value="on_track"' in page
    assert "流程启动" in page


def test_a_bad_submission_is_shown_again_with_a_message_per_field_and_changes_nothing(driver, login_as):
    client, task = login_as(LEAD), report_task(driver)
    history_before = driver.history_kinds(task.instance_id)

    response = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}",
                         {"progress": "推进中", "percent": "四十", "status": "", "next_step": "submit"})

    page = page_text(response)
    assert response.status_code == 422
    assert "“完成比例（%）”应为整数" in page and "请填写“推进状态”" in page
    assert ">推进中</textarea>" in page and 'value="四十"' in page
    driver.session.expire_all()
    assert report_task(driver).state == "ready"
    assert driver.history_kinds(task.instance_id) == history_before


def test_a_good_submission_sends_the_report_to_the_office_inbox(driver, login_as):
    client, task = login_as(LEAD), report_task(driver)

    response = post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT)

    assert response.status_code == 302 and response.location == "/inbox"
    assert "已提交“汇总填报季度报告”" in page_text(client.get("/inbox"))
    office_inbox = page_text(login_as("office", unit="tuijinban", role="office").get("/inbox"))
    assert REVIEW in office_inbox and "2017-02" in office_inbox


def test_a_completed_task_appears_in_the_done_list_and_cannot_be_submitted_again(driver, login_as):
    client, task = login_as(LEAD), report_task(driver)
    post_form(client, f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT)

    done = page_text(client.get("/inbox/done"))
    again = post_form(client, "/inbox", f"/tasks/{task.id}", GOOD_REPORT)

    assert COMPILE in done and "2017-02" in done and "2017年6月8日" in done
    assert again.status_code == 409 and "已不在待办状态" in page_text(again)


def test_a_claim_is_visible_to_a_colleague_who_cannot_take_the_task_until_it_is_released(driver, db, login_as):
    ensure_user(db, "zuzhibu2", LEAD)
    first, colleague, task = login_as(LEAD), login_as("zuzhibu2"), report_task(driver)
    find_user(db, LEAD).display_name = "王立群"
    db.commit()

    assert post_form(first, "/inbox", f"/tasks/{task.id}/claim").status_code == 302

    assert "已由 区委组织部 王立群 认领" in page_text(colleague.get("/inbox"))
    assert post_form(colleague, "/inbox", f"/tasks/{task.id}/claim").status_code == 409
    assert post_form(colleague, "/inbox", f"/tasks/{task.id}", GOOD_REPORT).status_code == 409
    assert post_form(colleague, "/inbox", f"/tasks/{task.id}/release").status_code == 409

    assert post_form(first, "/inbox", f"/tasks/{task.id}/release").status_code == 302
    assert "王立群 认领" not in page_text(colleague.get("/inbox"))
    assert post_form(colleague, "/inbox", f"/tasks/{task.id}/claim").status_code == 302


def test_an_auditor_may_read_any_task_but_submit_none(driver, login_as):
    auditor, task = login_as("auditor", unit="tuijinban", role="auditor"), report_task(driver)

    assert auditor.get(f"/tasks/{task.id}").status_code == 200
    assert post_form(auditor, f"/tasks/{task.id}", f"/tasks/{task.id}", GOOD_REPORT).status_code == 403
    assert post_form(auditor, "/inbox", f"/tasks/{task.id}/claim").status_code == 403


def test_the_inbox_filters_by_project_process_claim_and_search(driver, login_as):
    client = login_as(LEAD)
    post_form(client, "/inbox", f"/tasks/{report_task(driver, '2017-01').id}/claim")

    def task_links(query: str) -> int:
        return page_text(client.get(f"/inbox?{query}")).count('href="/tasks/')

    assert task_links("") == 4
    assert task_links("project=2017-02") == 2
    assert task_links("process=project_lifecycle") == 4 and task_links("process=supervision") == 0
    assert task_links("status=claimed") == 1 and task_links("status=unclaimed") == 3
    assert task_links("q=联席会议") == 2
    assert task_links("area=1") == 4 and task_links("area=2") == 0


def test_the_report_turns_yellow_three_working_days_before_and_red_after_its_due_date(driver, login_as):
    client = login_as(LEAD)
    assert 'class="urgency-soon"' not in page_text(client.get("/inbox?project=2017-02"))

    set_clock(driver, datetime(2017, 6, 15, 9, 0))  # Thursday; due Monday 19 June
    soon = page_text(client.get("/inbox?project=2017-02"))
    assert '<tr class="urgency-soon">' in soon and "剩 2 个工作日" in soon

    set_clock(driver, datetime(2017, 6, 21, 9, 0))
    late = page_text(client.get("/inbox?project=2017-02"))
    assert '<tr class="urgency-overdue">' in late and "已逾期" in late
    assert page_text(client.get("/inbox?overdue=1")).count('href="/tasks/') == 2


def test_working_days_left_and_urgency_follow_the_chinese_calendar():
    # 2017-05-28..30 was the Dragon Boat holiday and Saturday 27 May a make-up working day.
    assert working_days_left(datetime(2017, 5, 31).date(), datetime(2017, 5, 26).date()) == 2
    assert urgency(datetime(2017, 6, 19).date(), datetime(2017, 6, 20).date()) == "overdue"
    assert urgency(datetime(2017, 6, 19).date(), datetime(2017, 6, 14).date()) == "soon"
    assert urgency(datetime(2017, 6, 19).date(), datetime(2017, 6, 8).date()) == "normal"
    assert urgency(None, datetime(2017, 6, 8).date()) == "normal"


def test_the_inbox_lists_the_earliest_due_first_those_without_a_date_last_and_pages_them(driver):
    from workflows.tasks.inbox import inbox

    first = inbox(driver.session, LEAD, today=driver.today, per_page=3)
    second = inbox(driver.session, LEAD, today=driver.today, per_page=3, page=2)

    assert (first.total, first.pages, first.has_next, second.has_previous) == (4, 2, True, True)
    assert [row.task.due_on is None for row in first.rows + second.rows] == [False, False, False, True]
    assert [row.task.name for row in first.rows] == [COMPILE, COMPILE, COMPLETION]


def test_an_overdue_unsubmitted_report_reads_as_overdue_not_as_on_time_in_the_earlier_reports(driver, login_as):
    driver.advance(days=13)  # 2017-06-21: Q2 was due on 06-19, the office is asked to chase
    driver.complete(driver.task(name="催办季度报告", business_key="2017-02"), {"chase_note": "已电话催报"})

    page = page_text(login_as(LEAD).get(f"/tasks/{report_task(driver).id}"))
    earlier = page[page.index("往期报告"):page.index("</section>", page.index("往期报告"))]

    assert "2017年第2季度" in earlier and "未报送" in earlier and "逾期未报" in earlier
    assert "按时" not in earlier and "pending" not in earlier


def test_an_overdue_report_nobody_has_chased_reads_as_overdue_on_the_task_and_the_project_page(driver, login_as):
    driver.advance(days=13)  # 2017-06-21: Q2 was due on 06-19; no report row exists before a chase or a submission
    lead = login_as(LEAD)

    page = page_text(lead.get(f"/tasks/{report_task(driver).id}"))
    earlier = page[page.index("往期报告"):page.index("</section>", page.index("往期报告"))]
    project = page_text(lead.get("/projects/2"))
    listed = project[project.index("<h2>季度报告</h2>"):project.index("</section>", project.index("<h2>季度报告</h2>"))]

    assert "暂无" not in earlier and "2017年第2季度" in earlier and "未报送" in earlier and "逾期未报" in earlier
    assert "2017年第2季度" in listed and "逾期未报" in listed and "pending" not in listed
