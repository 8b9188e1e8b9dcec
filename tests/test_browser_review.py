"""In a real Chromium, through the UI only: a lead unit's quarterly report, the office's review page showing its
fields and 40 %, a return, and the second review showing what changed and the first round's comment beside it.
Screenshots at 1366 px are kept under var/screenshots/review/ as the journey's artifacts."""
from __future__ import annotations

from tests.browser_support import open_task, screenshot, sign_in, submit_task
from tests.process_support import Driver, start_projects
from tests.web_support import ensure_user


def fill_report(page, progress: str, percent: str) -> None:
    page.fill("#field-progress", progress)
    page.fill("#field-percent", percent)
    page.select_option("#field-status", "on_track")


def test_the_office_reviews_a_report_it_can_read_returns_it_and_sees_the_change_on_the_second_review(
        db, live_server, wide_page):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    ensure_user(db, "zuzhibu", "zuzhibu").display_name = "王立群"
    ensure_user(db, "office", "tuijinban", "office").display_name = "陈静"
    db.commit()

    sign_in(wide_page, live_server, "zuzhibu")
    open_task(wide_page, "汇总填报季度报告")
    fill_report(wide_page, "已召开联席会议两次，下一步报区委审议。", "40")
    wide_page.fill("#field-problems", "部分街道人员未到位")
    wide_page.select_option("#field-next_step", "submit")
    submit_task(wide_page)
    wide_page.context.clear_cookies()

    sign_in(wide_page, live_server, "office")
    open_task(wide_page, "审核季度报告")
    panel = wide_page.inner_text("section.decision")
    screenshot(wide_page, "1-first-review", "review")
    assert "进展情况" in panel and "已召开联席会议两次，下一步报区委审议。" in panel
    assert "40%" in panel and "正常推进" in panel and "部分街道人员未到位" in panel
    assert "on_track" not in wide_page.inner_text("main") and "submit" not in wide_page.inner_text("main")
    wide_page.select_option("#field-verdict", "return")
    wide_page.fill("#field-office_comment", "请补充量化数据")
    submit_task(wide_page)
    wide_page.context.clear_cookies()

    sign_in(wide_page, live_server, "zuzhibu")
    open_task(wide_page, "按意见修改季度报告")
    fill_report(wide_page, "已召开联席会议三次，覆盖率45%。", "45")
    submit_task(wide_page)
    wide_page.context.clear_cookies()

    sign_in(wide_page, live_server, "office")
    open_task(wide_page, "审核季度报告")
    panel = wide_page.inner_text("section.decision")
    history = wide_page.inner_text("section.history")
    screenshot(wide_page, "2-second-review", "review")

    assert "45%" in panel and "原为：40%" in panel and "原为：已召开联席会议两次，下一步报区委审议。" in panel
    first_round = wide_page.locator("section.decision tr", has_text="第1轮").inner_text()
    assert "退回修改" in first_round and "推进办意见：请补充量化数据" in first_round
    assert "待审核" in wide_page.locator("section.decision tr", has_text="第2轮").inner_text()
    assert wide_page.input_value("#field-verdict") == "" and wide_page.input_value("#field-office_comment") == ""
    assert "区委组织部 王立群" in history and "推进状态：正常推进" in history and "zuzhibu" not in history
