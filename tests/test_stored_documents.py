"""Stored documents are never something a browser runs (issue 14 §3): a draft must pass the safe BPMN reader
before it is stored, and every stored diagram, draft and attachment is served as plain text or as a download, with
``nosniff`` and a sandboxing Content-Security-Policy."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.process_support import Driver, start_projects
from tests.web_support import csrf_token, db, login_as, text  # noqa: F401
from workflows.processes.models import ProcessDraft
from workflows.runtime import process_engine

DIAGRAM = (Path(__file__).resolve().parent / "diagrams" / "street_inspection.bpmn").read_text(encoding="utf-8")
XHTML_SCRIPT = ('<h:script xmlns:h="http://www.w3.org/1999/xhtml">'
                'document.title = "pwned"; fetch("/admin/users", {method: "POST"});</h:script>')
# Well-formed BPMN that carries an XHTML script in an extension element: the reader accepts it, so only the way
# it is served keeps it from running.
PROCESS_START = '<bpmn:process id="street_inspection" name="街面巡查" isExecutable="false">'
SCRIPT_IN_EXTENSION = DIAGRAM.replace(
    PROCESS_START, PROCESS_START + "<bpmn:extensionElements>" + XHTML_SCRIPT + "</bpmn:extensionElements>", 1)
SANDBOX = "default-src 'none'; sandbox"


@pytest.fixture
def office(db, login_as):
    """The plan, the diagrams and project 5 started; 街面巡查 version 1 deployed; the office signed in."""
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 5)
    process_engine(db).deploy(DIAGRAM.replace('isExecutable="false"', 'isExecutable="true"'), deployed_by="office")
    db.commit()
    return login_as("office", unit="tuijinban", role="office")


def save_draft(client, xml: str, key: str = "street_inspection"):
    token = csrf_token(client.get("/editor"))
    return client.post(f"/editor/{key}/draft", json={"xml": xml}, headers={"X-CSRFToken": token})


def drafts(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(ProcessDraft))


def assert_inert(response) -> None:
    """Served so that no browser renders or runs it: text or a download, not sniffed, in a sandbox."""
    assert response.status_code == 200
    assert response.mimetype == "text/plain" or response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith(SANDBOX)


def test_the_issues_xhtml_script_draft_is_refused_with_422_and_nothing_is_stored(office, db):
    response = save_draft(office, XHTML_SCRIPT)

    assert response.status_code == 422
    assert "草稿 street_inspection" in response.json["message"] and "bpmn:definitions" in response.json["message"]
    assert drafts(db) == 0


@pytest.mark.parametrize("xml, words", [
    ("这不是 XML", "不是合法的 XML"),
    ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d>&e;</d>', "DTD"),
    ("<html><body><script>alert(1)</script></body></html>", "bpmn:definitions"),
], ids=["not XML", "a DTD", "an HTML page"])
def test_a_draft_the_safe_reader_refuses_answers_422_in_chinese_and_stores_nothing(office, db, xml, words):
    response = save_draft(office, xml)

    assert response.status_code == 422 and words in response.json["message"]
    assert drafts(db) == 0


def test_an_unfinished_bpmn_draft_is_still_stored(office, db):
    unfinished = DIAGRAM.replace('name="核查问题"', 'name="尚未完成的任务"').replace('sourceRef="', 'sourceRef="x')

    assert save_draft(office, unfinished).status_code == 200
    assert drafts(db) == 1


def test_a_draft_is_served_as_plain_text_in_a_sandbox(office):
    assert save_draft(office, SCRIPT_IN_EXTENSION).status_code == 200  # the reader takes extension elements

    response = office.get("/editor/street_inspection/draft")

    assert_inert(response)
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "h:script" in text(response)  # the editor still reads the whole document


def test_a_deployed_version_is_a_download_in_a_sandbox(office):
    response = office.get("/editor/street_inspection/versions/1.bpmn")

    assert_inert(response)
    assert response.headers["Content-Disposition"] == 'attachment; filename="street_inspection-v1.bpmn"'


def test_a_projects_diagram_is_served_as_plain_text_in_a_sandbox(office):
    response = office.get("/projects/5/diagram.xml")

    assert_inert(response)
    assert response.mimetype == "text/plain" and 'id="project_lifecycle"' in text(response)


def test_an_uploaded_text_file_holding_a_script_is_a_download_in_a_sandbox(office, db, login_as):
    task = Driver(db).tasks(business_key="2017-05")[0]
    client = login_as(task.assigned_unit, unit=task.assigned_unit)
    token = csrf_token(client.get(f"/tasks/{task.id}"))
    client.post(f"/tasks/{task.id}/attachments", content_type="multipart/form-data",
                data={"csrf_token": token, "file": (io.BytesIO(b"<script>alert(1)</script>"), "page.txt")})
    page = text(client.get(f"/tasks/{task.id}"))
    attachment_url = page[page.index('href="/attachments/') + 6:].split('"')[0]

    assert_inert(client.get(attachment_url))
