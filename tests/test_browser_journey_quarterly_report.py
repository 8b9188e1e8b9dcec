"""In a real Chromium, through the UI only: 区科委 compiles project 2017-42's quarterly report and asks its three
responsible units for input; while it waits it sees who has given it and who has not and 催s a late one; once all
have given it, it submits, and the office's review page shows the report as labelled fields with the units' input.
Screenshots at 1366 px under var/screenshots/journeys/."""
from __future__ import annotations

from tests.browser_support import journey_shot, open_task, sign_in, sign_out, submit_task
from tests.process_support import Driver, start_projects
from tests.web_support import ensure_user

PROGRESS = "科创园区孵化器已完成招商评审，下一步开展入驻企业服务对接。"
EXPERIENCE = "建立园区企业服务专员制度"


def give_input(page, live_server: str, unit: str, text: str) -> None:
    sign_in(page, live_server, unit)
    open_task(page, "责任单位提供材料")
    page.fill("#field-contribution", text)
    submit_task(page)
    sign_out(page)


def open_waiting_report(page, live_server: str) -> str:
    """The lead's done list → its compiled report, which waits for input; returns the input table's text."""
    page.goto(live_server + "/inbox/done")
    page.locator("main a", has_text="汇总填报季度报告").first.click()
    return page.inner_text("table.decision-inputs")


def row_of(page, unit_name: str) -> str:
    return page.locator("table.decision-inputs tr", has_text=unit_name).inner_text()


def test_a_lead_waits_for_its_units_input_sees_who_is_late_chases_them_and_the_office_reads_the_report(
        db, live_server, wide_page):
    page = wide_page
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 42)  # 区科委 leads; 区公安分局, 区房管局 and 区网格中心 are responsible
    ensure_user(db, "kewei", "kewei").display_name = "刘建华"
    ensure_user(db, "fangguanju", "fangguanju").display_name = "赵敏"
    for unit in ("gonganfenju", "wanggezhongxin"):
        ensure_user(db, unit, unit)
    ensure_user(db, "office", "tuijinban", "office")
    db.commit()

    sign_in(page, live_server, "kewei")
    open_task(page, "汇总填报季度报告")
    page.fill("#field-progress", PROGRESS)
    page.fill("#field-percent", "40")
    page.select_option("#field-status", "on_track")
    page.fill("#field-experience", EXPERIENCE)
    page.select_option("#field-next_step", "consult")
    submit_task(page)
    waiting = open_waiting_report(page, live_server)
    assert waiting.count("尚未提供") == 3
    sign_out(page)

    give_input(page, live_server, "fangguanju", "房源筹措已落实")
    sign_in(page, live_server, "kewei")
    open_waiting_report(page, live_server)
    journey_shot(page, "quarterly-report", "1-waiting-for-input")
    assert "已提供（区房管局 赵敏" in row_of(page, "区房管局") and "房源筹措已落实" in row_of(page, "区房管局")
    assert "尚未提供" in row_of(page, "区公安分局") and "尚未提供" in row_of(page, "区网格中心")
    assert "待审核" not in page.inner_text("main")  # asked the units, nothing went to the office yet
    page.locator("table.decision-inputs tr", has_text="区公安分局").locator("button", has_text="催办").click()
    page.wait_for_selector("table.decision-inputs")
    assert "已催办“责任单位提供材料”（区公安分局）" in page.inner_text("body")
    sign_out(page)

    sign_in(page, live_server, "gonganfenju")
    open_task(page, "责任单位提供材料")
    journey_shot(page, "quarterly-report", "2-chased-unit")
    assert "催办：请区公安分局尽快办理“责任单位提供材料”" in page.inner_text("main")
    page.fill("#field-contribution", "园区治安巡逻已纳入网格")
    submit_task(page)
    sign_out(page)
    give_input(page, live_server, "wanggezhongxin", "网格巡查每周一次")

    sign_in(page, live_server, "kewei")
    open_task(page, "汇总填报季度报告")
    assert "尚未提供" not in page.inner_text("main")
    page.select_option("#field-next_step", "submit")
    submit_task(page)
    sign_out(page)

    sign_in(page, live_server, "office")
    open_task(page, "审核季度报告")
    panel = page.inner_text("section.decision")
    journey_shot(page, "quarterly-report", "3-office-review")
    assert "进展情况" in panel and PROGRESS in panel
    assert "完成比例" in panel and "40%" in panel
    assert "推进状态" in panel and "正常推进" in panel
    assert "经验做法、案例" in panel and EXPERIENCE in panel
    for unit, given in (("区房管局", "房源筹措已落实"), ("区公安分局", "园区治安巡逻已纳入网格"),
                        ("区网格中心", "网格巡查每周一次")):
        assert given in row_of(page, unit)
    main = page.inner_text("main")
    assert "on_track" not in main and "consult" not in main and "kewei" not in main
