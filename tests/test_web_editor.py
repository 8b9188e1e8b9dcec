"""The process editor's pages and JSON endpoints (web/editor.py): the office designs, checks, saves, deploys and
migrates; units, the supervision section and auditors are refused."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import ProcessDefinition, ProcessInstance
from tests.web_support import csrf_token, db, login_as, post_form, text  # noqa: F401
from workflows.directory.units import load_directory
from workflows.processes.models import ProcessDraft
from workflows.runtime import process_engine

DIAGRAM = (Path(__file__).resolve().parent / "diagrams" / "street_inspection.bpmn").read_text(encoding="utf-8")
UNKNOWN_LANE = DIAGRAM.replace('name="区民政局"', 'name="不存在的科室"')


@pytest.fixture
def deployed(db):
    """The unit directory and version 1 of 街面巡查 (lanes 区推进办 and 区民政局)."""
    load_directory(db)
    process_engine(db).deploy(DIAGRAM.replace('isExecutable="false"', 'isExecutable="true"'), deployed_by="office")
    db.commit()


@pytest.fixture
def office(deployed, login_as):
    return login_as("office", unit="tuijinban", role="office")


def post_json(client, url: str, body: dict):
    token = csrf_token(client.get("/editor"))
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def upload(client, content: str, filename: str = "street_inspection.bpmn"):
    return post_form(client, "/editor", "/editor/upload", {"file": (io.BytesIO(content.encode()), filename)})


def versions(db, key: str = "street_inspection") -> list[int]:
    db.expire_all()
    return list(db.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == key)
                           .order_by(ProcessDefinition.version)))


def test_the_office_sees_each_process_with_its_versions_and_opens_the_editor(office):
    page = text(office.get("/editor"))
    assert "street_inspection" in page and "街面巡查" in page and "第 1 版" in page
    assert 'href="/editor/street_inspection/versions/1.bpmn"' in page
    assert "流程编辑" in text(office.get("/inbox"))  # the navigation link

    editor = text(office.get("/editor/street_inspection"))
    assert 'id="editor"' in editor and "已部署的第 1 版" in editor
    assert 'data-xml-url="/editor/street_inspection/versions/1.bpmn"' in editor
    assert 'name="csrf-token"' in editor and "/static/editor/editor.js" in editor
    for button in ("保存草稿", "校验", "部署为新版本"):
        assert button in editor


@pytest.mark.parametrize("username, unit, role", [("minzhengju", "minzhengju", "unit"),
                                                  ("supervisor", "duchake", "supervisor"),
                                                  ("auditor", "tuijinban", "auditor")])
def test_units_the_supervision_section_and_auditors_are_refused(deployed, login_as, db, username, unit, role):
    client = login_as(username, unit=unit, role=role)

    for url in ("/editor", "/editor/street_inspection", "/editor/street_inspection/versions/1.bpmn"):
        response = client.get(url)
        assert response.status_code == 403 and "只有区推进办和系统管理员" in text(response), url
    token = csrf_token(client.get("/inbox"))
    response = client.post("/editor/deploy", json={"xml": DIAGRAM}, headers={"X-CSRFToken": token})
    assert response.status_code == 403 and "只有区推进办" in response.json["message"]
    assert "流程编辑" not in text(client.get("/inbox"))
    assert versions(db) == [1]


def test_a_camunda_modeler_diagram_is_uploaded_as_a_new_version_and_made_executable(office, db):
    changed = DIAGRAM.replace('name="核查问题"', 'name="核查并答复问题"')

    response = upload(office, changed)

    assert response.status_code == 302
    page = text(office.get("/editor"))
    assert "街面巡查（street_inspection）第 2 版" in page
    assert "原为 isExecutable=&#34;false&#34;（bpmn-js 的默认值），已设为可执行" in page
    assert versions(db) == [1, 2]


def test_an_upload_with_a_lane_no_unit_plays_is_deployed_with_a_note_to_map_the_lane(office, db):
    response = upload(office, UNKNOWN_LANE)

    page = text(office.get("/editor"))
    assert response.status_code == 302
    assert "“不存在的科室”不是已知的单位、单位组或角色" in page and "角色对应" in page
    assert versions(db) == [1, 2]


def test_an_upload_without_a_file_or_with_broken_xml_says_what_is_wrong(office, db):
    missing = post_form(office, "/editor", "/editor/upload", {})
    assert missing.status_code == 422 and "请选择要上传的 BPMN 文件（“文件”）" in text(missing)

    broken = upload(office, "<bpmn:definitions", "broken.bpmn")
    assert broken.status_code == 422 and "broken.bpmn 未部署" in text(broken)
    assert versions(db) == [1]


def test_a_draft_is_saved_and_the_editor_opens_it_until_it_is_discarded(office, db):
    draft = DIAGRAM.replace('name="核查问题"', 'name="草稿中的任务"')

    saved = post_json(office, "/editor/street_inspection/draft", {"xml": draft})

    assert saved.status_code == 200 and saved.json["message"].startswith("草稿已保存")
    editor = text(office.get("/editor/street_inspection"))
    assert 'data-xml-url="/editor/street_inspection/draft"' in editor and "草稿（区推进办" in editor
    assert "草稿（office" not in editor  # the person, not the login name
    assert "草稿中的任务" in text(office.get("/editor/street_inspection/draft"))
    assert "有草稿（区推进办" in text(office.get("/editor"))
    older = text(office.get("/editor/street_inspection?version=1"))
    assert 'data-xml-url="/editor/street_inspection/versions/1.bpmn"' in older

    discarded = post_form(office, "/editor/street_inspection", "/editor/street_inspection/draft/discard")
    assert discarded.status_code == 302
    assert office.get("/editor/street_inspection/draft").status_code == 404
    assert db.scalar(select(func.count()).select_from(ProcessDraft)) == 0


def test_the_modelers_requests_without_xml_or_csrf_token_are_refused(office, db):
    for url in ("/editor/street_inspection/draft", "/editor/validate", "/editor/deploy"):
        response = post_json(office, url, {"diagram": DIAGRAM})
        assert response.status_code == 422 and response.json["errors"] == {"xml": "请提供流程图的 XML 文本"}, url
        assert office.post(url, json={"xml": DIAGRAM}).status_code == 400, url  # no X-CSRFToken
    token = csrf_token(office.get("/editor"))
    listed = office.post("/editor/deploy", json=[DIAGRAM], headers={"X-CSRFToken": token})
    assert listed.status_code == 422 and "“xml”" in listed.json["message"]
    assert post_form(office, "/editor", "/editor/instances/999999/migrate").status_code == 404
    bad_key = post_json(office, "/editor/no%20spaces/draft", {"xml": DIAGRAM})
    assert bad_key.status_code == 422 and "不是合法的流程标识" in bad_key.json["message"]
    assert office.get("/editor/street_inspection?version=abc").status_code == 422
    assert office.get("/editor/street_inspection?version=7").status_code == 404
    assert office.get("/editor/no_such_process").status_code == 404
    assert db.scalar(select(func.count()).select_from(ProcessDraft)) == 0


def test_validation_names_the_element_and_the_reason(office):
    checked = post_json(office, "/editor/validate", {"xml": UNKNOWN_LANE})

    assert checked.status_code == 200 and checked.json["problems"] == []
    warnings = checked.json["warnings"]
    assert {"element": "Lane_department", "rule": "role"}.items() <= warnings[0].items()
    assert "不存在的科室" in warnings[0]["message"]

    passed = post_json(office, "/editor/validate", {"xml": DIAGRAM})
    assert passed.json["problems"] == [] and passed.json["message"] == "校验通过，可以部署"
    assert any("已设为可执行" in note for note in passed.json["notes"])


def test_deploying_from_the_editor_makes_a_new_version_and_ends_the_draft(office, db):
    post_json(office, "/editor/street_inspection/draft", {"xml": DIAGRAM})
    changed = DIAGRAM.replace('name="核查问题"', 'name="核查并答复问题"')

    deployed = post_json(office, "/editor/deploy", {"xml": changed})

    assert deployed.status_code == 201, deployed.json
    assert deployed.json["definitions"][0] | {"url": ""} == {"key": "street_inspection", "version": 2,
                                                             "name": "街面巡查", "url": ""}
    assert deployed.json["message"] == "已部署：街面巡查（street_inspection）第 2 版"
    assert versions(db) == [1, 2]
    assert db.scalar(select(func.count()).select_from(ProcessDraft)) == 0
    complex_gateway = '<bpmn:complexGateway id="complex" name="复杂"/></bpmn:process>'
    refused = post_json(office, "/editor/deploy", {"xml": DIAGRAM.replace("</bpmn:process>", complex_gateway)})
    assert refused.status_code == 422 and refused.json["problems"][0]["element"] == "complex"
    assert versions(db) == [1, 2]


def test_a_version_is_downloaded_as_its_bpmn_file(office):
    response = office.get("/editor/street_inspection/versions/1.bpmn")

    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="street_inspection-v1.bpmn"'
    assert 'name="核查问题"' in text(response)


def test_a_new_process_starts_as_a_draft_and_a_bad_key_is_named(office, db):
    refused = post_form(office, "/editor", "/editor/new", {"key": "1 bad", "name": ""})
    assert refused.status_code == 422
    assert "“流程标识”须以英文字母或下划线开头" in text(refused) and "请填写“流程名称”" in text(refused)
    taken = post_form(office, "/editor", "/editor/new", {"key": "street_inspection", "name": "重复"})
    assert taken.status_code == 422 and "已有流程或草稿" in text(taken)

    created = post_form(office, "/editor", "/editor/new", {"key": "street_cleaning", "name": "街面保洁<检查>"})

    assert created.status_code == 302 and created.location.endswith("/editor/street_cleaning")
    blank = text(office.get("/editor/street_cleaning/draft"))
    assert 'id="street_cleaning"' in blank and 'name="街面保洁&lt;检查&gt;"' in blank
    assert "street_cleaning" in text(office.get("/editor")) and "未部署" in text(office.get("/editor"))


def test_an_instance_on_an_older_version_is_listed_and_a_refused_migration_gives_the_reason(office, db):
    instance = process_engine(db).start_instance("street_inspection", business_key="巡查-1", actor="office")
    db.commit()
    # Version 2 no longer has the task the instance waits on, so it cannot move there.
    renamed = DIAGRAM.replace("check_problem", "verify_problem")
    assert post_json(office, "/editor/deploy", {"xml": renamed}).status_code == 201

    page = text(office.get("/editor"))
    assert f'id="instance-{instance.id}"' in page and "巡查-1" in page and "迁移到最新版本" in page

    refused = post_form(office, "/editor", f"/editor/instances/{instance.id}/migrate")

    assert refused.status_code == 409
    assert f"流程实例 {instance.id} 未迁移：新版本中没有实例正在等待的任务：check_problem" in text(refused)
    db.expire_all()
    assert db.get(ProcessInstance, instance.id).definition.version == 1
