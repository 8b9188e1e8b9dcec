"""The rest of issue 15 §3, a small diagram each, deployed and run through the API: an exclusive gateway where no
condition holds becomes an incident naming it; link events run; compensation is refused naming the element; a
collapsed sub-process whose content has no shapes (partial DI) is laid out."""
from __future__ import annotations

from pathlib import Path

from tests.event_support import instance, start, status, task_names
from tests.start_support import XML, call, complete  # noqa: F401

CONSTRUCTS = Path(__file__).resolve().parent / "diagrams" / "constructs"


def _deploy(call, name: str):
    return call("office", "POST", "/api/process-definitions", data=(CONSTRUCTS / f"{name}.bpmn").read_bytes(),
                headers=XML)


def test_an_exclusive_gateway_where_no_condition_holds_is_an_incident_naming_the_gateway(call, runner):
    assert _deploy(call, "gateway_no_match").status_code == 201
    instance_id = start(call, "amount_check", data={"amount": 500})
    runner.invoke(args=["clock", "advance", "2h"])

    result = runner.invoke(args=["worker", "--once"])

    assert "失败 1 个" in result.output
    incident = instance(call, instance_id)["incident"]
    assert status(call, instance_id) == "error" and incident["element"] == "how_much"
    assert "金额多少" in incident["message"] and "条件都不成立" in incident["message"]
    assert "Exception" not in incident["message"]


def test_link_events_continue_at_the_catch_of_the_same_name(call):
    assert _deploy(call, "link_events").status_code == 201
    instance_id = start(call, "linked")

    complete(call, "office", instance(call, instance_id)["open_tasks"][0])
    assert task_names(call, instance_id) == ["审核"]
    complete(call, "office", instance(call, instance_id)["open_tasks"][0])

    assert status(call, instance_id) == "completed"


def test_a_link_throw_without_its_catch_is_refused_naming_it(call):
    xml = (CONSTRUCTS / "link_events.bpmn").read_bytes().replace('name="审核"/>'.encode(), 'name="别处"/>'.encode(), 1)

    response = call("office", "POST", "/api/process-definitions", data=xml, headers=XML)

    assert response.status_code == 422
    assert any(problem["element"] == "go_review" and "别处" in problem["message"]
               for problem in response.json["problems"])


def test_compensation_is_refused_naming_each_element(call):
    response = _deploy(call, "compensation")

    assert response.status_code == 422
    refused = {problem["element"] for problem in response.json["problems"] if "补偿" in problem["message"]}
    assert refused == {"on_undo", "undo", "cancel_booking"}


def test_a_collapsed_sub_process_without_shapes_is_laid_out_and_runs(call):
    response = _deploy(call, "collapsed_subprocess")

    assert response.status_code == 201, response.json
    assert any("inner" in note and "已自动布局" in note for note in response.json["notes"])
    assert not any(warning["rule"] == "bpmnlint:no-bpmndi" for warning in response.json["warnings"])
    xml = call("office", "GET", "/api/process-definitions/collapsed/1/xml").get_data(as_text=True)
    assert 'bpmnElement="inner_task"' in xml
    instance_id = start(call, "collapsed")
    complete(call, "office", instance(call, instance_id)["open_tasks"][0])
    assert status(call, instance_id) == "completed"
