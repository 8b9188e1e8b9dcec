"""In a real Chromium the office DRAWS a new process in the editor (nothing uploaded): 新建流程 gives a pool with
one lane and a start event; the lane is renamed 经办人 by double-click and keyboard, the start event gets a start
form field in the properties panel, a task is appended with the context pad, typed and changed into a user task,
an end event appended, and 可发起人 (candidateStarterGroups) set on the pool to 各街道、镇 (gejiedaozhen). The office
deploys it with the page's button and maps 经办人 to 区民政局 in the editor's 角色对应 panel; 曹杨新村街道 starts it
from /start filling the form; the task is in 区民政局's inbox and is completed; the instance page shows it finished.

Every step is a mouse click, a double-click or typing at screen positions read from the drawn shapes; no part
goes through the modeler's API. Screenshots at 1366 px go to var/screenshots/draw-process-*.png."""
from __future__ import annotations

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from engine import ProcessDefinition
from tests.browser_support import open_task, screenshot, sign_in, submit_task
from tests.test_browser_editor import PANEL, editor_bundle  # noqa: F401  (builds the bundle when missing)
from tests.start_support import office_street_and_department

KEY, NAME = "street_relief", "街道困难帮扶"
START_FORM = f"{PANEL} [data-group-id='group-CamundaPlatform__FormData']"
# What the modeler holds once drawn, read back to check the drawing (not to draw).
DRAWN = """() => {
  const registry = window.putuoEditor.modeler.get('elementRegistry');
  const of = type => registry.filter(element => element.type === type).map(element => element.businessObject);
  const lane = of('bpmn:Lane')[0], task = of('bpmn:UserTask')[0], start = of('bpmn:StartEvent')[0];
  const formData = (start.extensionElements && start.extensionElements.values || [])
    .find(value => value.$type === 'camunda:FormData');
  return { lane: lane.name, laneNodes: lane.flowNodeRef.map(node => node.$type).sort(), task: task && task.name,
           startForm: formData ? formData.fields.map(field => [field.id, field.label, field.type]) : [],
           starters: of('bpmn:Participant')[0].processRef.candidateStarterGroups || null,
           flows: of('bpmn:SequenceFlow').length };
}"""


def centre_of(page, element_id: str) -> tuple[float, float]:
    box = page.locator(f".djs-element[data-element-id='{element_id}'] > .djs-hit, "
                       f".djs-element[data-element-id='{element_id}'] .djs-visual").first.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def element_id_of(page, type_: str) -> str:
    """The id of the drawn element of that type, once there is one."""
    return page.wait_for_function("type => window.putuoEditor.modeler.get('elementRegistry')"
                                  ".filter(element => element.type === type).map(element => element.id)[0]",
                                  arg=type_).json_value()


def focus_the_canvas(page) -> None:
    """Click an empty part of the canvas: the focus leaves the properties panel (whose last edit would otherwise
    be committed by the next click, dropping that click's selection)."""
    canvas = page.locator("#editor-canvas").bounding_box()
    page.mouse.click(canvas["x"] + canvas["width"] / 2, canvas["y"] + canvas["height"] - 40)


