"""In a real Chromium: the lead unit's bell counts the report the office returns and the 催办 it sends, and the
消息 page lists both with a way to the task."""
from __future__ import annotations

import re

from tests.browser_support import INBOX, TASK_SUBMIT, open_task, sign_in
from tests.process_support import REPORT, Driver, start_projects
from tests.web_support import ensure_user


def bell_count(page) -> int:
    label = page.get_attribute("#notification-bell", "aria-label")
    match = re.search(r"(\d+) 条未读", label)
    return int(match.group(1)) if match else 0


def test_a_units_bell_counts_a_returned_report_and_a_chase(db, live_server, browser):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2)  # both led by 区委组织部
    driver.advance(days=12)  # 06-20: both reports are late and the office has a 催办 task for each
    driver.complete(driver.task(name="汇总填报季度报告", business_key="2017-02"), REPORT)
    ensure_user(db, "zuzhibu", "zuzhibu")
    ensure_user(db, "office", "tuijinban", "office")
    unit, office = browser.new_page(), browser.new_page()
    sign_in(unit, live_server, "zuzhibu")
    before = bell_count(unit)

    sign_in(office, live_server, "office")
    office.goto(live_server + "/inbox?project=2017-02")
    open_task(office, "审核季度报告")
    office.select_option("#field-verdict", "return")
    office.fill("#field-office_comment", "请补充参会单位数量")
    office.click(TASK_SUBMIT)
    office.wait_for_url(INBOX, wait_until="domcontentloaded")
    office.goto(live_server + "/inbox?project=2017-01")
    open_task(office, "催办季度报告")
    office.fill("#field-chase_note", "已电话催报")
    office.click(TASK_SUBMIT)
    office.wait_for_url(INBOX, wait_until="domcontentloaded")

    unit.goto(live_server + "/inbox")
    assert bell_count(unit) == before + 3  # returned, its revision arrived, chased
    unit.click("#notification-bell")
    listed = unit.inner_text("main")
    assert "季度报告被退回修改（2017-02）：请补充参会单位数量" in listed
    assert "催办：请尽快报送季度报告（2017-01）" in listed

    unit.locator("tr", has_text="催办：请尽快报送季度报告").locator("button", has_text="查看").click()
    unit.wait_for_selector(TASK_SUBMIT)
    assert "汇总填报季度报告" in unit.inner_text("main")
    assert bell_count(unit) == before + 2
