"""Tasks reach the right unit however the diagram says: camunda:assignee, candidateUsers, candidateGroups, lanes,
the office's mapping of unknown names (待分派 until then), dueDate and priority; formKey is a deploy warning."""
from __future__ import annotations

from engine import HumanTask
from tests.deployment_support import chain
from tests.start_support import call, complete, deploy, diagram, open_tasks  # noqa: F401
from workflows.directory.models import Unit

START = {"process_key": "assignment_rules", "data": {"handler": "区民政局", "deadline": "2017-06-30"}}


def test_unknown_group_names_and_a_form_key_deploy_with_a_warning_each(call):
    deployed = deploy(call, "assignment")

    warnings = [(w["element"], w["rule"]) for w in deployed["warnings"]
                if not w["rule"].startswith("bpmnlint") and w["rule"] != "form"]  # tasks without a form: elsewhere
    assert warnings == [("by_mapping", "role"), ("unmapped", "role"), ("unmapped", "formKey")]
    assert "Clerk" in deployed["warnings"][0]["message"]


def test_each_task_goes_where_its_attributes_say_and_an_unmapped_name_to_the_office_as_unassigned(call):
    deploy(call, "assignment")
    call("office", "PUT", "/api/process-definitions/assignment_rules/roles", json={"Clerk": "zuzhibu"})
    instance_id = call("office", "POST", "/api/process-instances", json=START).json["id"]
    seen = []
    for username in ("office", "caoyang", "minzhengju", "minzhengju", "zuzhibu", "office"):
        (task,) = open_tasks(call, instance_id)
        seen.append((task["name"], task["assigned_unit"], task["due_on"]))
        complete(call, username, task)

    assert seen == [("发起人确认", "tuijinban", "2017-06-11"), ("指定用户办理", "caoyang", "2017-07-01"),
                    ("候选组办理", "minzhengju", "2017-06-30"), ("按数据办理", "minzhengju", None),
                    ("经办", "zuzhibu", None), ("无人认领", None, None)]
    assert call("office", "GET", f"/api/process-instances/{instance_id}").json["status"] == "completed"


def test_priority_is_stored_from_a_number(call, db):
    deploy(call, "assignment")
    instance_id = call("office", "POST", "/api/process-instances", json=START).json["id"]

    (task,) = open_tasks(call, instance_id)

    assert db.get(HumanTask, task["id"]).priority == 80


def test_a_mapping_carries_over_to_the_next_version(call):
    deploy(call, "starter_form")
    call("office", "PUT", "/api/process-definitions/relief_request/roles", json={"经办人": "区民政局"})
    again = call("office", "POST", "/api/process-definitions",
                 data=diagram("starter_form").replace("审核救助申请".encode(), "复核救助申请".encode()),
                 headers={"Content-Type": "application/xml"}).json

    instance = call("caoyang", "POST", "/api/process-instances",
                    json={"process_key": "relief_request", "data": {"subject": "救助"}}).json

    assert again["version"] == 2 and [w for w in again["warnings"] if w["rule"] == "role"] == []
    assert [(t["name"], t["assigned_unit"]) for t in instance["open_tasks"]] == [("复核救助申请", "minzhengju")]


def test_roles_lists_each_name_with_its_mapping_and_refuses_unknown_names_and_units(call):
    deploy(call, "assignment")

    wrong = call("office", "PUT", "/api/process-definitions/assignment_rules/roles",
                 json={"Clerk": "火星局", "Nobody": "zuzhibu"})
    by_unit = call("caoyang", "PUT", "/api/process-definitions/assignment_rules/roles", json={"Clerk": "zuzhibu"})
    call("office", "PUT", "/api/process-definitions/assignment_rules/roles", json={"Manager": "区委组织部"})
    listed = call("auditor", "GET", "/api/process-definitions/assignment_rules/roles").json

    assert wrong.status_code == 422 and set(wrong.json["errors"]) == {"Clerk", "Nobody"}
    assert by_unit.status_code == 403
    assert [(n["name"], n["unit"], n["known_as"]) for n in listed] == [
        ("区推进办", None, "区推进办"), ("minzhengju", None, "区民政局"), ("Clerk", None, None),
        ("Manager", "zuzhibu", None)]



def test_a_group_of_one_unit_and_the_supervisor_role_resolve_and_the_unit_role_lets_every_unit_start(call, db):
    solo = Unit(code="solo_group", name="单成员组", kind="group")
    solo.members = [db.get(Unit, "minzhengju")]
    db.add(solo)
    db.commit()
    diagram_xml = chain("group_routes", '<bpmn:userTask id="by_solo" name="组内办理" camunda:candidateGroups="单成员组"/>',
                        '<bpmn:userTask id="by_role" name="督查" camunda:candidateGroups="supervisor"/>')
    diagram_xml = diagram_xml.replace(b'isExecutable="true"',
                                      b'isExecutable="true" camunda:candidateStarterGroups="unit"')
    assert call("office", "POST", "/api/process-definitions", data=diagram_xml,
                headers={"Content-Type": "application/xml"}).status_code == 201

    started = call("zuzhibu", "POST", "/api/process-instances", json={"process_key": "group_routes"})
    (first,) = started.json["open_tasks"]
    complete(call, "minzhengju", first)
    (second,) = open_tasks(call, started.json["id"])

    assert started.status_code == 201 and first["assigned_unit"] == "minzhengju"
    assert second["assigned_unit"] == "duchake"
    assert call("office", "POST", "/api/process-instances", json={"process_key": "group_routes"}).status_code == 403
