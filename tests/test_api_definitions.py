"""The process-definition API: deploy (raw XML or multipart), list versions, download the XML, migrate an instance."""
from __future__ import annotations

import io
from datetime import datetime

import pytest

from tests.deployment_support import chain, review, script
from tests.web_support import ensure_user
from workflows.accounts.tokens import issue_token
from workflows.directory import units as directory
from workflows.processes import deployment
from workflows.runtime import process_engine

USERS = {"office": ("office", "tuijinban"), "admin": ("admin", "tuijinban"), "auditor": ("auditor", "tuijinban"),
         "unit": ("zuzhibu", "zuzhibu")}
XML = {"Content-Type": "application/xml"}


@pytest.fixture
def call(app, db):
    """``call(role, method, path, **request options)`` with that role's Bearer token; ``role=None`` sends none."""
    directory.load_directory(db)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    tokens = {role: issue_token(db, ensure_user(db, username, unit, role if role != "unit" else "unit"),
                                datetime.utcnow()) for role, (username, unit) in USERS.items()}
    db.commit()
    client = app.test_client()

    def request(role, method, path, *, headers=None, **options):
        auth = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        response = client.open(path, method=method, headers={**auth, **(headers or {})}, **options)
        db.expire_all()
        return response

    return request


def test_the_office_deploys_raw_xml_and_gets_201_with_key_version_and_notes(call):
    response = call("office", "POST", "/api/process-definitions", data=review(), headers=XML)

    assert response.status_code == 201, response.json
    assert (response.json["key"], response.json["version"], response.json["notes"]) == ("office_review", 1, [])
    assert response.json["deployed_by"] == "office"
    assert [d["key"] for d in response.json["definitions"]] == ["office_review"]


def test_a_multipart_upload_of_a_bpmn_js_file_is_made_executable_and_the_version_goes_up(call):
    call("admin", "POST", "/api/process-definitions", data=review(), headers={"Content-Type": "text/xml"})
    upload = {"file": (io.BytesIO(review("office_review", ("review", "审核"), ("sign", "签发"), executable="false")),
                       "office_review.bpmn")}

    response = call("admin", "POST", "/api/process-definitions", data=upload, content_type="multipart/form-data")

    assert response.status_code == 201, response.json
    assert response.json["version"] == 2 and "已设为可执行" in response.json["notes"][0]


def test_versions_are_listed_with_who_deployed_them_and_each_xml_can_be_downloaded(call):
    call("office", "POST", "/api/process-definitions", data=review(), headers=XML)
    call("admin", "POST", "/api/process-definitions", data=review("office_review", ("approve", "批准")), headers=XML)

    listed = call("auditor", "GET", "/api/process-definitions").json
    first = call("office", "GET", "/api/process-definitions/office_review/1/xml")

    assert [(d["key"], d["version"], d["deployed_by"]) for d in listed] == [
        ("office_review", 1, "office"), ("office_review", 2, "admin")]
    assert listed[0]["deployed_at"] <= listed[1]["deployed_at"] and not listed[0]["deployed_at"].startswith("2017")
    assert first.status_code == 200 and first.mimetype == "application/xml"
    assert b'id="review"' in first.data and b'id="approve"' not in first.data
    assert first.headers["Content-Disposition"] == 'attachment; filename="office_review-v1.bpmn"'
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Content-Security-Policy"].startswith("default-src 'none'; sandbox")
    assert call("office", "GET", "/api/process-definitions/office_review/3/xml").status_code == 404


@pytest.mark.parametrize("body, rule, element", [
    (b"not xml at all", "xml", None),
    (b"<html><body>hi</body></html>", "xml", None),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><d>&e;</d>', "xml", None),
    (chain("strange", '<bpmn:complexGateway id="complex" name="复杂"/>'), "unsupported", "complex"),
    (chain("unsafe", script("steal", "import os")), "sandbox", "steal"),
], ids=["not XML", "not BPMN", "an entity", "complex gateway", "unsafe script"])
def test_a_bad_diagram_is_refused_with_422_naming_the_element_and_nothing_is_stored(call, db, body, rule, element):
    response = call("office", "POST", "/api/process-definitions", data=body, headers=XML)

    assert response.status_code == 422, response.json
    assert {"element": element, "rule": rule} in [{k: p[k] for k in ("element", "rule")}
                                                  for p in response.json["problems"]]
    assert "root:" not in response.get_data(as_text=True)
    assert deployment.count_definitions(db) == 0


def test_a_file_over_5_mb_is_refused_with_413_and_a_request_without_a_file_with_422(call, db):
    big = b"<!--" + b"x" * (5 * 1024 * 1024 + 10) + b"-->"
    assert call("office", "POST", "/api/process-definitions", data=big, headers=XML).status_code == 413
    upload = {"file": (io.BytesIO(big), "big.bpmn")}
    assert call("office", "POST", "/api/process-definitions", data=upload,
                content_type="multipart/form-data").status_code == 413
    assert call("office", "POST", "/api/process-definitions", json={}).status_code == 422
    assert deployment.count_definitions(db) == 0


def test_deploying_needs_a_token_and_the_office_or_admin_role(call, db):
    assert call(None, "POST", "/api/process-definitions", data=review(), headers=XML).status_code == 401
    for role in ("unit", "auditor"):
        assert call(role, "POST", "/api/process-definitions", data=review(), headers=XML).status_code == 403
    assert call("unit", "GET", "/api/process-definitions").status_code == 403
    assert deployment.count_definitions(db) == 0


def test_the_office_migrates_a_running_instance_and_a_refused_migration_answers_409(call, db):
    call("office", "POST", "/api/process-definitions", data=review(), headers=XML)
    instance = process_engine(db).start_instance("office_review")
    db.commit()
    path = f"/api/process-instances/{instance.id}/migrate"
    assert call("office", "POST", path).status_code == 409  # already on the newest version
    call("office", "POST", "/api/process-definitions", data=review("office_review", ("review", "复核")), headers=XML)

    assert call("unit", "POST", path).status_code == 403
    migrated = call("office", "POST", path)

    assert migrated.status_code == 200 and migrated.json["version"] == 2
    assert [t["name"] for t in migrated.json["open_tasks"]] == ["复核"]
    call("office", "POST", "/api/process-definitions", data=review("office_review", ("other", "另一步")), headers=XML)
    refused = call("admin", "POST", path)
    assert refused.status_code == 409 and "review" in refused.json["error"]
    assert call("admin", "POST", "/api/process-instances/999999/migrate").status_code == 404
