"""The API's decision definitions (DMN): deploy a .dmn file, list versions, download one.

Routes on the API blueprint (common.py): Bearer tokens, errors as JSON. The office and the administrator deploy;
the overseers read; units get 403. A refused file answers 422 with ``problems``, each naming its cell.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from engine import DecisionDefinition
from engine.parser import MAX_BYTES
from workflows.decisions import files

from ..core.db import get_session
from ..core.headers import stored_document
from .common import bp, json_error

DEPLOYER_ROLES = frozenset({"office", "admin"})
READER_ROLES = frozenset({"office", "supervisor", "auditor", "admin"})
XML_TYPES = ("application/xml", "text/xml")


@bp.errorhandler(files.DecisionRefused)
def decision_refused(error: files.DecisionRefused):
    get_session().rollback()
    return json_error(422, error.message, problems=error.problems)


def _decision_json(definition: DecisionDefinition) -> dict:
    return {"key": definition.key, "version": definition.version, "name": definition.name,
            "deployed_by": definition.deployed_by, "deployed_at": definition.deployed_at.isoformat()}


def _uploaded_file() -> tuple[str, bytes]:
    """The DMN file of the request: the raw XML body, or the multipart field ``file``."""
    if request.content_length is not None and request.content_length > MAX_BYTES + 64 * 1024:
        abort(413, "DMN 文件不得大于 5 MB")
    if request.mimetype in XML_TYPES:
        source, content = "upload.dmn", request.get_data()
    else:
        upload = request.files.get("file")
        if upload is None:
            raise files.DecisionRefused("请以 Content-Type: application/xml 发送 DMN 文件，或以 multipart 字段 file 上传")
        source, content = upload.filename or "upload.dmn", upload.stream.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        abort(413, "DMN 文件不得大于 5 MB")
    return source, content


@bp.get("/decision-definitions")
def decision_definitions():
    if g.actor.role not in READER_ROLES:
        abort(403, "只有区推进办、督查科、审计和管理员可以查看决策版本")
    return jsonify([_decision_json(d) for d in files.decision_versions(get_session())])


@bp.post("/decision-definitions")
def deploy_decisions():
    """Each decision of the file becomes a new version of its id: 201 with ``definitions``."""
    if g.actor.role not in DEPLOYER_ROLES:
        abort(403, "只有区推进办和管理员可以部署决策表")
    source, content = _uploaded_file()
    session = get_session()
    deployed = files.deploy_decision_file(session, content, source=source, deployed_by=g.actor.username)
    session.commit()
    return jsonify({"definitions": [_decision_json(d) for d in deployed]}), 201


@bp.get("/decision-definitions/<key>/<int:version>/xml")
def decision_xml(key: str, version: int):
    if g.actor.role not in READER_ROLES:
        abort(403, "只有区推进办、督查科、审计和管理员可以下载决策表")
    definition = files.decision_version(get_session(), key, version)
    return stored_document(definition.dmn_xml, filename=f"{definition.key}-v{definition.version}.dmn")
