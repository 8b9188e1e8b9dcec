"""The instances API: every instance filtered for the overseers, and the office cancelling one with a reason."""
from __future__ import annotations

from tests.start_support import call, deploy  # noqa: F401

START = {"process_key": "relief_request", "data": {"subject": "救助", "project": "2017-05"}}


def started(call, **extra) -> int:
    return call("caoyang", "POST", "/api/process-instances", json=START | extra).json["id"]


def test_overseers_filter_instances_by_process_version_status_starter_business_key_and_project(call):
    deploy(call, "starter_form")
    first, second = started(call, business_key="救助-甲"), started(call, business_key="救助-乙")

    def ids(query: str) -> list[int]:
        response = call("auditor", "GET", f"/api/process-instances?{query}")
        assert response.status_code == 200, response.json
        return [row["id"] for row in response.json]

    assert ids("process=relief_request") == [second, first]
    assert ids("process=relief_request&version=2") == []
    assert ids("business_key=乙") == [second]
    assert ids("started_by=caoyang&status=running&project=2017-05") == [second, first]
    assert ids("project=2017-06") == []
    assert call("office", "GET", "/api/process-instances?version=x").status_code == 400
    assert call("office", "GET", "/api/process-instances?status=asleep").status_code == 400


def test_the_office_cancels_with_a_reason_and_the_open_task_closes(call):
    deploy(call, "starter_form")
    instance_id = started(call)
    url = f"/api/process-instances/{instance_id}/cancel"

    without = call("office", "POST", url, json={"reason": "  "})
    by_supervisor = call("supervisor", "POST", url, json={"reason": "重复"})
    cancelled = call("office", "POST", url, json={"reason": "重复申请"})
    again = call("office", "POST", url, json={"reason": "重复申请"})

    assert without.status_code == 422 and "理由" in without.json["errors"]["reason"]
    assert by_supervisor.status_code == 403
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["open_tasks"] == []
    assert again.status_code == 409
    history = call("office", "GET", f"/api/process-instances/{instance_id}").json["history"]
    assert {"kind": "cancelled", "actor": "office"}.items() <= history[-1].items()
    assert history[-1]["data"]["reason"] == "重复申请"
