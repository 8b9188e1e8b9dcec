"""Administration for the office and the administrator: unit groups, user accounts (and their e-mail addresses)
and their API tokens, importing a year's plan, the group robots and the outbound notifications not yet sent."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from workflows.accounts import administration, tokens
from engine import NotFound
from workflows.accounts.models import ROLES, User
from workflows.directory.models import UNIT_KINDS, Unit
from workflows.notifications import delivery, outbox
from workflows.notifications.models import RobotWebhook
from workflows.plan import spreadsheet as plan_import
from workflows.plan.models import Plan
from workflows.projects import plan_preview

from .core.db import get_session
from .shared.guards import role_guard

bp = Blueprint("admin", __name__, url_prefix="/admin")
MANAGERS = ("office", "admin")
USER_FIELDS = ("username", "display_name", "unit_code", "role", "password")
PLAN_FIELDS = ("year", "title", "issued_on")
# Only the office and the administrator; auditors read everything else but change nothing here.
role_guard(bp, MANAGERS, "管理页面只有区推进办和系统管理员可以使用", "admin/refused.html")


@bp.errorhandler(administration.AdminError)
def refused(error: administration.AdminError):
    get_session().rollback()
    return render_template("admin/refused.html", message=str(error)), error.status


@bp.errorhandler(plan_preview.PlanLocked)
def plan_locked(error: plan_preview.PlanLocked):
    get_session().rollback()
    return render_template("admin/refused.html", message=str(error)), 409


@bp.get("")
def index():
    return render_template("admin/index.html")


@bp.get("/units")
def units():
    return render_template("admin/units.html", units=administration.units_with_groups(get_session()), kinds=UNIT_KINDS)


@bp.route("/units/<code>", methods=["GET", "POST"])
def unit(code: str):
    session = get_session()
    group = administration.get_unit(session, code)
    if request.method == "POST":
        try:
            administration.set_group_members(session, code, request.form.getlist("members"))
        except administration.AdminError as error:
            session.rollback()
            return _render_unit(group, error=str(error), status=error.status)
        session.commit()
        flash(f"已保存“{group.name}”的成员（{len(group.members)} 个）")
        return redirect(url_for("admin.unit", code=code))
    return _render_unit(group)


def _render_unit(group, error: str | None = None, status: int = 200):
    session = get_session()
    choices = administration.possible_members(session, group) if group.members_set_by_office else []
    return render_template("admin/unit.html", group=group, choices=choices, error=error, kinds=UNIT_KINDS,
                           allowed=[UNIT_KINDS[kind] for kind in administration.member_kinds(group)]), status


@bp.route("/users", methods=["GET", "POST"])
def users():
    if request.method == "GET":
        return _render_users()
    session, form = get_session(), {name: request.form.get(name, "") for name in USER_FIELDS}
    try:
        user = administration.create_account(session, acting_role=current_user.role, **form)
    except administration.AdminError as error:
        session.rollback()
        return _render_users(form={**form, "password": ""}, errors={error.field or "username": str(error)},
                             status=error.status)
    session.commit()
    flash(f"已创建用户 {user.username}")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    session = get_session()
    try:
        user = administration.reset_password(session, acting_role=current_user.role, user_id=user_id,
                                             password=request.form.get("password", ""))
    except administration.AdminError as error:
        session.rollback()
        return _render_users(row_errors={user_id: str(error)}, status=error.status)
    session.commit()
    flash(f"已重设用户 {user.username} 的密码")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    session, active = get_session(), request.form.get("active") == "1"
    try:
        user = administration.set_active(session, acting_username=current_user.username, acting_role=current_user.role,
                                         user_id=user_id, active=active)
    except administration.AdminError as error:
        session.rollback()
        return _render_users(row_errors={user_id: str(error)}, status=error.status)
    session.commit()
    flash(f"已{'启用' if active else '停用'}用户 {user.username}")
    return redirect(url_for("admin.users"))


def _render_users(form: dict | None = None, errors: dict | None = None, row_errors: dict | None = None,
                  status: int = 200):
    session = get_session()
    units = [unit for unit in administration.units_with_groups(session) if not unit.is_group]
    return render_template("admin/users.html", users=administration.users(session), units=units, roles=ROLES,
                           form=form or {}, errors=errors or {}, row_errors=row_errors or {}), status


@bp.get("/tokens")
def api_tokens():
    return _render_tokens()


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    session = get_session()
    row = administration.revoke_token(session, acting_role=current_user.role, token_id=token_id)
    session.commit()
    flash(f"已撤销 {row.user.username} 的 API 令牌“{row.name or row.id}”")
    return redirect(url_for("admin.api_tokens"))


def _render_tokens():
    now = datetime.utcnow()
    return render_template("admin/tokens.html", tokens=tokens.tokens_of(get_session()), states=tokens.STATES,
                           state=lambda row: tokens.state(row, now))


@bp.get("/plans")
def plans():
    return _render_plans()


def _render_plans(form: dict | None = None, import_error: plan_import.PlanImportError | None = None,
                  status: int = 200):
    plan_list = get_session().scalars(select(Plan).order_by(Plan.year.desc())).all()
    return render_template("admin/plans.html", plans=plan_list, form=form or {}, error=import_error), status


@bp.post("/plans/preview")
def plan_preview_page():
    session, form = get_session(), {name: request.form.get(name, "") for name in PLAN_FIELDS}
    upload_file = request.files.get("file")
    content = upload_file.read(plan_import.MAX_BYTES + 1) if upload_file else b""
    try:
        upload = plan_import.read_upload(session, filename=upload_file.filename if upload_file else "",
                                         content=content, **form)
        preview = plan_preview.preview(session, upload)
    except plan_import.PlanImportError as error:
        return _render_plans(form, error, 422)
    return render_template("admin/preview.html", preview=preview, carried=plan_preview.upload_as_json(upload))


@bp.post("/plans/confirm")
def plan_confirm():
    session = get_session()
    try:
        result = plan_preview.confirm(session, plan_preview.upload_from_json(request.form.get("plan", "")))
    except plan_import.PlanImportError as error:
        session.rollback()
        return _render_plans(import_error=error, status=422)
    session.commit()
    flash(f"计划已导入：新增 {result.created} 项，更新 {result.updated} 项，删除 {result.removed} 项，"
          f"未变 {result.unchanged} 项")
    return redirect(url_for("admin.plans"))


@bp.post("/users/<int:user_id>/email")
def set_email(user_id: int):
    """The user's e-mail address for outbound notifications ('' removes it)."""
    session = get_session()
    user = session.get(User, user_id)
    if user is None:
        return render_template("admin/refused.html", message=f"用户 {user_id} 不存在"), 404
    try:
        user.email = outbox.checked_email(request.form.get("email", ""))
    except outbox.ChannelError as error:
        session.rollback()
        return _render_users(row_errors={user_id: f"电子邮箱：{error}"}, status=422)
    session.commit()
    flash(f"已{'设置' if user.email else '清除'}用户 {user.username} 的电子邮箱")
    return redirect(url_for("admin.users"))


