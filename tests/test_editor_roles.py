"""角色对应 in the process editor (web/editor.py, templates/editor/_roles.html): the page lists each lane and group
name of the deployed process with its mapping, marks the unmapped ones 待分派 and offers units and groups; POST
/editor/<key>/roles maps them as /roles does, and refuses a wrong name or unit naming it, changing nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.start_support import diagram
from tests.web_support import csrf_token, db, login_as, text  # noqa: F401
from workflows.directory.models import RoleMapping
from workflows.directory.units import load_directory
from workflows.processes import deployment


@pytest.fixture
def office(db, login_as):
    """困难救助申请 (relief_request, lane 经办人 that no unit is called) deployed; the office signed in."""
    load_directory(db)
    deployment.deploy_diagram(db, diagram("starter_form"), source="starter_form.bpmn", deployed_by="office")
    db.commit()
    return login_as("office", unit="tuijinban", role="office")


def put_roles(client, body, key: str = "relief_request"):
    token = csrf_token(client.get(f"/editor/{key}"))
    return client.post(f"/editor/{key}/roles", json=body, headers={"X-CSRFToken": token})


def mappings(db) -> dict[str, str]:
    db.expire_all()
    return {m.name: m.unit_code for m in db.scalars(select(RoleMapping).where(RoleMapping.process_key == "relief_request"))}


def test_the_editor_shows_the_unmapped_lane_as_waiting_with_units_and_groups_to_choose(office):
    page = text(office.get("/editor/relief_request"))
    assert 'id="editor-roles"' in page and "角色对应" in page
    assert 'data-role-name="经办人"' in page and "待分派" in page
    assert '<option value="区民政局"' in page and '<option value="各街道、镇"' in page


def test_a_mapping_saved_in_the_editor_holds_and_the_lane_is_no_longer_waiting(office, db):
    saved = put_roles(office, {"经办人": "区民政局"})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.json["message"].startswith("已保存角色对应")
    assert saved.json["roles"][0] == {"name": "经办人", "unit": "minzhengju", "unit_name": "区民政局",
                                           "known_as": None, "routed": True}
    assert mappings(db) == {"经办人": "minzhengju"}
    page = text(office.get("/editor/relief_request"))
    assert "待分派</span>" not in page and 'value="区民政局">' in page


def test_an_unknown_unit_is_refused_naming_the_lane_and_nothing_is_mapped(office, db):
    refused = put_roles(office, {"经办人": "不存在的科室"})
    assert refused.status_code == 422
    assert "不存在的科室" in refused.json["errors"]["经办人"] and "经办人" in refused.json["message"]
    assert mappings(db) == {}


@pytest.mark.parametrize("body", [["经办人"], "经办人", {"不存在的泳道": "区民政局"}])
def test_a_body_that_is_not_a_mapping_of_the_process_names_is_a_422_naming_what_is_wrong(office, db, body):
    refused = put_roles(office, body)
    assert refused.status_code == 422 and refused.json["errors"]
    assert mappings(db) == {}


def test_a_process_never_deployed_has_no_roles_to_map(office):
    assert put_roles(office, {"经办人": "区民政局"}, key="no_such_process").status_code == 404


def test_a_unit_cannot_map_roles_in_the_editor(office, login_as, db):
    street = login_as("caoyang", unit="caoyang")
    token = csrf_token(street.get("/inbox"))
    refused = street.post("/editor/relief_request/roles", json={"经办人": "区民政局"}, headers={"X-CSRFToken": token})
    assert refused.status_code == 403
    assert mappings(db) == {}
