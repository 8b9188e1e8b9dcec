"""In a real Chromium: the office opens 社区事务准入 in the process editor, adds a user task in the 区社区办 lane with
a form field set in the properties panel, deploys it as version 2 with the page's button; a department applies
through the API and the new task is in 区社区办's inbox with its form."""
from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import ProcessDefinition
from tests.browser_support import open_task, sign_in
from tests.process_support import Driver
from tests.web_support import ensure_user
from workflows.accounts.tokens import issue_token

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "web" / "static" / "editor" / "editor.js"
PANEL = "#editor-properties"
FORM_FIELDS = f"{PANEL} [data-group-id='group-CamundaPlatform__FormData']"
APPLICATION = {"affair": "社区垃圾分类宣传", "legal_basis": "《上海市生活垃圾管理条例》", "funding": "每街道每年5万元",
               "staffing": "每街道1名", "on_responsibility_list": False}

# The drawing step through the modeler's own API (modeling.createShape, reconnectEnd, connect): dragging shapes
# from the palette by mouse coordinates would test bpmn-js rather than this page. The new task goes into the
# 区社区办 lane between the application and the gateway before the legal opinion.
DRAW_PRECHECK = """() => {
  const modeler = window.putuoEditor.modeler;
  const modeling = modeler.get('modeling'), registry = modeler.get('elementRegistry');
  const lane = registry.get('Lane_community');
  const task = modeling.createShape({ type: 'bpmn:UserTask' }, { x: 330, y: 600 }, lane);
  modeling.updateProperties(task, { id: 'community_precheck', name: '社区办预审' });
  const flow = registry.get('Flow_filed_legal');
  modeling.reconnectEnd(flow, task, { x: task.x + task.width / 2, y: task.y });
  modeling.connect(task, registry.get('to_legal'));
  modeler.get('selection').select(task);
  return lane.businessObject.flowNodeRef.map(node => node.id);
}"""
FORM_FIELD_SAVED = """() => {
  const task = window.putuoEditor.modeler.get('elementRegistry').get('community_precheck').businessObject;
  const formData = (task.extensionElements && task.extensionElements.values || [])
    .find(value => value.$type === 'camunda:FormData');
  const field = formData && formData.fields[0];
  return !!field && field.id === 'precheck_opinion' && field.label === '预审意见' && field.type === 'string';
}"""

RENAME_LANE = """name => {
  const modeler = window.putuoEditor.modeler;
  modeler.get('modeling').updateProperties(modeler.get('elementRegistry').get('Lane_community'), { name });
}"""
SELECTED = "() => window.putuoEditor.modeler.get('selection').get().map(element => element.id)"


@pytest.fixture(scope="module", autouse=True)
def editor_bundle():
    """`make test` builds the bundle (Makefile, node-packages); a bare pytest run builds it here if missing."""
    if not BUNDLE.exists():
        subprocess.run(["node", str(ROOT / "scripts" / "build-editor.mjs")], check=True, cwd=ROOT)


def add_form_field_in_the_properties_panel(page) -> None:
    page.locator(f"{PANEL} .bio-properties-panel-group-header", has_text="表单").first.click()
    page.select_option("#bio-properties-panel-formType", "formData")  # 生成的任务表单
    page.locator(f"{FORM_FIELDS} .bio-properties-panel-add-entry").first.click()
    page.locator(f"{FORM_FIELDS} input[id$='-formField-0-formFieldID']").fill("precheck_opinion")
    page.locator(f"{FORM_FIELDS} input[id$='-formField-0-formFieldLabel']").fill("预审意见")
    page.locator(f"{FORM_FIELDS} select[id$='-formField-0-formFieldType']").select_option("string")
    page.wait_for_function(FORM_FIELD_SAVED)


def problem_is_listed_and_selects_its_element(page) -> None:
    """A lane no unit plays is a warning of the validation (the office maps it after deploying); clicking it
    selects the lane."""
    page.evaluate(RENAME_LANE, "不存在的科室")
    page.click("#editor-validate")
    problem = page.locator("#editor-problems .problem-link[data-element=Lane_community]")
    assert "“不存在的科室”不是已知的单位、单位组或角色" in problem.inner_text()
    assert page.locator("#editor-status.success").inner_text() == "校验通过，可以部署"
    problem.click()
    assert page.evaluate(SELECTED) == ["Lane_community"]
    page.evaluate(RENAME_LANE, "区社区办")


def test_the_office_adds_a_task_in_a_lane_deploys_it_and_the_lanes_unit_gets_it(db, live_server, browser):
    Driver(db).load_plan_and_diagrams()
    ensure_user(db, "office", "tuijinban", "office")
    ensure_user(db, "shequban", "shequban")
    token = issue_token(db, ensure_user(db, "minzhengju", "minzhengju"), datetime.utcnow())
    db.commit()
    office, community = browser.new_page(), browser.new_page()
    errors = []
    office.on("pageerror", lambda error: errors.append(str(error)))

    sign_in(office, live_server, "office")
    office.click("nav >> text=流程编辑")
    office.click("#process-community_affairs_access >> text=编辑")
    office.wait_for_selector("#editor[data-state=ready]")
    assert office.locator(".djs-palette .entry[aria-label='任务']").count() == 1  # the palette speaks Chinese

    lane_nodes = office.evaluate(DRAW_PRECHECK)
    assert "community_precheck" in lane_nodes
    assert office.locator(f"{PANEL} .bio-properties-panel-header-type").inner_text() == "用户任务"
    add_form_field_in_the_properties_panel(office)
    problem_is_listed_and_selects_its_element(office)
    office.click("#editor-validate")
    office.wait_for_selector("#editor-status.success >> text=校验通过")
    office.click("#editor-deploy")
    office.click("#deploy-review .review-confirm")  # the confirmation (tests/test_browser_editor_deploy.py)
    office.wait_for_selector("#editor-status.success >> text=已部署")
    office.wait_for_selector("#editor[data-deployed]")

    assert office.get_attribute("#editor", "data-deployed") == "community_affairs_access:2"
    assert errors == []
    db.expire_all()
    deployed = db.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "community_affairs_access",
                                                         ProcessDefinition.version == 2))
    assert deployed.deployed_by == "office" and 'isExecutable="true"' in deployed.bpmn_xml

    started = office.request.post(live_server + "/api/process-instances", data={
        "process_key": "community_affairs_access", "data": APPLICATION}, headers={"Authorization": f"Bearer {token}"})
    assert started.status == 201, started.text()
    assert started.json()["version"] == 2 and started.json()["open_tasks"][0]["name"] == "社区办预审"

    sign_in(community, live_server, "shequban")
    open_task(community, "社区办预审")
    assert community.locator("label[for=field-precheck_opinion]").inner_text().startswith("预审意见")
