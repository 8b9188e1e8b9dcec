"""The process editor (流程编辑器) of the office and the administrator: the deployed processes with their versions
and drafts, a bpmn-js modeler per process (web/editor_src, bundled into web/static/editor), uploading a diagram
drawn elsewhere, and moving running instances to the newest version. Checking and deploying are
workflows/processes/deployment.py's; the modeler's buttons post JSON here. Under the modeler, 角色对应: the deployed
process's lane and group names mapped to units, as on /roles (workflows/processes/roles.py)."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, \
    url_for
from flask_login import current_user, login_required

from engine import EngineError
from workflows.accounts.actor import NotAllowed
from workflows.decisions import files as decision_files
from workflows.forms import FormInvalid
from workflows.processes import deployment, roles
from workflows.tasks.unit_choices import unit_choices

from .core.db import get_session
from .core.headers import EDITOR_POLICY, stored_document, talisman
from .core.inputs import db_int
from .shared.drafts import draft_label, saved_message

bp = Blueprint("editor", __name__, url_prefix="/editor")
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,99}")  # a process id: an XML name, no dots or colons
NAME_MAX = 200


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def refusal(message: str, status: int, **extra):
    """A refusal as the caller reads it: JSON for the modeler's requests, a page for a browser's form."""
    get_session().rollback()
    if wants_json():
        return jsonify(message=message, **extra), status
    return render_template("editor/refused.html", message=message), status


@bp.before_request
@login_required
def require_deployer():
    """The office and the administrator only: they design and deploy processes."""
    if not deployment.may_deploy(current_user.role):
        return refusal("流程编辑器只有区推进办和系统管理员可以使用", 403)
    return None


@bp.errorhandler(EngineError)
def engine_refused(error: EngineError):
    return refusal(error.message, error.status)


def xml_from_body() -> bytes:
    """The diagram the modeler sent as ``{"xml": "..."}``; 422 naming the field when it is missing."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    if not isinstance(xml, str) or not xml.strip():
        abort(make_response(refusal("请求缺少“xml”：流程图的 XML 文本", 422, errors={"xml": "请提供流程图的 XML 文本"})))
    return xml.encode("utf-8")


# -- pages ---------------------------------------------------------------------------------------


def render_index(status: int = 200, **context):
    session = get_session()
    return render_template("editor/index.html", rows=deployment.process_overview(session),
                           outdated=deployment.instances_on_older_versions(session), **context), status


@bp.get("")
def index():
    return render_index()


@bp.post("/new")
def new():
    session, key, name = get_session(), request.form.get("key", "").strip(), request.form.get("name", "").strip()
    errors = {}
    if not KEY.fullmatch(key):
        errors["key"] = "“流程标识”须以英文字母或下划线开头，只含英文字母、数字、_ 和 -，不超过 100 个字符"
    elif deployment.process_overview(session, key):
        errors["key"] = f"“流程标识”{key} 已有流程或草稿，请直接编辑它"
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"请填写“流程名称”（不超过 {NAME_MAX} 个字符）"
    if errors:
        return render_index(422, new_form={"key": key, "name": name}, new_errors=errors)
    blank = render_template("editor/blank.xml", key=key, name=name)
    deployment.save_draft(session, key, blank.encode("utf-8"), saved_by=current_user.username)
    session.commit()
    flash(f"已新建流程 {name}（{key}）的草稿")
    return redirect(url_for("editor.edit", key=key))


@bp.post("/upload")
def upload():
    session, upload = get_session(), request.files.get("file")
    if upload is None or not upload.filename:
        return render_index(422, upload_error="请选择要上传的 BPMN 文件（“文件”）")
    content = upload.read()
    if decision_files.is_dmn(content):
        return upload_decisions(content, upload.filename)
    try:
        definitions, notes = deployment.deploy_diagram(session, content, source=upload.filename,
                                                       deployed_by=current_user.username)
    except deployment.DiagramRefused as refused:
        session.rollback()
        return render_index(422, upload_error=f"{upload.filename} 未部署，请修改后重新上传：",
                            upload_problems=refused.problems)
    session.commit()
    flash("已部署：" + "、".join(f"{d.name or d.key}（{d.key}）第 {d.version} 版" for d in definitions))
    for note in notes:
        flash(note)
    return redirect(url_for("editor.index"))


def upload_decisions(content: bytes, filename: str):
    """A .dmn file uploaded here: each of its decisions becomes a new version (as on /admin/decisions)."""
    session = get_session()
    try:
        deployed = decision_files.deploy_decision_file(session, content, source=filename,
                                                       deployed_by=current_user.username)
    except decision_files.DecisionRefused as refused:
        session.rollback()
        return render_index(422, upload_error=f"{filename} 未部署，请修改后重新上传：",
                            upload_problems=[deployment.Problem(p.get("element"), p["message"], "dmn")
                                             for p in refused.problems])
    session.commit()
    flash("已部署决策表：" + "、".join(f"{d.name}（{d.key}）第 {d.version} 版" for d in deployed))
    return redirect(url_for("editor.index"))


def opened_diagram(row: deployment.ProcessOverview, version: int | None) -> dict:
    """What the editor opens: the chosen version, else the draft, else the newest version."""
    key, draft = row.key, row.draft
    if version is None and draft is not None:
        return {"kind": "draft", "label": draft_label(draft.saved_by, draft.saved_at),
                "url": url_for("editor.draft", key=key), "name": row.newest.name if row.newest else ""}
    definition = row.newest if version is None else deployment.definition_version(get_session(), key, version)
    return {"kind": "version", "label": f"已部署的第 {definition.version} 版", "name": definition.name,
            "url": url_for("editor.download", key=key, version=definition.version)}


