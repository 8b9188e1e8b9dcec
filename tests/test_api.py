"""The JSON API with Bearer tokens: every endpoint, and its 401, 403/404, 409 and 422 answers."""
from __future__ import annotations

from datetime import datetime

import pytest

from tests.process_support import Driver, start_projects
from tests.web_support import db, ensure_user  # noqa: F401
from workflows.accounts.tokens import issue_token

REPORT = {"progress": "已召开联席会议两次", "percent": 40, "status": "on_track", "next_step": "submit"}


@pytest.fixture
def driver(db) -> Driver:  # noqa: F811
    driver = Driver(db)
    driver.load_plan_and_diagrams()
    start_projects(driver, 2)
    return driver


@pytest.fixture
def call(app, driver):
    """``call(username, method, path, json=None)``: a request with that user's token (user made if needed)."""
    client, issued = app.test_client(), {}

    def request(username, method, path, json=None, *, unit=None, role="unit"):
        if username not in issued:
            user = ensure_user(driver.session, username, unit or username, role)
            issued[username] = issue_token(driver.session, user, datetime.utcnow())
            driver.session.commit()
        headers = {"Authorization": f"Bearer {issued[username]}"}
        response = client.open(path, method=method, json=json, headers=headers)
        driver.session.expire_all()
        return response

    return request


def report_id(driver) -> int:
    return driver.task(business_key="2017-02", name="汇总填报季度报告").id


def test_requests_without_a_valid_token_are_refused_with_401(client, driver):
    for headers in ({}, {"Authorization": "Bearer ptk_wrong"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/tasks", headers=headers)
        assert response.status_code == 401 and "令牌" in response.json["error"]


def test_the_openapi_document_lists_every_endpoint(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"/api/projects", "/api/projects/{number}", "/api/tasks", "/api/tasks/{task_id}",
            "/api/tasks/{task_id}/claim", "/api/tasks/{task_id}/release", "/api/tasks/{task_id}/complete",
            "/api/process-instances", "/api/process-instances/{instance_id}", "/api/decision-definitions",
            "/api/decision-definitions/{key}/{version}/xml"} <= set(paths)


def test_projects_are_listed_and_one_is_found_by_number(call):
    projects = call("zuzhibu", "GET", "/api/projects").json
    assert len(projects) == 55 and projects[1]["lead_units"][0]["code"] == "zuzhibu"
    assert call("zuzhibu", "GET", "/api/projects/5").json["due_on"] == "2017-05-31"
    assert call("zuzhibu", "GET", "/api/projects/99").status_code == 404


def test_a_unit_lists_and_reads_its_own_tasks_and_another_unit_gets_404(call, driver):
    listed = call("zuzhibu", "GET", "/api/tasks").json
    assert [t["name"] for t in listed["items"]] == ["汇总填报季度报告", "提交办结报告"]
    assert listed["items"][0]["working_days_left"] == 7
    task = call("zuzhibu", "GET", f"/api/tasks/{report_id(driver)}").json
    assert {f["id"] for f in task["form"]} >= {"progress", "percent", "status", "next_step"}
    assert call("minzhengju", "GET", f"/api/tasks/{report_id(driver)}").status_code == 404
    assert call("zuzhibu", "GET", "/api/tasks?per_page=0").status_code == 400


def test_claim_and_release_show_who_works_on_a_task_and_a_colleague_gets_409(call, driver):
    task_id = report_id(driver)
    assert call("zuzhibu", "POST", f"/api/tasks/{task_id}/claim").json["claimed_by"] == "zuzhibu"
    assert call("zzb2", "POST", f"/api/tasks/{task_id}/claim", unit="zuzhibu").status_code == 409
    assert call("zzb2", "POST", f"/api/tasks/{task_id}/complete", REPORT, unit="zuzhibu").status_code == 409
    assert call("zuzhibu", "POST", f"/api/tasks/{task_id}/release").json["claimed_by"] is None


def test_completing_a_task_answers_the_next_tasks_and_a_second_completion_gets_409(call, driver):
    task_id = report_id(driver)
    done = call("zuzhibu", "POST", f"/api/tasks/{task_id}/complete", REPORT)
    assert done.status_code == 200
    assert [(t["name"], t["assigned_unit"]) for t in done.json["next_tasks"]] == [
        ("提交办结报告", "zuzhibu"), ("审核季度报告", "tuijinban")]
    assert call("zuzhibu", "POST", f"/api/tasks/{task_id}/complete", REPORT).status_code == 409


def test_an_invalid_submission_answers_422_per_field_and_changes_nothing(call, driver):
    task_id = report_id(driver)
    response = call("zuzhibu", "POST", f"/api/tasks/{task_id}/complete",
                    {"progress": "", "percent": 150, "status": "great", "colour": "red", "next_step": "submit"})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"progress", "percent", "status", "colour"}
    assert call("zuzhibu", "POST", f"/api/tasks/{task_id}/complete", ["not", "an", "object"]).status_code == 422
    assert driver.task(business_key="2017-02", name="汇总填报季度报告").state == "ready"


def test_an_auditor_reads_every_task_but_cannot_act(call, driver):
    task_id = report_id(driver)
    assert call("auditor", "GET", f"/api/tasks/{task_id}", unit="tuijinban", role="auditor").status_code == 200
    assert call("auditor", "POST", f"/api/tasks/{task_id}/complete", REPORT,
                unit="tuijinban", role="auditor").status_code == 403
    assert call("auditor", "POST", "/api/process-instances", {"process_key": "regular_meeting", "data": {}},
                unit="tuijinban", role="auditor").status_code == 403


def test_a_street_starts_a_consultation_and_reads_the_instance_but_another_unit_gets_404(call, driver):
    started = call("caoyang", "POST", "/api/process-instances", {
        "process_key": "unit_consultation",
        "data": {"description": "兰溪路积水", "invited_departments": ["fangguanju"]}})
    assert started.status_code == 201
    assert [t["name"] for t in started.json["open_tasks"]] == ["分派约请部门"]
    instance_id = started.json["id"]
    read = call("caoyang", "GET", f"/api/process-instances/{instance_id}").json
    assert read["status"] == "running" and read["history"][0]["kind"] == "started"
    assert call("minzhengju", "GET", f"/api/process-instances/{instance_id}").status_code == 404
    assert call("office", "GET", f"/api/process-instances/{instance_id}", unit="tuijinban",
                role="office").status_code == 200


def test_bad_starts_are_refused_with_422_naming_the_field(call, driver):
    for body, field in (({"process_key": "no_such"}, "process_key"),
                        ({"process_key": "unit_consultation", "data": []}, "data"),
                        ({"process_key": "unit_consultation", "data": {"invited_departments": ["fangguanju"]}},
                         "description"),
                        ({"process_key": "unit_consultation", "extra": 1}, "extra")):
        response = call("caoyang", "POST", "/api/process-instances", body)
        assert response.status_code == 422 and field in response.json["errors"], body
    assert call("caoyang", "POST", "/api/process-instances", {"process_key": "regular_meeting"}).status_code == 403
