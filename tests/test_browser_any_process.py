"""In a real Chromium: the office uploads a new process (new key 困难救助申请, a lane 经办人 and a start form) in the
process editor's upload form, maps 经办人 to 区民政局 on 角色对应; 曹杨新村街道, allowed by candidateStarterGroups,
starts it from /start; the task is in 区民政局's inbox and is completed; the instance's page shows it finished.

The diagram is uploaded as a file, not drawn: drawing a pool, a lane and a start form through bpmn-js's API would
test bpmn-js more than these pages (test_browser_editor.py draws in the editor)."""
from __future__ import annotations

from tests.browser_support import open_task, sign_in, submit_task
from tests.start_support import DIAGRAMS, office_street_and_department


def test_a_new_process_is_uploaded_mapped_started_from_start_done_by_the_mapped_unit_and_seen_finished(
        db, live_server, browser):
    office_street_and_department(db)
    office, street, department = browser.new_page(), browser.new_page(), browser.new_page()
    errors = []
    office.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(office, live_server, "office")
    office.click("nav >> text=流程编辑")
    office.set_input_files("#field-file", str(DIAGRAMS / "starter_form.bpmn"))
    office.click("section.upload button[type=submit]")
    office.wait_for_selector("text=已部署：困难救助申请（relief_request）第 1 版")
    assert office.locator("text=“经办人”不是已知的单位、单位组或角色").count() == 1

    office.click("nav >> text=角色对应")
    office.click("#roles-relief_request >> text=设置")
    office.select_option("select[aria-label=经办人]", label="区民政局")
    office.click("main button[type=submit]")
    office.wait_for_selector("text=已保存角色对应")

    sign_in(street, live_server, "caoyang")
    street.click("nav >> text=发起")
    street.click("#start-relief_request >> text=发起")
    street.fill("#field-subject", "张某家庭临时救助")
    street.fill("#field-amount", "3000")
    street.click("main button[type=submit]:has-text('发起')")
    street.wait_for_selector("text=已发起“困难救助申请”")
    assert street.locator("table.started td.current-step").inner_text() == "审核救助申请"

    sign_in(department, live_server, "minzhengju")
    open_task(department, "审核救助申请")
    department.check("input[name=approved]")
    submit_task(department)

    office.click("nav >> text=流程实例")
    office.click("table.instances a")
    assert office.locator("#instance-status").inner_text() == "已结束"
    office.wait_for_selector(".djs-element.done[data-element-id=Task_review]")
    assert errors == []
