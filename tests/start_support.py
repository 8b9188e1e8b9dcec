"""API calls as named users for the tests of starting any process, assignment and the instances' pages."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from engine.layout import add_layout
from tests.web_support import ensure_user
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory
from workflows.plan import loading as plans
from workflows.runtime import process_engine

DIAGRAMS = Path(__file__).resolve().parent / "diagrams" / "camunda"
XML = {"Content-Type": "application/xml"}
# username → (unit, role)
USERS = {"office": ("tuijinban", "office"), "admin": ("tuijinban", "admin"), "auditor": ("tuijinban", "auditor"),
         "supervisor": ("duchake", "supervisor"), "caoyang": ("caoyang", "unit"), "minzhengju": ("minzhengju", "unit"),
         "zuzhibu": ("zuzhibu", "unit")}


def office_street_and_department(db) -> None:
    """The directory and the 2017 plan, the clock at 2017-06-08 09:00, and the accounts office (区推进办), caoyang
    (曹杨新村街道) and minzhengju (区民政局): who designs, starts and does a new process in the browser tests."""
    directory.load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    for username, unit, role in (("office", "tuijinban", "office"), ("caoyang", "caoyang", "unit"),
                                 ("minzhengju", "minzhengju", "unit")):
        ensure_user(db, username, unit, role)
    db.commit()


def diagram(name: str) -> bytes:
    """A test diagram of tests/diagrams/camunda, laid out (BPMN DI added) when it has none."""
    xml = (DIAGRAMS / f"{name}.bpmn").read_bytes()
    return xml if b"BPMNDiagram" in xml else add_layout(xml)


@pytest.fixture
def call(app, db):
    """``call(username, method, path, **request options)`` with that user's Bearer token; the plan is loaded."""
    directory.load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    tokens = {name: issue_token(db, ensure_user(db, name, unit, role), datetime.utcnow())
              for name, (unit, role) in USERS.items()}
    db.commit()
    client = app.test_client()

    def request(username, method, path, *, headers=None, **options):
        response = client.open(path, method=method, headers={"Authorization": f"Bearer {tokens[username]}",
                                                            **(headers or {})}, **options)
        db.expire_all()
        return response

    return request


def deploy(call, name: str) -> dict:
    response = call("office", "POST", "/api/process-definitions", data=diagram(name), headers=XML)
    assert response.status_code == 201, response.json
    return response.json


def open_tasks(call, instance_id: int) -> list[dict]:
    return call("office", "GET", f"/api/process-instances/{instance_id}").json["open_tasks"]


def complete(call, username: str, task: dict, data: dict | None = None) -> dict:
    response = call(username, "POST", f"/api/tasks/{task['id']}/complete", json=data or {})
    assert response.status_code == 200, response.json
    return response.json
