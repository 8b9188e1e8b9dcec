"""In a real Chromium, through the UI only: 督查科 opens a check on project 2017-05, its lead unit 区房管局 answers,
the section finds it needs rectifying, the unit rectifies, the section verifies it, and the check shows on the
project's page with its result. Screenshots at 1366 px under var/screenshots/journeys/."""
from __future__ import annotations

from tests.browser_support import INBOX, journey_shot, open_task, sign_in, sign_out, submit_task
from tests.process_support import Driver
from tests.web_support import ensure_user

SUBJECT = "旧住房综合改造推进情况"
ANSWER = "已开工1200户，资金已拨付"
FINDING = "开工户数未达序时进度"


def open_check(page) -> None:
    page.click("nav >> text=发起")
    page.click("text=发起跟踪督查")
    page.select_option("#field-project", "2017-05")
    page.fill("#field-subject", SUBJECT)
    page.fill("#field-requirements", "说明开工户数和资金到位情况")
    page.fill("#field-answer_due", "2017-06-20")
    page.click("button:has-text('发起督查')")
    page.wait_for_url(INBOX, wait_until="domcontentloaded")


def test_a_supervision_check_runs_from_opening_to_its_verified_result_and_shows_on_the_projects_page(
        db, live_server, wide_page):
    page = wide_page
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    ensure_user(db, "supervisor", "duchake", "supervisor").display_name = "孙卫东"
    ensure_user(db, "fangguanju", "fangguanju").display_name = "赵敏"
    db.commit()

    sign_in(page, live_server, "supervisor")
    open_check(page)
    assert "已发起跟踪督查" in page.inner_text("body")
    sign_out(page)

    sign_in(page, live_server, "fangguanju")
    open_task(page, "反馈督查事项")
    journey_shot(page, "supervision", "1-unit-answers")
    main = page.inner_text("main")
    assert SUBJECT in main and "说明开工户数和资金到位情况" in main
    page.fill("#field-answer", ANSWER)
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "supervisor")
    open_task(page, "作出督查结论")
    journey_shot(page, "supervision", "2-finding")
    assert ANSWER in page.inner_text("main")  # the section reads what the unit answered
    page.select_option("#field-finding", "rectify")
    page.fill("#field-finding_note", FINDING)
    page.fill("#field-rectify_due", "2017-07-10")
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "fangguanju")
    open_task(page, "落实整改")
    assert FINDING in page.inner_text("main")
    page.fill("#field-rectification", "已增派施工队伍，开工1500户")
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "supervisor")
    open_task(page, "核查整改")
    journey_shot(page, "supervision", "3-verification")
    main = page.inner_text("main")
    assert "已增派施工队伍，开工1500户" in main and "rectify" not in main
    page.select_option("#field-verification", "passed")
    page.fill("#field-verification_note", "现场核查属实")
    submit_task(page)

    page.goto(live_server + "/projects/5")
    related = page.inner_text("section.related-cases")
    journey_shot(page, "supervision", "4-project-page")
    check = page.locator("section.related-cases tr", has_text=SUBJECT).inner_text()
    assert "跟踪督查" in check and "2017年6月8日" in check and "已办结" in check
    assert "closed" not in related and "passed" not in related