def click_element(page, element_id: str, dx: float = 0, dy: float = 0) -> None:
    """Click the element until its context pad opens, as a person clicks again when a busy page let a click pass
    (seen once on a loaded machine: the pad never opened); three tries, then an error naming the element."""
    for _ in range(3):
        x, y = centre_of(page, element_id)
        focus_the_canvas(page)
        page.mouse.click(x + dx, y + dy)
        try:
            page.wait_for_selector(".djs-context-pad.open", timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the context pad of {element_id} did not open after three clicks")


def type_label(page, text: str) -> None:
    """Type into the open direct-editing box, replacing what it holds, and finish with Enter."""
    page.wait_for_selector(".djs-direct-editing-content", state="visible")
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")
    page.wait_for_selector(".djs-direct-editing-parent", state="hidden")


def rename_the_lane(page, name: str) -> None:
    """Double-click the lane's title strip (its left edge, where the name is written) and type its new name."""
    lane = page.locator(".djs-element.djs-shape[data-element-id='Lane_office']").bounding_box()
    page.mouse.dblclick(lane["x"] + 22, lane["y"] + lane["height"] / 4)  # off the resize handle at mid-edge
    type_label(page, name)


def give_the_start_event_a_form_field(page) -> None:
    click_element(page, "start")
    page.wait_for_selector(f"{PANEL} .bio-properties-panel-header-type >> text=开始事件")
    page.locator(f"{PANEL} .bio-properties-panel-group-header", has_text="表单").first.click()
    page.select_option("#bio-properties-panel-formType", "formData")  # 生成的任务表单
    page.locator(f"{START_FORM} .bio-properties-panel-add-entry").first.click()
    page.locator(f"{START_FORM} input[id$='-formField-0-formFieldID']").fill("subject")
    page.locator(f"{START_FORM} input[id$='-formField-0-formFieldLabel']").fill("帮扶事由")
    page.locator(f"{START_FORM} select[id$='-formField-0-formFieldType']").select_option("string")


def append_a_user_task_and_an_end_event(page) -> str:
    """Context pad of the start event: 追加任务 (placed and opened for its name), then 更改类型 → 用户任务; from the
    task's context pad: 追加结束事件. Returns the user task's id."""
    click_element(page, "start")
    page.click(".djs-context-pad .entry[data-action='append.append-task']")
    type_label(page, "审核帮扶申请")
    task_id = element_id_of(page, "bpmn:Task")
    click_element(page, task_id)
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(".djs-popup .entry[data-id='replace-with-user-task']")
    task_id = element_id_of(page, "bpmn:UserTask")
    click_element(page, task_id)
    page.click(".djs-context-pad .entry[data-action='append.end-event']")
    page.keyboard.press("Escape")  # the end event needs no name
    return task_id


def let_the_streets_start_it(page, groups: str) -> None:
    """Select the pool by its title bar and fill 可发起人 → 可发起的用户组 in the properties panel."""
    pool = page.locator(".djs-element.djs-shape[data-element-id='Participant_%s']" % KEY).bounding_box()
    page.mouse.click(pool["x"] + 15, pool["y"] + pool["height"] / 2)
    page.wait_for_selector(f"{PANEL} .bio-properties-panel-header-type >> text=池")
    page.locator(f"{PANEL} .bio-properties-panel-group-header", has_text="可发起人").click()
    page.fill("#bio-properties-panel-candidateStarterGroups", groups)
    page.keyboard.press("Tab")


def test_the_office_draws_a_process_deploys_it_maps_its_lane_and_a_street_starts_it_to_the_end(
        db, live_server, browser):
    office_street_and_department(db)
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    office, street, department = context.new_page(), browser.new_page(), browser.new_page()
    errors = []
    office.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(office, live_server, "office")
    office.click("nav >> text=流程编辑")
    office.fill("#field-key", KEY)
    office.fill("#field-name", NAME)
    office.click("section.new-process button[type=submit]")
    office.wait_for_selector("#editor[data-state=ready]")
    assert "部署后" in office.inner_text("#editor-roles")  # nothing to map before the first deployment

    rename_the_lane(office, "经办人")
    give_the_start_event_a_form_field(office)
    task_id = append_a_user_task_and_an_end_event(office)
    let_the_streets_start_it(office, "gejiedaozhen")
    drawn = office.evaluate(DRAWN)
    assert drawn == {"lane": "经办人", "task": "审核帮扶申请", "startForm": [["subject", "帮扶事由", "string"]],
                     "starters": "gejiedaozhen", "flows": 2,
                     "laneNodes": ["bpmn:EndEvent", "bpmn:StartEvent", "bpmn:UserTask"]}
    screenshot(office, "draw-process-drawn")

    office.click("#editor-deploy")
    office.click("#deploy-review .review-confirm")
    office.wait_for_selector(f"#editor-status.success >> text=已部署：{NAME}（{KEY}）第 1 版")
    role = office.locator("#editor-roles tr[data-role-name=经办人]")
    assert "待分派" in role.inner_text()
    role.locator("input").fill("区民政")
    role.locator("input").fill("区民政局")
    office.click("#editor-roles-save")
    office.wait_for_selector("#editor-roles-status.success >> text=已保存角色对应")
    role = office.locator("#editor-roles tr[data-role-name=经办人]")
    assert "待分派" not in role.inner_text() and role.locator("input").input_value() == "区民政局"
    screenshot(office, "draw-process-roles")
    db.expire_all()
    assert db.scalar(select(ProcessDefinition.deployed_by).where(ProcessDefinition.key == KEY)) == "office"

    sign_in(street, live_server, "caoyang")
    street.click("nav >> text=发起")
    street.click(f"#start-{KEY} >> text=发起")
    street.fill("#field-subject", "李某家庭临时帮扶")
    street.click("main button[type=submit]:has-text('发起')")
    street.wait_for_selector(f"text=已发起“{NAME}”")

    sign_in(department, live_server, "minzhengju")
    open_task(department, "审核帮扶申请")
    submit_task(department)

    office.goto(live_server + "/instances")
    office.click("table.instances a")
    assert office.locator("#instance-status").inner_text() == "已结束"
    office.wait_for_selector(f".djs-element.done[data-element-id={task_id}]")
    screenshot(office, "draw-process-finished")
    assert errors == []
    context.close()