@bp.get("/outbox")
def outbox_page():
    """外发通知: deliveries not yet sent (failed first) with their last error, each with 重发."""
    return render_template("admin/outbox.html", rows=delivery.undelivered(get_session()))


@bp.post("/outbox/<int:item_id>/resend")
def resend(item_id: int):
    session = get_session()
    try:
        item = delivery.resend(session, item_id, datetime.utcnow())
    except NotFound as error:
        session.rollback()
        return render_template("admin/refused.html", message=error.message), 404
    session.commit()
    flash(f"已安排重发（{item.channel_name} → {item.address}），worker 下一轮发送")
    return redirect(url_for("admin.outbox_page"))


@bp.get("/webhooks")
def webhooks():
    """群机器人: a 企业微信/钉钉 group robot's URL per unit (the office's own unit included)."""
    return _render_webhooks()


@bp.post("/webhooks/<code>")
def set_webhook(code: str):
    session = get_session()
    unit = session.get(Unit, code)
    if unit is None or unit.is_group:
        return render_template("admin/refused.html", message=f"单位 {code} 不存在"), 404
    try:
        row = outbox.set_webhook(session, code, request.form.get("url", ""))
    except outbox.ChannelError as error:
        session.rollback()
        return _render_webhooks(errors={code: str(error)}, status=422)
    session.commit()
    flash(f"已{'设置' if row else '删除'}“{unit.name}”的群机器人")
    return redirect(url_for("admin.webhooks"))


def _render_webhooks(errors: dict | None = None, status: int = 200):
    session = get_session()
    units = [unit for unit in administration.units_with_groups(session) if not unit.is_group]
    urls = {row.unit_code: row.url for row in session.scalars(select(RobotWebhook))}
    return render_template("admin/webhooks.html", units=units, urls=urls, errors=errors or {}), status
