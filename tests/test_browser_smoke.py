"""In a real Chromium: a lead unit signs in, fills its Q2 report, the office returns it, the unit resubmits."""
from __future__ import annotations

from tests.browser_support import INBOX, TASK_SUBMIT, open_task, sign_in
from tests.process_support import Driver, start_projects
from tests.web_support import ensure_user


def fill_report(page, progress: str) -> None:
    page.fill("#field-progress", progress)
    page.fill("#field-percent", "40")
    page.select_option("#field-status", "on_track")
    if page.locator("#field-next_step").count():
        page.select_option("#field-next_step", "submit")
    page.click(TASK_SUBMIT)


def test_a_lead_unit_reports_in_a_real_browser_and_the_office_returns_and_accepts(db, live_server, browser):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    ensure_user(db, "zuzhibu", "zuzhibu")
    ensure_user(db, "office", "tuijinban", "office")
    unit, office = browser.new_page(), browser.new_page()

    sign_in(unit, live_server, "zuzhibu")
    assert "汇总填报季度报告" in unit.inner_text("body")
    open_task(unit, "汇总填报季度报告")
    fill_report(unit, "已召开联席会议两次")
    unit.wait_for_url(INBOX, wait_until="domcontentloaded")

    sign_in(office, live_server, "office")
    open_task(office, "审核季度报告")
    office.select_option("#field-verdict", "return")
    office.fill("#field-office_comment", "请补充参会单位数量")
    office.click(TASK_SUBMIT)
    office.wait_for_url(INBOX, wait_until="domcontentloaded")

    unit.goto(live_server + "/inbox")
    open_task(unit, "按意见修改季度报告")
    assert "请补充参会单位数量" in unit.inner_text("body")
    fill_report(unit, "已召开联席会议两次，参会单位32家")
    unit.wait_for_url(INBOX, wait_until="domcontentloaded")

    office.goto(live_server + "/inbox")
    open_task(office, "审核季度报告")
    office.select_option("#field-verdict", "accept")
    office.click(TASK_SUBMIT)
    office.wait_for_url(INBOX, wait_until="domcontentloaded")
    db.expire_all()
    assert driver.tasks(business_key="2017-02", name="审核季度报告") == []
