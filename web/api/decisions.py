"""The API's decision definitions (DMN): deploy a .dmn file, list versions, download one.

Routes on the API blueprint (common.py): Bearer tokens, errors as JSON. The office and the administrator deploy;
the overseers read; units get 403. A refused file answers 422 with ``problems``, each naming its cell.
"""
from __future__ import annotations

from flask import abort, g, jsonify

from workflows.decisions import files

from ..core.db import get_session
from ..core.headers import stored_document
from .common import bp, json_error, uploaded_document, version_json

DEPLOYER_ROLES = frozenset({"office", "admin"})
READER_ROLES = frozenset({"office", "supervisor", "auditor", "admin"})


@bp.errorhandler(files.DecisionRefused)
def decision_refused(error: files.DecisionRefused):
    get_session().rollback()
    return json_error(422, error.message, problems=error.problems)


@bp.get("/decision-definitions")
def decision_definitions():
    if g.actor.role not in READER_ROLES:
        abort(403, "只有区推进办、督查科、审计和管理员可以查看决策版本")
    return jsonify([version_json(d) for d in files.decision_versions(get_session())])


@bp.post("/decision-definitions")
def deploy_decisions():
    """Each decision of the file becomes a new version of its id: 201 with ``definitions``."""
    if g.actor.role not in DEPLOYER_ROLES:
        abort(403, "只有区推进办和管理员可以部署决策表")
    uploaded = uploaded_document("DMN")
    if uploaded is None:
        raise files.DecisionRefused("请以 Content-Type: application/xml 发送 DMN 文件，或以 multipart 字段 file 上传")
    source, content = uploaded
    session = get_session()
    deployed = files.deploy_decision_file(session, content, source=source, deployed_by=g.actor.username)
    session.commit()
    return jsonify({"definitions": [version_json(d) for d in deployed]}), 201


@bp.get("/decision-definitions/<key>/<int:version>/xml")
def decision_xml(key: str, version: int):
    if g.actor.role not in READER_ROLES:
        abort(403, "只有区推进办、督查科、审计和管理员可以下载决策表")
    definition = files.decision_version(get_session(), key, version)
    return stored_document(definition.dmn_xml, filename=f"{definition.key}-v{definition.version}.dmn")
