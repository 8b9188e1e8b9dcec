"""The API's process definitions: deploy a diagram, list versions, download one, migrate an instance to the newest.

Routes on the API blueprint (common.py): Bearer tokens, errors as JSON. The office and the administrator deploy
and migrate; the overseers (office, supervision section, auditor, administrator) read; units get 403.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from engine import ProcessDefinition
from engine.parser import MAX_BYTES
from workflows.processes import deployment

from ..core.db import get_session
from ..core.headers import stored_document
from .common import bp, instance_json, json_error

READER_ROLES = frozenset({"office", "supervisor", "auditor", "admin"})
XML_TYPES = ("application/xml", "text/xml")


@bp.errorhandler(deployment.DiagramRefused)
def diagram_refused(error: deployment.DiagramRefused):
    return json_error(422, error.message, problems=[problem.as_json() for problem in error.problems])


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        abort(403, message)


def _definition_json(definition: ProcessDefinition) -> dict:
    return {"key": definition.key, "version": definition.version, "name": definition.name,
            "deployed_by": definition.deployed_by, "deployed_at": definition.deployed_at.isoformat()}


def _uploaded_diagram() -> tuple[str, bytes]:
    """The diagram of the request: the raw XML body, or the multipart field ``file``."""
    if request.content_length is not None and request.content_length > MAX_BYTES + 64 * 1024:
        abort(413, "BPMN 文件不得大于 5 MB")
    if request.mimetype in XML_TYPES:
        source, content = "upload.bpmn", request.get_data()
    else:
        upload = request.files.get("file")
        if upload is None:
            raise deployment.DiagramRefused([deployment.Problem(
                None, "请以 Content-Type: application/xml 发送 BPMN 文件，或以 multipart 字段 file 上传", "xml")])
        source, content = upload.filename or "upload.bpmn", upload.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        abort(413, "BPMN 文件不得大于 5 MB")
    return source, content


@bp.get("/process-definitions")
def process_definitions():
    _require(g.actor.role in READER_ROLES, "只有区推进办、督查科、审计和管理员可以查看流程版本")
    return jsonify([_definition_json(d) for d in deployment.definition_versions(get_session())])


@bp.post("/process-definitions")
def deploy_definition():
    _require(deployment.may_deploy(g.actor.role), "只有区推进办和管理员可以部署流程")
    source, xml = _uploaded_diagram()
    session = get_session()
    definitions, notes = deployment.deploy_diagram(session, xml, source=source, deployed_by=g.actor.username)
    session.commit()
    first = _definition_json(definitions[0])
    return jsonify(first | {"definitions": [_definition_json(d) for d in definitions], "notes": notes}), 201


@bp.get("/process-definitions/<key>/<int:version>/xml")
def definition_xml(key: str, version: int):
    _require(g.actor.role in READER_ROLES, "只有区推进办、督查科、审计和管理员可以下载流程图")
    definition = deployment.definition_version(get_session(), key, version)
    return stored_document(definition.bpmn_xml, filename=f"{definition.key}-v{definition.version}.bpmn")


@bp.post("/process-instances/<int:instance_id>/migrate")
def migrate_instance(instance_id: int):
    _require(deployment.may_deploy(g.actor.role), "只有区推进办和管理员可以迁移流程实例")
    session = get_session()
    row = deployment.migrate_instance(session, instance_id, actor=g.actor.username)
    session.commit()
    return jsonify(instance_json(row))
