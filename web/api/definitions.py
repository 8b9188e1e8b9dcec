"""The API's process definitions: deploy a diagram, list versions (or what the caller may start), download one,
map its lane and group names to units, migrate an instance to the newest.

Routes on the API blueprint (common.py): Bearer tokens, errors as JSON. The office and the administrator deploy
and migrate; the overseers (office, supervision section, auditor, administrator) read; units get 403.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from workflows.processes import deployment, roles, starting_any

from ..core.db import get_process_engine, get_session
from ..core.headers import stored_document
from .common import bp, instance_json, json_body, json_error, uploaded_document, version_json

READER_ROLES = frozenset({"office", "supervisor", "auditor", "admin"})


@bp.errorhandler(deployment.DiagramRefused)
def diagram_refused(error: deployment.DiagramRefused):
    return json_error(422, error.message, problems=[problem.as_json() for problem in error.problems])


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        abort(403, message)


@bp.get("/process-definitions")
def process_definitions():
    """Every version for the overseers; ``?startable=true``: the newest version of what the caller may start."""
    if request.args.get("startable") == "true":
        options = starting_any.start_options(get_session(), get_process_engine(), g.actor)
        return jsonify([version_json(o.definition) | {"documentation": o.documentation,
                                                          "form": [_field_json(f) for f in o.fields]}
                        for o in options])
    _require(g.actor.role in READER_ROLES, "只有区推进办、督查科、审计和管理员可以查看流程版本")
    return jsonify([version_json(d) for d in deployment.definition_versions(get_session())])


def _field_json(spec) -> dict:
    return {"id": spec.id, "label": spec.label, "type": spec.type, "required": spec.required,
            "options": [{"id": o, "name": n} for o, n in spec.options]}


@bp.get("/process-definitions/<key>/roles")
def definition_roles(key: str):
    """The names the newest version routes by, each with the unit the office mapped it to."""
    _require(g.actor.role in READER_ROLES, "只有区推进办、督查科、审计和管理员可以查看角色对应")
    return jsonify([name.as_json() for name in roles.role_names_of(get_session(), key)])


@bp.put("/process-definitions/<key>/roles")
def map_definition_roles(key: str):
    """``{name: unit code or name, or "" to drop}``: the office maps lane and group names, for every version."""
    roles.require_mapper(g.actor.role)
    session = get_session()
    mapped = roles.set_role_mappings(session, key, json_body())
    session.commit()
    return jsonify([name.as_json() for name in mapped])


@bp.post("/process-definitions")
def deploy_definition():
    _require(deployment.may_deploy(g.actor.role), "只有区推进办和管理员可以部署流程")
    uploaded = uploaded_document("BPMN")
    if uploaded is None:
        raise deployment.DiagramRefused([deployment.Problem(
            None, "请以 Content-Type: application/xml 发送 BPMN 文件，或以 multipart 字段 file 上传", "xml")])
    source, xml = uploaded
    session = get_session()
    definitions, notes, warnings = deployment.deploy_checked(session, xml, source=source, deployed_by=g.actor.username)
    session.commit()
    first = version_json(definitions[0])
    return jsonify(first | {"definitions": [version_json(d) for d in definitions], "notes": notes,
                            "warnings": [warning.as_json() for warning in warnings]}), 201


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
