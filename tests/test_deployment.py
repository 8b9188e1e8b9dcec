"""Deploying diagrams from the editor, Camunda Modeler or bpmn.io: checks, versions, drafts, migration, CLI."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import HumanTask, MigrationRefused, ProcessInstance
from tests.deployment_support import HEADER, chain, review, script, timer, user_task
from tests.process_support import BPMN_DIR, REPORT, Driver, start_projects
from workflows.demo import deploy_diagrams
from workflows.directory import units as directory
from workflows.processes import deployment


@pytest.fixture
def driver(db) -> Driver:
    directory.load_directory(db)
    driver = Driver(db)
    driver.engine.clock.set(datetime(2017, 6, 8, 9, 0))
    db.commit()
    return driver


def deploy(db, xml: bytes, source: str = "upload.bpmn"):
    definitions, notes = deployment.deploy_diagram(db, xml, source=source, deployed_by="office")
    db.commit()
    return definitions, notes


def refused(db, xml: bytes) -> list[deployment.Problem]:
    before = deployment.count_definitions(db)
    with pytest.raises(deployment.DiagramRefused) as raised:
        deployment.deploy_diagram(db, xml, source="upload.bpmn", deployed_by="office")
    db.rollback()
    assert deployment.count_definitions(db) == before, "a refused diagram stored something"
    return raised.value.problems


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda path: path.name)
def test_every_diagram_of_the_product_passes_every_check(driver, path):
    deploy_diagrams(driver.engine, str(BPMN_DIR))  # the processes its call activities call
    checked = deployment.check_diagram(driver.session, path.read_bytes(), source=path.name)
    assert checked.problems == [] and checked.notes == []


def test_a_diagram_is_deployed_as_version_one_and_again_as_version_two_with_who_and_when(driver, db):
    before = datetime.utcnow()
    [first], notes = deploy(db, review())
    [second], _ = deploy(db, review("office_review", ("review", "审核"), ("sign_off", "签发")))

    assert (first.key, first.version, second.version, notes) == ("office_review", 1, 2, [])
    assert [(d.key, d.version, d.deployed_by) for d in deployment.definition_versions(db)] == [
        ("office_review", 1, "office"), ("office_review", 2, "office")]
    # The wall clock's time in UTC, not the simulated clock's 2017-06-08: versions list in the order they were made.
    assert before <= first.deployed_at <= second.deployed_at <= datetime.utcnow()


def test_the_same_file_deployed_twice_keeps_its_version_and_says_so(driver, db):
    deploy(db, review())
    [again], notes = deploy(db, review())
    assert again.version == 1 and "未新建版本" in notes[0]


def test_a_bpmn_js_diagram_saved_as_not_executable_is_made_executable_with_a_note(driver, db):
    [definition], notes = deploy(db, review(executable="false"))
    assert definition.version == 1 and 'isExecutable="true"' in definition.bpmn_xml
    assert notes == ['流程 office_review 原为 isExecutable="false"（bpmn-js 的默认值），已设为可执行']


@pytest.mark.parametrize("kind, value, before, after", [
    ("timeDuration", "PT5M", {"minutes": 4}, {"minutes": 2}),
    ("timeDate", "2017-06-20T00:00:00", {"days": 11}, {"days": 2}),
])
def test_camunda_timer_values_deploy_and_fire_by_the_clock(driver, db, kind, value, before, after):
    deploy(db, chain("waiting", timer("wait", kind, value)))
    instance = driver.engine.start_instance("waiting")
    db.commit()

    _advance(driver, before)
    assert db.get(ProcessInstance, instance.id).status == "running"
    _advance(driver, after)
    assert db.get(ProcessInstance, instance.id).status == "completed"


def _advance(driver, delta: dict) -> None:
    driver.advance(days=delta.get("days", 0), hours=delta.get("minutes", 0) / 60)


def test_a_camunda_timer_cycle_fires_three_times(driver, db):
    reminder = ('<bpmn:boundaryEvent id="remind" name="每天提醒" attachedToRef="review" cancelActivity="false">'
                '<bpmn:timerEventDefinition id="remind_def"><bpmn:timeCycle>R3/P1D</bpmn:timeCycle>'
                '</bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                '<bpmn:sequenceFlow id="to_reminded" sourceRef="remind" targetRef="reminded"/>'
                '<bpmn:endEvent id="reminded" name="已提醒"/>')
    deploy(db, chain("cycle", user_task("review", "审核"), extra=reminder))
    instance = driver.engine.start_instance("cycle")
    db.commit()

    woken = [driver.advance(days=1, hours=1) for _ in range(5)]  # how many instances each day's sweep woke

    assert woken == [1, 1, 1, 0, 0] and db.get(ProcessInstance, instance.id).status == "running"
    reminders = [t for t in driver.engine.get_instance(instance.id).workflow.get_tasks()
                 if t.task_spec.name == "reminded"]
    assert len(reminders) == 3


NOT_EXECUTABLE_BY_THE_ENGINE = {
    "a complex gateway": ('<bpmn:complexGateway id="complex" name="复杂"/>', "complex"),
    "an external service task": ('<bpmn:serviceTask id="worker" name="外部" camunda:type="external" '
                                 'camunda:topic="t"/>', "worker"),
    "a business rule task without a decisionRef": ('<bpmn:businessRuleTask id="decide" name="规则"/>', "decide"),
    "a Java service task": ('<bpmn:serviceTask id="java" name="调用" camunda:class="org.example.Call"/>', "java"),
    "a Camunda task listener": ('<bpmn:userTask id="heard" name="监听"><bpmn:extensionElements>'
                                '<camunda:taskListener class="org.example.L" event="create"/>'
                                '</bpmn:extensionElements></bpmn:userTask>', "heard"),
}


@pytest.mark.parametrize("element, named", NOT_EXECUTABLE_BY_THE_ENGINE.values(), ids=NOT_EXECUTABLE_BY_THE_ENGINE)
def test_an_element_the_engine_cannot_run_is_refused_naming_it(driver, db, element, named):
    problems = refused(db, chain("strange", user_task("review", "审核"), extra=element))
    assert (named, "unsupported") in [(p.element, p.rule) for p in problems]


def test_a_conversation_is_refused_naming_it(driver, db):
    conversation = ('<bpmn:collaboration id="talk"><bpmn:participant id="pool" name="区推进办" processRef="talking"/>'
                    '<bpmn:conversation id="chat" name="沟通"/></bpmn:collaboration>')
    problems = refused(db, chain("talking", user_task("review", "审核"), top=conversation))
    assert ("chat", "unsupported") in [(p.element, p.rule) for p in problems]


def test_a_lane_the_router_does_not_know_is_a_warning_with_the_lanes_id_not_a_refusal(driver, db):
    checked = deployment.check_diagram(db, review(lane="隔壁区推进办"), source="upload.bpmn")
    warnings = [(p.element, p.rule) for p in checked.warnings if p.rule == "role"]
    assert checked.problems == [] and warnings == [("lane_office_review", "role")]
    assert "隔壁区推进办" in checked.warnings[0].message


def test_an_unsafe_script_is_refused_naming_the_script_task(driver, db):
    problems = refused(db, chain("unsafe", script("steal", "import os\nresult = os.listdir('/')")))
    assert [(p.element, p.rule) for p in problems] == [("steal", "sandbox")]
    assert "import" in problems[0].message


def test_an_unnamed_task_is_a_bpmnlint_warning_with_the_rule_not_a_refusal(driver, db):
    checked = deployment.check_diagram(db, chain("unnamed", '<bpmn:userTask id="nameless"/>'), source="upload.bpmn")
    assert checked.problems == []
    [warning] = [p for p in checked.warnings if p.rule == "bpmnlint:label-required"]
    assert warning.element == "nameless" and "元素缺少名称" in warning.message


def test_a_process_without_a_start_event_is_refused_with_bpmnlints_rule(driver, db):
    xml = (HEADER.format(key="startless") + '<bpmn:process id="startless" isExecutable="true">'
           '<bpmn:userTask id="alone" name="独自"/><bpmn:endEvent id="end" name="结束"/>'
           '<bpmn:sequenceFlow id="f" sourceRef="alone" targetRef="end"/></bpmn:process></bpmn:definitions>')
    problems = refused(db, xml.encode())
    assert "bpmnlint:start-event-required" in [p.rule for p in problems]


@pytest.mark.parametrize("document, message", [
    (b"this is not xml", "XML"),
    (b"<html><body>hello</body></html>", "bpmn:definitions"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]>'
     + HEADER.format(key="d").split("?>", 1)[1].encode() + b"</bpmn:definitions>", "DTD"),
    (b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->", "5 MB"),
], ids=["not XML", "not BPMN", "a DTD with an entity", "over 5 MB"])
def test_a_file_that_is_not_a_safe_bpmn_document_is_refused(driver, db, document, message):
    [problem] = refused(db, document)
    assert problem.rule == "xml" and message in problem.message


def test_a_running_instance_keeps_its_version_and_new_instances_take_the_new_one(driver, db):
    deploy(db, review())
    running = driver.engine.start_instance("office_review")
    db.commit()
    deploy(db, review("office_review", ("review", "审核"), ("sign_off", "签发")))
    newer = driver.engine.start_instance("office_review")
    db.commit()

    assert (running.row.definition.version, newer.row.definition.version) == (1, 2)
    driver.complete(driver.task(instance_id=running.id), {})
    assert db.get(ProcessInstance, running.id).status == "completed"  # no 签发 in version 1
    assert [row.instance.id for row in deployment.instances_on_older_versions(db)] == []


def test_the_office_migrates_a_running_instance_to_the_newest_version(driver, db):
    deploy(db, review())
    instance = driver.engine.start_instance("office_review")
    db.commit()
    task_id = driver.task(instance_id=instance.id).id
    deploy(db, review("office_review", ("review", "审核（新）"), ("sign_off", "签发")))
    assert [(o.instance.id, o.newest.version) for o in deployment.instances_on_older_versions(db)] == [(instance.id, 2)]

    migrated = deployment.migrate_instance(db, instance.id, actor="office")
    db.commit()

    assert migrated.definition.version == 2
    task = driver.task(instance_id=instance.id)
    assert (task.id, task.name) == (task_id, "审核（新）")
    assert ("migrated", None) in driver.history_kinds(instance.id)
    assert driver.engine.history(instance.id)[-1].data == {"from_version": 1, "to_version": 2}
    driver.complete(task, {})
    assert driver.task(instance_id=instance.id).name == "签发"  # the new version's path


def test_a_projects_lifecycle_with_its_called_processes_migrates_and_goes_on(db):
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    lifecycle = driver.instance("2017-02")
    renamed = (BPMN_DIR / "project_lifecycle.bpmn").read_bytes().replace(
        "项目全年推进".encode(), "项目全年推进（修订）".encode(), 1)
    deploy(db, renamed, "project_lifecycle.bpmn")
    open_tasks = [(t.id, t.name) for t in driver.tasks(business_key="2017-02")]

    assert deployment.migrate_instance(db, lifecycle.id, actor="office").definition.version == 2
    db.commit()

    assert [(t.id, t.name) for t in driver.tasks(business_key="2017-02")] == open_tasks
    driver.complete(driver.task(business_key="2017-02", name="汇总填报季度报告"), REPORT)
    assert "审核季度报告" in [t.name for t in driver.tasks(business_key="2017-02")]


def test_a_migration_is_refused_when_the_waiting_task_is_not_in_the_newest_version(driver, db):
    deploy(db, review())
    instance = driver.engine.start_instance("office_review")
    db.commit()
    deploy(db, review("office_review", ("approve", "批准")))

    with pytest.raises(MigrationRefused, match="review"):
        deployment.migrate_instance(db, instance.id, actor="office")
    db.rollback()

    assert db.get(ProcessInstance, instance.id).definition.version == 1
    assert db.scalars(select(HumanTask.state).where(HumanTask.instance_id == instance.id)).all() == ["ready"]


def test_an_instance_on_the_newest_version_has_nothing_to_migrate_to(driver, db):
    deploy(db, review())
    instance = driver.engine.start_instance("office_review")
    db.commit()
    with pytest.raises(MigrationRefused, match="版本 1"):
        deployment.migrate_instance(db, instance.id, actor="office")


def test_the_editor_keeps_one_draft_per_process_until_it_is_discarded(driver, db):
    deployment.save_draft(db, "office_review", review(lane="尚未确定"), saved_by="office")
    draft = deployment.save_draft(db, "office_review", review(), saved_by="admin")
    db.commit()

    assert (draft.saved_by, draft.saved_at) == ("admin", datetime(2017, 6, 8, 1, 0))
    assert deployment.get_draft(db, "office_review").bpmn_xml.startswith("<?xml")
    deployment.discard_draft(db, "office_review")
    db.commit()
    assert deployment.get_draft(db, "office_review") is None


def test_the_command_line_deploys_a_file_and_lists_its_versions(driver, runner, tmp_path):
    path = tmp_path / "office_review.bpmn"
    path.write_bytes(review(executable="false"))

    deployed = runner.invoke(args=["bpmn", "deploy", str(path), "--by", "office"])
    listed = runner.invoke(args=["bpmn", "list"])

    assert deployed.exit_code == 0, deployed.output
    assert "已部署 office_review 版本 1" in deployed.output and "已设为可执行" in deployed.output
    assert "office_review" in listed.output and "v1" in listed.output and "office" in listed.output


def test_the_command_line_refuses_a_bad_file_naming_the_element_and_stores_nothing(driver, db, runner, tmp_path):
    path = tmp_path / "unsafe.bpmn"
    path.write_bytes(chain("unsafe", script("steal", "import os")))

    result = runner.invoke(args=["bpmn", "deploy", str(path)])

    assert result.exit_code != 0 and "steal" in result.output and "未部署" in result.output
    assert deployment.count_definitions(db) == 0


def test_the_command_line_checks_the_products_diagram_without_deploying(driver, db, runner):
    result = runner.invoke(args=["bpmn", "check", str(Path(BPMN_DIR) / "supervision.bpmn")])
    assert result.exit_code == 0 and "可以部署" in result.output
    assert deployment.count_definitions(db) == 0


def test_a_diagram_saved_in_gb18030_is_stored_as_utf8(driver, db):
    text = review().decode("utf-8").replace("encoding='UTF-8'", "encoding='GB18030'", 1)
    assert "GB18030" in text
    [definition], _ = deploy(db, text.encode("gb18030"))
    assert definition.version == 1 and "审核" in definition.bpmn_xml


def test_a_camunda_modeler_file_with_its_exporter_attributes_and_flow_references_deploys(driver, db):
    modeler = review(executable="false").replace(
        b'targetNamespace="http://bpmn.io/schema/bpmn"',
        b'targetNamespace="http://bpmn.io/schema/bpmn" exporter="Camunda Modeler" exporterVersion="5.16.0" '
        b'xmlns:modeler="http://camunda.org/schema/modeler/1.0" modeler:executionPlatform="Camunda Platform" '
        b'modeler:executionPlatformVersion="7.20.0"', 1).replace(
        '<bpmn:userTask id="review" name="审核"/>'.encode(),
        '<bpmn:userTask id="review" name="审核" camunda:candidateGroups="office">'
        '<bpmn:incoming>flow_0</bpmn:incoming><bpmn:outgoing>flow_1</bpmn:outgoing></bpmn:userTask>'.encode())
    assert b"Camunda Modeler" in modeler and b"<bpmn:incoming>" in modeler

    [definition], notes = deploy(db, modeler, "office_review.bpmn")

    assert definition.version == 1 and len(notes) == 1
