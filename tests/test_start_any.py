"""Starting any deployed process: who may (candidateStarterGroups/Users), the start form, the business key,
the initiator, the project link, one instance per form token, and 我发起的."""
from __future__ import annotations

from tests.start_support import call, complete, deploy, open_tasks  # noqa: F401
from workflows.runtime import process_engine

START = {"process_key": "relief_request", "data": {"subject": "张某家庭临时救助", "amount": 3000, "project": "2017-05"}}


def test_a_unit_named_in_candidate_starter_groups_starts_the_process_with_its_form(call):
    deploy(call, "starter_form")

    response = call("caoyang", "POST", "/api/process-instances", json=START)

    assert response.status_code == 201, response.json
    started = response.json
    assert started["process_key"] == "relief_request" and started["business_key"] == "relief_request-20170608-001"
    assert [task["name"] for task in started["open_tasks"]] == ["审核救助申请"]


def test_the_initiator_variable_holds_the_starting_user_and_unit(call, db):
    deploy(call, "starter_form")
    instance_id = call("caoyang", "POST", "/api/process-instances", json=START).json["id"]

    data = process_engine(db).get_instance(instance_id).ready_human_tasks()[0].data

    assert (data["applicant"], data["applicant_unit"], data["project"]) == ("caoyang", "caoyang", "2017-05")


def test_a_unit_or_role_not_named_in_the_starters_gets_403_and_an_auditor_too(call):
    deploy(call, "starter_form")

    for username in ("zuzhibu", "supervisor", "auditor"):
        response = call(username, "POST", "/api/process-instances", json=START)
        assert response.status_code == 403, (username, response.json)


def test_a_unit_named_by_its_chinese_name_may_start_and_the_office_may_not_unless_listed(call):
    deploy(call, "starter_form")

    assert call("minzhengju", "POST", "/api/process-instances", json=START).status_code == 201
    assert call("office", "POST", "/api/process-instances", json=START).status_code == 403
    assert call("admin", "POST", "/api/process-instances", json=START).status_code == 201


def test_a_process_without_starters_is_for_the_office_and_the_administrator(call):
    deploy(call, "assignment")
    body = {"process_key": "assignment_rules", "data": {"handler": "minzhengju"}}

    assert call("office", "POST", "/api/process-instances", json=body).status_code == 201
    assert call("caoyang", "POST", "/api/process-instances", json=body).status_code == 403


def test_the_start_form_is_checked_field_by_field_with_422_and_nothing_starts(call):
    deploy(call, "starter_form")
    body = {"process_key": "relief_request", "data": {"amount": 0, "project": "2099-01", "colour": "红"}}

    response = call("caoyang", "POST", "/api/process-instances", json=body)

    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"subject", "amount", "colour"}
    assert "救助事由" in errors["subject"] and "不能小于 1" in errors["amount"]
    assert call("office", "GET", "/api/process-instances?process=relief_request").json == []


def test_a_project_field_must_name_a_plan_project(call):
    deploy(call, "starter_form")
    body = {"process_key": "relief_request", "data": {"subject": "救助", "project": "2099-01"}}

    response = call("caoyang", "POST", "/api/process-instances", json=body)

    assert response.status_code == 422 and "项目编号" in response.json["errors"]["project"]


def test_a_given_business_key_is_kept_and_made_keys_count_up(call):
    deploy(call, "starter_form")

    given = call("caoyang", "POST", "/api/process-instances", json=START | {"business_key": "救助-001"}).json
    made = [call("caoyang", "POST", "/api/process-instances", json=START).json["business_key"] for _ in range(2)]

    assert given["business_key"] == "救助-001"
    assert made == ["relief_request-20170608-001", "relief_request-20170608-002"]


def test_an_unknown_process_key_is_422_naming_the_field(call):
    response = call("office", "POST", "/api/process-instances", json={"process_key": "no_such_process"})

    assert response.status_code == 422 and "no_such_process" in response.json["errors"]["process_key"]


def test_the_same_idempotency_key_twice_starts_one_instance(call):
    deploy(call, "starter_form")
    headers = {"Idempotency-Key": "form-7f3a"}

    first = call("caoyang", "POST", "/api/process-instances", json=START, headers=headers)
    second = call("caoyang", "POST", "/api/process-instances", json=START, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json["id"] == second.json["id"]
    assert len(call("office", "GET", "/api/process-instances?process=relief_request").json) == 1


def test_startable_lists_what_the_caller_may_start_with_documentation_and_form(call):
    deploy(call, "starter_form")
    deploy(call, "assignment")

    for_street = call("caoyang", "GET", "/api/process-definitions?startable=true").json
    for_office = call("office", "GET", "/api/process-definitions?startable=true").json

    assert [d["key"] for d in for_street] == ["relief_request"]
    assert for_street[0]["documentation"].startswith("街镇为困难群众申请临时救助")
    assert [f["id"] for f in for_street[0]["form"]] == ["subject", "amount", "project"]
    assert [d["key"] for d in for_office] == ["assignment_rules"]


def test_started_by_me_lists_what_i_started_with_its_current_step_until_it_ends(call):
    deploy(call, "starter_form")
    call("office", "PUT", "/api/process-definitions/relief_request/roles", json={"经办人": "区民政局"})
    instance_id = call("caoyang", "POST", "/api/process-instances", json=START).json["id"]

    mine = call("caoyang", "GET", "/api/process-instances?started_by=me").json
    complete(call, "minzhengju", open_tasks(call, instance_id)[0], {"approved": True})
    after = call("caoyang", "GET", "/api/process-instances?started_by=me").json

    assert [(row["id"], row["current_step"]) for row in mine] == [(instance_id, "审核救助申请")]
    assert [(row["status"], row["current_step"]) for row in after] == [("completed", "已结束")]
    assert call("minzhengju", "GET", "/api/process-instances?started_by=me").json == []


def test_units_may_not_list_every_instance(call):
    assert call("caoyang", "GET", "/api/process-instances").status_code == 403
    assert call("auditor", "GET", "/api/process-instances").status_code == 200


def test_the_openapi_document_describes_the_new_endpoints(call):
    paths = call("office", "GET", "/api/openapi.json").json["paths"]

    assert {"get", "post"} <= set(paths["/api/process-instances"])
    assert {"/api/process-instances/{instance_id}/cancel", "/api/process-definitions/{key}/roles"} <= set(paths)
