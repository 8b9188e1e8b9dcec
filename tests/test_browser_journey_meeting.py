"""In a real Chromium, through the UI only: the office calls a regular meeting, an invited unit sends its agenda,
on the meeting day the office records the minutes with the decisions entered as rows, and 区民政局's task of
reporting on its decision shows the decision itself (unit, matter, deadline, meeting, minutes); the office then
confirms it. The clock moves to the meeting day with the same helper as other tests. Screenshots at 1366 px under
var/screenshots/journeys/."""
from __future__ import annotations

from tests.browser_support import INBOX, journey_shot, open_task, sign_in, sign_out, submit_task
from tests.process_support import Driver
from tests.web_support import ensure_user

TOPICS = "二季度重点项目推进情况"
MINUTES = "会议通报了二季度进展，明确养老服务设施选址分工"
MATTER = "牵头制定长寿路养老服务点选址方案"


def call_meeting(page) -> None:
    page.click("nav >> text=发起")
    page.click("text=通知召开定期例会")
    page.fill("#field-meeting_date", "2017-06-15")
    page.fill("#field-topics", TOPICS)
    for unit in ("minzhengju", "caoyang"):
        page.check(f"input[name=invited_units][value={unit}]")
    page.click("button:has-text('通知开会')")
    page.wait_for_url(INBOX, wait_until="domcontentloaded")


def enter_decision(page, row: int, unit: str, matter: str, due_on: str) -> None:
    page.select_option(f"select[aria-label='第{row}项的承办单位']", unit)
    page.fill(f"input[aria-label='第{row}项的事项']", matter)
    page.fill(f"input[aria-label='第{row}项的完成期限']", due_on)


def test_decisions_entered_as_rows_reach_the_unit_whose_task_shows_the_decision_itself(db, live_server, wide_page):
    page = wide_page
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office").display_name = "陈静"
    ensure_user(db, "minzhengju", "minzhengju").display_name = "周丽"
    ensure_user(db, "caoyang", "caoyang")
    db.commit()

    sign_in(page, live_server, "office")
    call_meeting(page)
    sign_out(page)

    sign_in(page, live_server, "minzhengju")
    open_task(page, "提交议题和问题")
    assert TOPICS in page.inner_text("main")
    page.fill("#field-agenda_items", "养老服务点选址")
    submit_task(page)
    sign_out(page)

    driver.advance(days=7)  # 06-15, the meeting day
    sign_in(page, live_server, "office")
    open_task(page, "记录会议纪要和决定事项")
    page.fill("#field-minutes", MINUTES)
    enter_decision(page, 1, "minzhengju", MATTER, "2017-07-31")
    enter_decision(page, 2, "caoyang", "排摸辖区老年助餐需求", "2017-07-14")
    journey_shot(page, "meeting", "1-minutes-with-decision-rows")
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "minzhengju")
    open_task(page, "报告决定事项落实情况")
    decision = page.inner_text("section.decision")
    journey_shot(page, "meeting", "2-unit-sees-its-decision")
    assert "承办单位" in decision and "区民政局" in decision
    assert "事项" in decision and MATTER in decision
    assert "完成期限" in decision and "2017年7月31日" in decision
    assert "2017年6月15日" in decision and TOPICS in decision
    assert "会议纪要" in decision and MINUTES in decision
    assert "排摸辖区老年助餐需求" not in decision  # the other unit's decision is not this unit's
    page.fill("#field-action_result", "选址方案已报区政府")
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "office")
    open_task(page, "确认决定事项落实")
    decision = page.inner_text("section.decision")
    journey_shot(page, "meeting", "3-office-confirms")
    assert MATTER in decision and "选址方案已报区政府" in decision
    page.select_option("#field-action_verdict", "done")
    submit_task(page)
    assert page.locator("main a", has_text="确认决定事项落实").count() == 0
