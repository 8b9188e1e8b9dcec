"""The pages: /start lists and starts any process with its form (once per form), 我发起的, /instances with filters,
an instance's home (diagram markers, history, open tasks, variables, cancel), 角色对应, and the project's link."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine import ProcessInstance

from tests.deployment_support import chain, script, timer
from tests.start_support import diagram
from tests.web_support import db, login_as, text  # noqa: F401
from workflows.accounts.actor import Actor
from workflows.directory import units as directory
from workflows.plan import loading as plans
from workflows.processes import deployment, roles, starting_any
from engine.worker import sweep
from workflows.runtime import process_engine


@pytest.fixture
def deployed(db):  # noqa: F811
    """The directory, the plan and 困难救助申请 (relief_request) with 经办人 mapped to 区民政局."""
    directory.load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    deployment.deploy_diagram(db, diagram("starter_form"), source="relief.bpmn", deployed_by="office")
    roles.set_role_mappings(db, "relief_request", {"经办人": "minzhengju"})
    db.commit()
    return db


def start_page_token(client) -> tuple[str, str]:
    page = text(client.get("/start/process/relief_request"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    token = re.search(r'name="start_token" value="([^"]+)"', page).group(1)
    return csrf, token


def test_a_street_sees_the_process_on_start_and_a_double_submit_starts_one_instance(deployed, login_as):
    street = login_as("caoyang", unit="caoyang")
    listed = text(street.get("/start"))
    csrf, token = start_page_token(street)
    form = {"csrf_token": csrf, "start_token": token, "subject": "张某家庭临时救助", "amount": "3000"}

    first, second = street.post("/start/process/relief_request", data=form), street.post(
        "/start/process/relief_request", data=form)
    started = text(street.get("/started"))

    assert "困难救助申请" in listed and "街镇为困难群众申请临时救助" in listed and "第 1 版" in listed
    assert first.status_code == second.status_code == 302
    assert started.count("<tr id=\"instance-") == 1 and "审核救助申请" in started


def test_a_wrong_start_form_is_shown_again_with_a_message_per_field(deployed, login_as):
    street = login_as("caoyang", unit="caoyang")
    csrf, token = start_page_token(street)

    response = street.post("/start/process/relief_request", data={"csrf_token": csrf, "start_token": token,
                                                                 "amount": "abc"})

    page = text(response)
    assert response.status_code == 422
    assert "请填写“救助事由”" in page and "“申请金额（元）”应为整数" in page


def test_a_unit_not_allowed_gets_403_for_the_form_and_the_instances_and_404_for_no_such_process(deployed, login_as):
    other = login_as("zuzhibu", unit="zuzhibu")
    assert other.get("/start/process/relief_request").status_code == 403
    assert other.get("/start/process/no_such_process").status_code == 404
    assert "困难救助申请" not in text(other.get("/start"))
    assert other.get("/instances").status_code == 403


def test_the_office_filters_instances_reads_one_and_cancels_it_with_a_reason(deployed, login_as):
    street = login_as("caoyang", unit="caoyang")
    csrf, token = start_page_token(street)
    street.post("/start/process/relief_request", data={"csrf_token": csrf, "start_token": token, "subject": "救助",
                                                       "project": "2017-05"})
    office = login_as("office", unit="tuijinban", role="office")

    listed = text(office.get("/instances?process=relief_request&started_by=caoyang&project=2017-05"))
    none = text(office.get("/instances?process=relief_request&status=completed"))
    instance_id = int(re.search(r'id="instance-(\d+)"', listed).group(1))
    page = text(office.get(f"/instances/{instance_id}"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    no_reason = office.post(f"/instances/{instance_id}/cancel", data={"csrf_token": csrf, "reason": " "})
    cancelled = office.post(f"/instances/{instance_id}/cancel", data={"csrf_token": csrf, "reason": "重复申请"})
    after = text(office.get(f"/instances/{instance_id}"))

    assert "救助" in listed and "没有符合条件的流程实例" in none
    assert 'href="/instances?project=2017-05"' in text(office.get("/projects/5"))
    assert '"active": ["Task_review"]' in page and '"StartEvent_1"' in page
    assert "区民政局" in page and "流程变量" in page and "applicant_unit" in page
    assert no_reason.status_code == 422 and "请填写取消的理由" in text(no_reason)
    assert cancelled.status_code == 302 and "已取消" in after and "重复申请" in after


def test_the_supervision_section_reads_an_instance_without_its_variables_or_cancel(deployed, login_as):
    street = login_as("caoyang", unit="caoyang")
    csrf, token = start_page_token(street)
    street.post("/start/process/relief_request", data={"csrf_token": csrf, "start_token": token, "subject": "救助"})
    supervisor = login_as("supervisor", unit="duchake", role="supervisor")

    listed = text(supervisor.get("/instances"))
    instance_id = int(re.search(r'id="instance-(\d+)"', listed).group(1))
    page = text(supervisor.get(f"/instances/{instance_id}"))

    assert "审核救助申请" in page and "流程变量" not in page and "取消流程" not in page
    assert supervisor.get("/instances/99999").status_code == 404


def test_the_office_maps_a_name_on_the_roles_page(deployed, login_as):
    office = login_as("office", unit="tuijinban", role="office")
    page = text(office.get("/roles/relief_request"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    saved = office.post("/roles/relief_request", data={"csrf_token": csrf, "unit-0": "caoyang"})

    assert "经办人" in page and saved.status_code == 302
    assert 'value="caoyang" selected' in text(office.get("/roles/relief_request"))
    assert login_as("caoyang", unit="caoyang").get("/roles").status_code == 403
    assert "保存" not in text(login_as("auditor", unit="tuijinban", role="auditor").get("/roles/relief_request"))


def test_a_task_whose_group_nobody_plays_is_in_the_offices_inbox_marked_unassigned(deployed, login_as):
    triage = chain("triage", '<bpmn:userTask id="triage" name="分拣来件" camunda:candidateGroups="Manager"/>')
    deployment.deploy_diagram(deployed, triage, source="triage.bpmn", deployed_by="office")
    office_actor = Actor("office", "tuijinban", "office")
    starting_any.start_any(deployed, process_engine(deployed), office_actor, "triage", None, {})
    deployed.commit()

    inbox = text(login_as("office", unit="tuijinban", role="office").get("/inbox"))

    assert re.search(r"分拣来件</a> <span class=\"unassigned\"[^>]*>待分派", inbox)


def test_a_process_whose_script_fails_as_it_starts_shows_the_form_again_with_the_reason(deployed, login_as):
    failing = chain("failing", '<bpmn:scriptTask id="calc" name="计算"><bpmn:script>total = missing + 1</bpmn:script>'
                               '</bpmn:scriptTask>')
    deployment.deploy_diagram(deployed, failing, source="failing.bpmn", deployed_by="office")
    deployed.commit()
    office = login_as("office", unit="tuijinban", role="office")
    page = text(office.get("/start/process/failing"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    response = office.post("/start/process/failing", data={"csrf_token": csrf})

    assert response.status_code == 422 and "“计算”（calc）" in text(response)
    assert office.get("/roles/no_such_process").status_code == 404


def test_an_instance_in_error_shows_its_incident_and_a_retry_that_fails_again_keeps_it(deployed, login_as):
    poisoned = chain("poisoned", timer("wait", "timeDuration", "PT1H"), script("compute", "r = range(3)"))
    deployment.deploy_diagram(deployed, poisoned, source="poisoned.bpmn", deployed_by="office")
    engine = process_engine(deployed)
    instance_id = engine.start_instance("poisoned").id
    engine.clock.advance(timedelta(hours=2))
    deployed.commit()
    sweep(lambda: deployed, process_engine)
    office = login_as("office", unit="tuijinban", role="office")

    page = text(office.get(f"/instances/{instance_id}"))
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    again = office.post(f"/instances/{instance_id}/retry", data={"csrf_token": csrf})

    assert "运行故障" in page and "compute" in page and "变量 r" in page and "重试" in page
    assert again.status_code == 422 and "重试仍然失败" in text(again)
    assert "运行故障" in text(office.get(f"/instances/{instance_id}"))


@pytest.fixture
def with_units_field(db):  # noqa: F811
    """困难救助申请 whose start form also asks for 协办单位 (a ``units`` field)."""
    directory.load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    xml = diagram("starter_form").replace(
        b'<camunda:formField id="project" label="\xe6\x89\x80\xe5\xb1\x9e\xe9\xa1\xb9\xe7\x9b\xae" type="project" />',
        '<camunda:formField id="helpers" label="协办单位" type="units" />'.encode())
    assert b'id="helpers"' in xml
    deployment.deploy_diagram(db, xml, source="relief.bpmn", deployed_by="office")
    roles.set_role_mappings(db, "relief_request", {"经办人": "minzhengju"})
    db.commit()
    return db


def test_a_start_form_asking_for_units_offers_the_picker_with_groups_and_expands_a_ticked_group(
        with_units_field, login_as):
    street = login_as("caoyang", unit="caoyang")
    page = text(street.get("/start/process/relief_request"))
    csrf, token = start_page_token(street)

    response = street.post("/start/process/relief_request", data={
        "csrf_token": csrf, "start_token": token, "subject": "救助", "helpers": ["minzhengju", "gejiedaozhen"]})

    assert 'type="checkbox" name="helpers" value="gejiedaozhen"' in page and "各街道、镇" in page
    assert 'type="units"' not in page
    assert response.status_code == 302
    instance_id = with_units_field.scalar(select(ProcessInstance.id))
    helpers = process_engine(with_units_field).get_instance(instance_id).ready_human_tasks()[0].data["helpers"]
    assert helpers[0] == "minzhengju" and {"caoyang", "taopu"} <= set(helpers) and "gejiedaozhen" not in helpers


def test_a_start_form_refuses_a_unit_not_in_the_directory_naming_the_field(with_units_field, login_as):
    street = login_as("caoyang", unit="caoyang")
    csrf, token = start_page_token(street)

    response = street.post("/start/process/relief_request", data={
        "csrf_token": csrf, "start_token": token, "subject": "救助", "helpers": ["nosuchunit"]})

    assert response.status_code == 422 and 'id="error-helpers">“协办单位”' in text(response)