@bp.get("/<key>")
@talisman(content_security_policy=EDITOR_POLICY)  # the modeler's properties panel: see EDITOR_POLICY
def edit(key: str):
    version = request.args.get("version", type=db_int)
    if "version" in request.args and (version is None or version < 1):
        return refusal("“version”须为正整数的版本号", 422)
    overview = deployment.process_overview(get_session(), key)
    if not overview:
        abort(404)
    row = overview[0]
    return render_template("editor/edit.html", key=key, opened=opened_diagram(row, version), draft=row.draft,
                           newest=row.newest, versions=row.versions, **role_panel(key, row.newest is not None))


def role_panel(key: str, deployed: bool) -> dict:
    """What the 角色对应 panel shows: the newest version's lane and group names (empty before the first
    deployment) and the units and groups to choose from, as the unit picker offers them."""
    session = get_session()
    return {"role_names": roles.role_names_of(session, key) if deployed else [],
            "role_choices": unit_choices(session) if deployed else None}


@bp.get("/<key>/versions/<int:version>.bpmn")
def download(key: str, version: int):
    definition = deployment.definition_version(get_session(), key, version)
    return stored_document(definition.bpmn_xml, filename=f"{key}-v{version}.bpmn")


@bp.get("/<key>/draft")
def draft(key: str):
    saved = deployment.get_draft(get_session(), key)
    if saved is None:
        abort(404)
    return stored_document(saved.bpmn_xml)


@bp.post("/<key>/draft/discard")
def discard_draft(key: str):
    session = get_session()
    deployment.discard_draft(session, key)
    session.commit()
    flash(f"已放弃流程 {key} 的草稿")
    has_versions = any(d.key == key for d in deployment.definition_versions(session))
    return redirect(url_for("editor.edit", key=key) if has_versions else url_for("editor.index"))


@bp.post("/instances/<int:instance_id>/migrate")
def migrate(instance_id: int):
    session = get_session()
    try:
        row = deployment.migrate_instance(session, instance_id, actor=current_user.username)
    except EngineError as refused:
        session.rollback()
        return render_index(refused.status, migrate_errors={instance_id: refused.message})
    session.commit()
    flash(f"流程实例 {instance_id} 已迁移到 {row.definition.key} 第 {row.definition.version} 版")
    return redirect(url_for("editor.index"))


# -- the modeler's JSON requests ----------------------------------------------------------------


@bp.get("/<key>/deployed")
def deployed(key: str):
    """What a new version would be compared with before 部署为新版本: the newest deployed version (its XML's
    address; null for a process never deployed) and the unfinished instances per version, which stay there."""
    session = get_session()
    overview = deployment.process_overview(session, key)
    newest = overview[0].newest if overview else None
    staying = deployment.unfinished_by_version(session, key)
    return jsonify(key=key, version=newest.version if newest else None,
                   xml_url=url_for("editor.download", key=key, version=newest.version) if newest else None,
                   unfinished=sum(staying.values()),
                   by_version=[{"version": version, "unfinished": count} for version, count in staying.items()])


@bp.post("/<key>/draft")
def save_draft(key: str):
    if not KEY.fullmatch(key):
        return refusal(f"“流程标识”{key} 不是合法的流程标识", 422)
    session = get_session()
    saved = deployment.save_draft(session, key, xml_from_body(), saved_by=current_user.username)
    session.commit()
    return jsonify(message=saved_message(saved.saved_at), saved_at=saved.saved_at.isoformat())


def problems_json(problems) -> list[dict]:
    return [problem.as_json() for problem in problems]


@bp.post("/<key>/roles")
def save_roles(key: str):
    """``{name: unit or group (code or name), or "" to drop}`` from the 角色对应 panel: the same mapping as /roles
    and ``PUT /api/process-definitions/<key>/roles``, for every version of the process. 422 naming each name."""
    session, body = get_session(), request.get_json(silent=True)
    try:
        roles.require_mapper(current_user.role)
        mapped = roles.set_role_mappings(session, key, body)
    except NotAllowed as refused:
        return refusal(str(refused), 403)
    except FormInvalid as invalid:
        return refusal(f"未保存角色对应：{invalid}", 422, errors=invalid.errors)
    session.commit()
    return jsonify(message="已保存角色对应：之后到达这些泳道或候选组的任务交给所选单位",
                   roles=[name.as_json() | {"routed": name.routed} for name in mapped])


@bp.post("/validate")
def validate():
    checked = deployment.check_diagram(get_session(), xml_from_body(), source="流程图")
    get_session().rollback()
    message = f"发现 {len(checked.problems)} 个问题，须修改后才能部署" if checked.problems else "校验通过，可以部署"
    return jsonify(message=message, problems=problems_json(checked.problems),
                   warnings=problems_json(checked.warnings), notes=checked.notes)


@bp.post("/deploy")
def deploy():
    session, xml = get_session(), xml_from_body()
    try:
        definitions, notes = deployment.deploy_diagram(session, xml, source="流程图", deployed_by=current_user.username)
    except deployment.DiagramRefused as refused:
        return refusal(f"未部署：发现 {len(refused.problems)} 个问题", 422, problems=problems_json(refused.problems))
    for definition in definitions:
        deployment.discard_draft(session, definition.key)  # the draft is now a version
    session.commit()
    deployed = [{"key": d.key, "version": d.version, "name": d.name, "url": url_for("editor.edit", key=d.key)}
                for d in definitions]
    message = "已部署：" + "、".join(f"{d.name or d.key}（{d.key}）第 {d.version} 版" for d in definitions)
    return jsonify(message=message, definitions=deployed, notes=notes), 201
