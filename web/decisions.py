"""Decision tables (决策表) for the office and the administrator, at /admin/decisions: the deployed decisions with
their versions, uploading a .dmn file, and the year-end scoring rules in a dmn-js editor (web/dmn_src, bundled
into web/static/dmn) with a draft, validation, a preview of the projects whose score or grade would change, and
publishing. The rules are workflows/decisions/'s; the editor's buttons post JSON here."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from engine import EngineError
from workflows.decisions import files, scoring_rules

from .core.db import get_session
from .core.headers import stored_document
from .shared.drafts import draft_label, saved_message

bp = Blueprint("decisions", __name__, url_prefix="/admin/decisions")


def _refusal(message: str, status: int, **extra):
    get_session().rollback()
    if request.is_json:
        return jsonify(message=message, **extra), status
    return render_template("decisions/refused.html", message=message), status


@bp.before_request
@login_required
def require_editor():
    if not scoring_rules.may_edit(current_user.role):
        return _refusal("决策表只有区推进办和系统管理员可以编辑", 403)
    return None


@bp.errorhandler(EngineError)
def refused(error: EngineError):
    return _refusal(error.message, error.status, problems=getattr(error, "problems", []))


def _xml_from_body() -> bytes:
    """The table the editor sent as ``{"xml": "..."}``; 422 naming the field when it is missing."""
    body = request.get_json(silent=True)
    xml = body.get("xml") if isinstance(body, dict) else None
    if not isinstance(xml, str) or not xml.strip():
        abort(make_response(_refusal("请求缺少“xml”：决策表的 XML 文本", 422, errors={"xml": "请提供决策表的 XML 文本"})))
    return xml.encode("utf-8")


@bp.get("")
def index(status: int = 200, **context):
    session = get_session()
    return render_template("decisions/index.html", versions=files.decision_versions(session),
                           draft=scoring_rules.get_draft(session), **context), status


@bp.post("/upload")
def upload():
    session, upload = get_session(), request.files.get("file")
    if upload is None or not upload.filename:
        return index(422, upload_error="请选择要上传的 DMN 文件（“文件”）")
    try:
        deployed = files.deploy_decision_file(session, upload.read(), source=upload.filename,
                                              deployed_by=current_user.username)
    except files.DecisionRefused as error:
        session.rollback()
        return index(422, upload_error=f"{upload.filename} 未部署，请修改后重新上传：", upload_problems=error.problems)
    session.commit()
    flash("已部署：" + "、".join(f"{d.name}（{d.key}）第 {d.version} 版" for d in deployed))
    return redirect(url_for("decisions.index"))


@bp.get("/<key>/versions/<int:version>.dmn")
def download(key: str, version: int):
    definition = files.decision_version(get_session(), key, version)
    return stored_document(definition.dmn_xml, filename=f"{key}-v{version}.dmn")


@bp.get("/scoring")
def scoring():
    session = get_session()
    draft = scoring_rules.get_draft(session)
    _, version = scoring_rules.published_file(session)
    opened = (draft_label(draft.saved_by, draft.saved_at) if draft
              else f"已发布的第 {version} 版" if version else "默认评分规则（尚未发布过）")
    return render_template("decisions/scoring.html", draft=draft, version=version, opened=opened)


@bp.get("/scoring/table.dmn")
def scoring_table():
    """What the editor opens: the draft, else the published table."""
    session = get_session()
    draft = scoring_rules.get_draft(session)
    return stored_document(draft.dmn_xml if draft else scoring_rules.published_file(session)[0])


@bp.post("/scoring/draft")
def save_draft():
    session = get_session()
    saved = scoring_rules.save_draft(session, _xml_from_body(), saved_by=current_user.username)
    session.commit()
    return jsonify(message=saved_message(saved.saved_at))


@bp.post("/scoring/draft/discard")
def discard_draft():
    session = get_session()
    scoring_rules.discard_draft(session)
    session.commit()
    flash("已放弃评分规则的草稿")
    return redirect(url_for("decisions.scoring"))


@bp.post("/scoring/validate")
def validate():
    scoring_rules.validated(_xml_from_body())
    return jsonify(message="校验通过，可以预览和发布", problems=[])


@bp.post("/scoring/preview")
def preview():
    changes = scoring_rules.preview(get_session(), _xml_from_body())
    get_session().rollback()
    message = f"按草稿计算，{len(changes)} 个项目的得分或等级会改变" if changes else "按草稿计算，没有项目的得分或等级改变"
    return jsonify(message=message, changes=[{
        "business_key": c.business_key, "text": c.text, "total_before": c.total_before, "total_after": c.total_after,
        "grade_before": c.grade_before, "grade_after": c.grade_after,
        "rules": [{"rule": rule, "before": before, "after": after} for rule, (before, after) in c.rules.items()]}
        for c in changes])


@bp.post("/scoring/publish")
def publish():
    session = get_session()
    version = scoring_rules.publish(session, _xml_from_body(), published_by=current_user.username)
    session.commit()
    return jsonify(message=f"评分规则已发布为第 {version} 版，年底评分从现在起按此计算", version=version)
