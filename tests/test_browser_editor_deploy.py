"""In a real Chromium: 部署为新版本 asks first, listing what changes against the deployed version (elements added,
removed, changed) and the unfinished instances that stay on it; cancelling deploys nothing, confirming deploys and
the page then shows the new version in its heading and its version list. On a phone the editor opens read-only."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from engine import ProcessDefinition
from tests.browser_support import sign_in
from tests.process_support import Driver
from tests.test_access_process import apply
from tests.test_browser_editor import DRAW_PRECHECK, editor_bundle  # noqa: F401
from tests.test_browser_layout import PHONE, overflow, shoot, signed_in
from tests.web_support import ensure_user

KEY = "community_affairs_access"


def versions(db) -> int:
    db.expire_all()
    return db.scalar(select(func.max(ProcessDefinition.version)).where(ProcessDefinition.key == KEY))


def open_editor(page, live_server: str) -> None:
    page.goto(f"{live_server}/editor/{KEY}")
    page.wait_for_selector("#editor[data-state=ready]")


def test_deploying_asks_first_with_the_changes_and_then_shows_the_new_version(db, live_server, browser):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    apply(driver)  # one application under way on version 1
    ensure_user(db, "office", "tuijinban", "office")
    office = browser.new_page()
    errors = []
    office.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(office, live_server, "office")
    open_editor(office, live_server)
    office.evaluate(DRAW_PRECHECK)
    office.click("#editor-save")
    office.wait_for_selector("#editor-status >> text=草稿已保存")
    open_editor(office, live_server)  # the saved draft opens, with 放弃草稿 offered
    assert office.locator("#editor-discard").count() == 1

    office.click("#editor-deploy")
    review = office.locator("#deploy-review")
    review.wait_for(state="visible")
    text = review.inner_text()
    assert "与已部署的第 1 版相比，新的第 2 版" in text
    assert "新增元素（" in text and "用户任务“社区办预审”（community_precheck）" in text
    assert "修改元素（" in text and "删除元素（0）" in text
    assert "正在办理的 1 个流程实例仍按原版本运行（第 1 版 1 个）" in text
    office.click("#deploy-review .review-cancel")
    office.wait_for_selector("#editor-status >> text=已取消部署")
    assert versions(db) == 1

    office.click("#editor-deploy")
    office.click("#deploy-review .review-confirm")
    office.wait_for_selector("#editor[data-deployed]")
    assert versions(db) == 2
    assert "正在编辑：已部署的第 2 版" in office.inner_text("#editor-opened")
    assert "第 2 版" in office.inner_text("section.versions")
    assert office.url.endswith(f"/editor/{KEY}?version=2")
    assert office.locator("#editor-discard").count() == 0  # the draft is the new version: nothing to discard
    assert errors == []


def test_the_properties_panel_offers_no_listeners_nor_input_output_mappings(db, live_server, browser):
    Driver(db).load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office")
    office = browser.new_page()
    sign_in(office, live_server, "office")
    open_editor(office, live_server)
    office.evaluate(DRAW_PRECHECK)  # selects the new user task

    groups = office.locator("#editor-properties .bio-properties-panel-group-header-title").all_inner_texts()
    assert "表单" in " ".join(groups)
    assert not [g for g in groups if "监听器" in g or "输入" in g or "输出" in g], groups


def test_on_a_phone_the_editor_opens_the_diagram_read_only_with_a_note(db, live_server, browser):
    Driver(db).load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office")
    office = signed_in(browser, live_server, "office", PHONE)
    errors = []
    office.on("pageerror", lambda error: errors.append(str(error)))

    open_editor(office, live_server)

    assert errors == []  # not "Failed to execute 'scale' on 'SVGMatrix'"
    assert "只能查看、不能编辑" in office.inner_text("#editor-narrow-note")
    assert office.locator("#editor-deploy").is_hidden() and office.locator("#editor-properties").is_hidden()
    assert office.locator("#editor-canvas .djs-element").count() > 10  # the diagram is drawn
    shoot(office, "editor-390")
    assert overflow(office) <= 0


def boxes_meet(one: dict, other: dict) -> bool:
    return (one["x"] < other["x"] + other["width"] and other["x"] < one["x"] + one["width"]
            and one["y"] < other["y"] + other["height"] and other["y"] < one["y"] + one["height"])


def test_at_1024_px_the_diagram_opens_fitted_and_the_palette_leaves_the_lane_labels_free(db, live_server, browser):
    Driver(db).load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office")
    office = signed_in(browser, live_server, "office", {"width": 1024, "height": 768})

    open_editor(office, live_server)

    shoot(office, "editor-1024")
    palette = office.locator(".djs-palette").bounding_box()
    labels = office.locator("[data-element-id^='Lane'] text, [data-element-id^='Participant'] text").all()
    assert labels
    assert not any(boxes_meet(palette, label.bounding_box()) for label in labels)
    canvas = office.locator("#editor-canvas").bounding_box()
    drawn = office.locator("#editor-canvas .viewport").bounding_box()
    assert drawn["width"] <= canvas["width"] + 1 and drawn["width"] > canvas["width"] / 3  # fitted, readable
