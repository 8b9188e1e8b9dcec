"""In a real Chromium: the office dispatches a street's 约请 by searching the unit picker and ticking a department,
reassigns a task by typing part of a unit's name, and a unit's inbox names the task's own process and marks a
returned report 退回. Screenshots at 1366 px go to var/screenshots/."""
from __future__ import annotations

from tests.browser_support import INBOX, TASK_SUBMIT, screenshot, sign_in
from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import ensure_user
from workflows.cases import opening as cases


def test_the_office_finds_a_department_by_name_and_ticks_it_to_dispatch_a_consultation(db, live_server, wide_page):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office")
    instance = cases.raise_consultation(db, driver.engine, "caoyang", {
        "description": "曹杨路积水点改造涉及排水管网", "place": "曹杨路兰溪路口",
        "invited_departments": ["minzhengju"]}, actor="caoyang")
    db.commit()
    page = wide_page
    sign_in(page, live_server, "office")

    page.locator("main a", has_text="分派约请部门").first.click()
    picker = page.locator("#field-invited_departments")
    picker.locator("input.picker-search").fill("城管")
    assert [text.strip() for text in picker.locator("label.choice:visible").all_inner_texts()] == ["区城管执法局"]
    picker.locator("input[value=chengguanju]").check()
    screenshot(page, "issue16-dispatch-picker")
    page.click(TASK_SUBMIT)
    page.wait_for_url(INBOX, wait_until="domcontentloaded")

    db.expire_all()
    signers = sorted(task.assigned_unit for task in driver.tasks(name="签收约请", instance_id=instance.id))
    assert signers == ["chengguanju", "minzhengju"]


def test_a_lead_unit_sees_its_returned_report_marked_and_named_by_its_own_process(db, live_server, wide_page):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-02"), REPORT)
    driver.complete(driver.task(name="审核季度报告", business_key="2017-02"),
                    {"verdict": "return", "office_comment": "请补充街道落实情况"})
    ensure_user(db, "zuzhibu", "zuzhibu")
    page = wide_page
    sign_in(page, live_server, "zuzhibu")

    row = page.locator("table.inbox tr", has_text="按意见修改季度报告")
    assert "退回" in row.inner_text() and "季度信息报送" in row.inner_text() and "2017年6月13日" in row.inner_text()
    screenshot(page, "issue16-inbox-returned")
    row.locator("a").first.click()
    assert "2017年第2季度" in page.locator("p.task-heading").inner_text()
    page.click("text=← 返回待办")
    page.wait_for_url(INBOX, wait_until="domcontentloaded")


def test_the_office_reassigns_a_task_by_typing_part_of_the_units_name(db, live_server, wide_page):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    ensure_user(db, "office", "tuijinban", "office")
    task = driver.task(name="汇总填报季度报告", business_key="2017-02")
    page = wide_page
    sign_in(page, live_server, "office")

    page.goto(f"{live_server}/tasks/{task.id}/reassign")
    page.locator("input.picker-search").fill("民政")
    assert page.locator("#field-unit").input_value() == "minzhengju"
    page.fill("#field-reason", "组织部工作调整，由区民政局牵头汇总")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=已将“汇总填报季度报告”改派给区民政局")

    db.expire_all()
    assert driver.task(name="汇总填报季度报告", business_key="2017-02").assigned_unit == "minzhengju"
