"""In a real Chromium, through the UI only (the clock moved by the same helper as other tests): the clock passes the
due date of 区委组织部's two quarterly reports; its inbox shows 已逾期, the report's 往期报告 says 逾期未报, the office
催办s both from the dashboard's overdue list in one action, and the unit's inbox marks both 被催办.
Screenshots at 1366 px under var/screenshots/journeys/."""
from __future__ import annotations

from tests.browser_support import journey_shot, open_task, sign_in, sign_out, submit_task
from tests.process_support import Driver, start_projects
from tests.web_support import ensure_user

COMPILE = "汇总填报季度报告"


def inbox_row(page, business_key: str):
    return page.locator("main tr", has_text=COMPILE).filter(has_text=business_key)


def earlier_report(page) -> str:
    """The open task page's 往期报告 row of 2017's second quarter."""
    return page.locator("section.earlier-reports tr", has_text="2017年第2季度").inner_text()


def test_a_unit_past_its_due_date_sees_it_overdue_and_chased_after_the_office_urges_in_bulk(db, live_server,
                                                                                           wide_page):
    page = wide_page
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 1, 2)  # both led by 区委组织部, both reports due 06-19
    ensure_user(db, "zuzhibu", "zuzhibu").display_name = "王立群"
    ensure_user(db, "office", "tuijinban", "office").display_name = "陈静"
    db.commit()
    driver.advance(days=12)  # 06-20: both reports are late

    sign_in(page, live_server, "zuzhibu")
    for key in ("2017-01", "2017-02"):
        assert "已逾期" in inbox_row(page, key).inner_text()
    journey_shot(page, "due-date", "1-unit-inbox-overdue")
    inbox_row(page, "2017-02").locator("a", has_text=COMPILE).click()
    assert earlier_report(page) and "逾期未报" in earlier_report(page)  # before anyone has chased it
    journey_shot(page, "due-date", "2-earlier-reports")
    sign_out(page)

    sign_in(page, live_server, "office")
    page.goto(live_server + "/inbox?project=2017-01")
    open_task(page, "催办季度报告")  # the office's own 催办 task the due date opened: it phones the unit
    page.fill("#field-chase_note", "已电话催报")
    submit_task(page)
    page.goto(live_server + "/dashboard")
    overdue = page.locator("table.overdue-tasks")
    for key in ("2017-01", "2017-02"):
        overdue.locator("tr", has_text=COMPILE).filter(has_text=key).locator("input[type=checkbox]").check()
    journey_shot(page, "due-date", "3-dashboard-overdue-list")
    assert "区委组织部" in overdue.inner_text() and "2017年6月19日" in overdue.inner_text()
    page.fill("form#urge input[name=note]", "请于本周内报送")
    page.click("form#urge button:has-text('催办所选')")
    page.wait_for_load_state("domcontentloaded")
    assert "已催办 2 项逾期待办" in page.inner_text("body")
    sign_out(page)

    sign_in(page, live_server, "zuzhibu")
    journey_shot(page, "due-date", "4-unit-inbox-chased")
    for key in ("2017-01", "2017-02"):
        row = inbox_row(page, key).inner_text()
        assert "被催办" in row and "已逾期" in row
    inbox_row(page, "2017-01").locator("a", has_text=COMPILE).click()
    chased = earlier_report(page)  # the office's 催办季度报告 wrote the report's first row: still 逾期未报
    journey_shot(page, "due-date", "5-chased-report")
    assert "逾期未报" in chased and "未报送" in chased and "pending" not in chased and "按时" not in chased
    assert "请于本周内报送" in page.inner_text("section.history")
