"""Deploying the message, signal and timer-start diagrams of tests/diagrams/events through the API, and starting
and reading their instances, for the tests of engine/delivery.py and engine/timer_starts.py."""
from __future__ import annotations

from pathlib import Path

from engine.layout import add_layout
from tests.start_support import XML

EVENTS = Path(__file__).resolve().parent / "diagrams" / "events"


def deploy_events(call, *names: str) -> None:
    """Deploy each diagram as the office (laid out: they are written without DI)."""
    for name in names:
        response = call("office", "POST", "/api/process-definitions",
                        data=add_layout((EVENTS / f"{name}.bpmn").read_bytes()), headers=XML)
        assert response.status_code == 201, response.json


def start(call, key: str, business_key: str | None = None, data: dict | None = None) -> int:
    response = call("office", "POST", "/api/process-instances",
                    json={"process_key": key, "business_key": business_key, "data": data or {}})
    assert response.status_code == 201, response.json
    return response.json["id"]


def instance(call, instance_id: int) -> dict:
    return call("office", "GET", f"/api/process-instances/{instance_id}").json


def status(call, instance_id: int) -> str:
    return instance(call, instance_id)["status"]


def task_names(call, instance_id: int) -> list[str]:
    return [task["name"] for task in instance(call, instance_id)["open_tasks"]]
