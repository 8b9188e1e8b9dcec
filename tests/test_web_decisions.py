"""The decision tables page (/admin/decisions, web/decisions.py): the office edits the year-end scoring rules as a
draft, validates it (a bad cell is named), previews which projects' scores or grades would change, and publishes;
the score follows. Units are refused. A .dmn file uploaded on the page deploys as a version of each decision."""
from __future__ import annotations

import io
from datetime import datetime

import pytest

from tests.web_support import csrf_token, db, login_as, post_form, text  # noqa: F401
from workflows.decisions.models import DecisionDraft
from workflows.directory.units import load_directory
from workflows.plan import loading as plans
from workflows.records.scoring import DEFAULT_TABLE_FILE, year_end_score
from workflows.runtime import process_engine

DEFAULT = DEFAULT_TABLE_FILE.read_text(encoding="utf-8")
UNFINISHED_POINTS = '<outputEntry id="rule_5_points"><text>completion * unfinished_share</text>'
# An open project keeps 10 of the 40 completion points instead of none.
TEN_FOR_UNFINISHED = DEFAULT.replace(UNFINISHED_POINTS, '<outputEntry id="rule_5_points"><text>10</text>')
assert TEN_FOR_UNFINISHED != DEFAULT


@pytest.fixture
def office(db, login_as):
    """The 2017 plan loaded (55 open projects), the clock on 2017-06-08, the office signed in."""
    load_directory(db)
    plans.load_plan(db, plans.DEFAULT_PLAN_FILE)
    process_engine(db).clock.set(datetime(2017, 6, 8, 9, 0))
    db.commit()
    return login_as("office", unit="tuijinban", role="office")


def post_json(client, url: str, body: dict):
    return client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client.get("/admin/decisions"))})


def test_the_editor_opens_the_default_rules_in_dmn_js_without_inline_script(office):
    page = text(office.get("/admin/decisions/scoring"))
    assert "编辑评分规则" in page and "默认评分规则（尚未发布过）" in page
    assert "static/dmn/dmn.js" in page and "<script>" not in page and "style=" not in page
    table = office.get("/admin/decisions/scoring/table.dmn").get_data(as_text=True)
    assert 'id="year_end_scoring"' in table and 'id="year_end_grade"' in table


def test_a_unit_may_not_open_the_decision_tables(office, login_as):
    unit = login_as("zuzhibu", unit="zuzhibu")
    assert unit.get("/admin/decisions").status_code == 403
    assert unit.get("/admin/decisions/scoring").status_code == 403


def test_the_office_saves_a_draft_and_the_editor_opens_it_next_time(office, db):
    saved = post_json(office, "/admin/decisions/scoring/draft", {"xml": TEN_FOR_UNFINISHED})
    assert saved.status_code == 200 and "草稿已保存" in saved.json["message"]
    assert "<text>10</text>" in office.get("/admin/decisions/scoring/table.dmn").get_data(as_text=True)
    assert "草稿（区推进办" in text(office.get("/admin/decisions/scoring"))


def test_a_draft_with_a_cell_the_engine_cannot_read_fails_validation_naming_rule_and_column(office):
    broken = DEFAULT.replace("<text>&gt; 0</text>", "<text>[1..</text>", 1)
    response = post_json(office, "/admin/decisions/scoring/validate", {"xml": broken})
    assert response.status_code == 422
    assert "规则 2" in response.json["message"] and "“应报季度数”" in response.json["message"]
    missing = post_json(office, "/admin/decisions/scoring/validate", {"xml": ""})
    assert missing.status_code == 422 and "xml" in missing.json["errors"]


def test_the_preview_lists_every_project_whose_score_would_change_and_publishing_makes_the_score_follow(office, db):
    before = year_end_score(db, "2017-05", datetime(2017, 6, 8).date())

    preview = post_json(office, "/admin/decisions/scoring/preview", {"xml": TEN_FOR_UNFINISHED})
    assert preview.status_code == 200, preview.json
    changes = {change["business_key"]: change for change in preview.json["changes"]}
    assert len(changes) == 55 and "55 个项目" in preview.json["message"]
    assert changes["2017-05"]["total_after"] == changes["2017-05"]["total_before"] + 10
    assert changes["2017-05"]["rules"] == [{"rule": "按期办结", "before": 0.0, "after": 10.0}]
    assert year_end_score(db, "2017-05", datetime(2017, 6, 8).date())["total"] == before["total"]

    published = post_json(office, "/admin/decisions/scoring/publish", {"xml": TEN_FOR_UNFINISHED})
    assert published.status_code == 200 and published.json["version"] == 1
    db.expire_all()
    after = year_end_score(db, "2017-05", datetime(2017, 6, 8).date())
    assert after["total"] == before["total"] + 10 and after["version"] == 1
    [completion] = [item for item in after["items"] if item["rule"] == "按期办结"]
    assert "评分规则第5行" in completion["reason"]
    assert db.query(DecisionDraft).count() == 0
    assert post_json(office, "/admin/decisions/scoring/preview", {"xml": TEN_FOR_UNFINISHED}).json["changes"] == []


def test_a_dmn_file_uploaded_on_the_page_is_deployed_and_listed(office):
    dish = (DEFAULT_TABLE_FILE.parent.parent / "tests" / "diagrams" / "dmn" / "dish.dmn").read_bytes()
    response = post_form(office, "/admin/decisions", "/admin/decisions/upload", {"file": (io.BytesIO(dish), "dish.dmn")})
    assert response.status_code == 302
    listing = text(office.get("/admin/decisions"))
    assert "选菜" in listing and "第 1 版" in listing
    refused = post_form(office, "/admin/decisions", "/admin/decisions/upload",
                        {"file": (io.BytesIO(dish.replace(b"&lt;= 8", b"[1..")), "dish.dmn")})
    assert refused.status_code == 422 and "规则 1" in text(refused)


def test_a_dmn_file_uploaded_in_the_process_editor_is_deployed_as_decisions(office):
    dish = (DEFAULT_TABLE_FILE.parent.parent / "tests" / "diagrams" / "dmn" / "dish.dmn").read_bytes()
    response = post_form(office, "/editor", "/editor/upload", {"file": (io.BytesIO(dish), "dish.dmn")})
    assert response.status_code == 302
    assert "选菜" in text(office.get("/admin/decisions"))
    refused = post_form(office, "/editor", "/editor/upload",
                        {"file": (io.BytesIO(dish.replace(b"&lt;= 8", b"[1..")), "dish.dmn")})
    assert refused.status_code == 422 and "规则 1，输入列“客人数”" in text(refused)
