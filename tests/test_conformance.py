"""What Camunda Modeler and bpmn.io save is accepted (issue 15 §3): each diagram here was written for its test,
deployed through the API and run to its end through API calls."""
from __future__ import annotations

from pathlib import Path

from engine.layout import add_layout
from tests.start_support import XML, call, complete, open_tasks  # noqa: F401
from workflows.runtime import process_engine

DIAGRAMS = Path(__file__).resolve().parent / "diagrams" / "conformance"


def deploy(call, name: str):
    xml = (DIAGRAMS / f"{name}.bpmn").read_bytes()
    return call("office", "POST", "/api/process-definitions", data=xml if b"BPMNDiagram" in xml else add_layout(xml),
                headers=XML)


def start(call, key: str) -> dict:
    response = call("admin", "POST", "/api/process-instances", json={"process_key": key})
    assert response.status_code == 201, response.json
    return response.json


def status(call, instance_id: int) -> str:
    return call("office", "GET", f"/api/process-instances/{instance_id}").json["status"]


def test_service_and_send_tasks_without_implementation_and_an_empty_subprocess_pass_through_with_a_note(call):
    deployed = deploy(call, "passthrough")
    assert deployed.status_code == 201, deployed.json
    assert any("call_system" in note and "直通" in note for note in deployed.json["notes"])
    assert any("send_notice" in note and "直通" in note for note in deployed.json["notes"])
    assert any("collapsed" in note and "直通" in note for note in deployed.json["notes"])

    started = start(call, "conformance_passthrough")
    assert [task["name"] for task in started["open_tasks"]] == ["审核"]
    complete(call, "office", open_tasks(call, started["id"])[0])

    assert status(call, started["id"]) == "completed"


def test_unnamed_start_and_end_events_are_warnings_naming_the_element_not_refusals(call):
    deployed = deploy(call, "passthrough")

    warned = {(w["element"], w["rule"]) for w in deployed.json["warnings"]}
    assert {("StartEvent_1", "bpmnlint:label-required"), ("EndEvent_1", "bpmnlint:label-required")} <= warned


def test_a_service_task_with_a_java_class_is_refused_naming_the_element(call):
    xml = (DIAGRAMS / "passthrough.bpmn").read_bytes().replace(
        b'<bpmn:serviceTask id="call_system" name="', b'<bpmn:serviceTask id="call_system" camunda:class="a.B" name="')
    refused = call("office", "POST", "/api/process-definitions", data=add_layout(xml), headers=XML)

    assert refused.status_code == 422
    assert [(p["element"], p["rule"]) for p in refused.json["problems"]] == [("call_system", "unsupported")]


def test_a_receive_task_with_a_message_starts_and_waits_without_a_server_error(call):
    assert deploy(call, "message_task").status_code == 201

    started = start(call, "conformance_message_task")

    assert status(call, started["id"]) == "running" and started["open_tasks"] == []


def test_a_task_with_two_unconditional_outgoing_flows_splits_in_parallel(call):
    assert deploy(call, "implicit_split").status_code == 201
    started = start(call, "conformance_split")
    complete(call, "office", open_tasks(call, started["id"])[0])

    assert sorted(task["name"] for task in open_tasks(call, started["id"])) == ["核查乙", "核查甲"]
    for task in open_tasks(call, started["id"]):
        complete(call, "office", task)
    assert status(call, started["id"]) == "completed"


def ended_at(call, db, data: dict) -> list[str]:
    """The end events an instance of conformance_el reached after its form was completed with ``data``."""
    started = start(call, "conformance_el")
    complete(call, "office", open_tasks(call, started["id"])[0], data)
    assert status(call, started["id"]) == "completed"
    done, _ = process_engine(db).get_instance(started["id"]).element_states()
    return sorted(element for element in done if element.startswith("end_"))


def test_camunda_conditions_approved_amount_and_decision_are_understood(call, db):
    assert deploy(call, "el_conditions").status_code == 201

    assert ended_at(call, db, {"approved": False, "amount": 5000, "decision": "yes"}) == ["end_rejected"]
    assert ended_at(call, db, {"approved": True, "amount": 500, "decision": "yes"}) == ["end_small"]
    assert ended_at(call, db, {"approved": True, "amount": 5000, "decision": "no"}) == ["end_no"]
    assert ended_at(call, db, {"approved": True, "amount": 5000, "decision": "yes"}) == ["end_yes"]


def test_a_groovy_script_is_refused_naming_the_element_and_saying_the_engine_runs_python(call):
    refused = deploy(call, "groovy_script")

    assert refused.status_code == 422
    [problem] = refused.json["problems"]
    assert (problem["element"], problem["rule"]) == ("compute", "unsupported")
    assert "groovy" in problem["message"] and "Python" in problem["message"] and "计算" in problem["message"]


def test_a_start_event_with_the_engines_reserved_id_start_is_refused_at_deploy_naming_it(call):
    refused = deploy(call, "reserved_id")

    assert refused.status_code == 422
    assert [(p["element"], p["rule"]) for p in refused.json["problems"]] == [("Start", "unsupported")]


def test_a_file_of_two_processes_deploys_both_and_later_deployments_still_work(call):
    deployed = deploy(call, "two_processes")
    assert deployed.status_code == 201, deployed.json
    assert sorted(d["key"] for d in deployed.json["definitions"]) == ["conformance_main", "conformance_sub"]

    assert deploy(call, "implicit_split").status_code == 201, "a later deployment is refused"
    assert deploy(call, "two_processes").status_code == 201, "the same file again is refused"

    started = start(call, "conformance_main")
    [task] = open_tasks(call, started["id"])
    assert task["name"] == "核查"
    complete(call, "office", task)
    assert status(call, started["id"]) == "completed"


def test_a_diagram_without_drawing_is_laid_out_at_deploy_with_a_note(call):
    xml = (DIAGRAMS / "implicit_split.bpmn").read_bytes()
    deployed = call("office", "POST", "/api/process-definitions", data=xml, headers=XML)

    assert deployed.status_code == 201, deployed.json
    assert any("已自动布局" in note for note in deployed.json["notes"])
    stored = call("office", "GET", "/api/process-definitions/conformance_split/1/xml").get_data()
    assert b"BPMNShape" in stored and b'bpmnElement="check_b"' in stored
