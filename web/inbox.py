"""The task inbox (待办/已办), claiming, and the task page with its generated form (drawn by shared/task_page.py)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from workflows.forms import FieldSpec, FormInvalid
from workflows.tasks import decisions, inbox as inboxes, notes as task_notes
from workflows.tasks.completion import complete_task

from .core.db import get_process_engine, get_session
from .core.filters import cn_datetime
from .core.inputs import db_int
from .shared.attachments import upload_from_request
from .shared.guards import guard
from .shared.task_page import get_task, picked_units, posted_action_items, render_task

bp = guard(Blueprint("inbox", __name__))
FILTERS = ("process", "project", "area", "status", "overdue", "q")


@bp.errorhandler(inboxes.ClaimConflict)
def claim_conflict(error: inboxes.ClaimConflict):
    return render_template("inbox/refused.html", message=str(error)), 409


@bp.get("/")
def home():
    """Where a person starts: the auditor, who has no tasks, on the year-end reports (which link the dashboard);
    everyone else on the inbox."""
    return redirect(url_for("reports.index" if current_user.role == "auditor" else "inbox.index"))


@bp.get("/inbox")
def index():
    session, args, clock = get_session(), request.args, get_process_engine().clock
    page = inboxes.inbox(
        session, current_user.unit_code, process=args.get("process") or None, project=args.get("project") or None,
        area=args.get("area", type=db_int), status=args.get("status") or None, overdue=bool(args.get("overdue")),
        search=args.get("q"), page=args.get("page", 1, type=db_int), today=clock.today(),
        include_unassigned=current_user.role in ("office", "admin"))
    processes, areas = inboxes.filter_choices(session)
    filters = {name: args[name] for name in FILTERS if args.get(name)}
    return render_template("inbox/index.html", page=page, processes=processes, areas=areas, filters=filters,
                           today=clock.today(), simulated=clock.simulated(),
                           subjects=decisions.subjects(session, get_process_engine(), [row.task for row in page.rows]))


@bp.get("/inbox/done")
def done():
    page = inboxes.done(get_session(), current_user.username, request.args.get("page", 1, type=db_int))
    return render_template("inbox/done.html", page=page)


@bp.post("/tasks/<int:task_id>/claim")
def claim(task_id: int):
    task = get_task(task_id)
    inboxes.claim(get_session(), task, current_user.actor)
    get_session().commit()
    flash(f"已认领“{task.name}”")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/release")
def release(task_id: int):
    task = get_task(task_id)
    inboxes.release(get_session(), task, current_user.actor)
    get_session().commit()
    flash(f"已释放“{task.name}”，本单位其他人可以认领")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("inbox.index"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.get("/tasks/<int:task_id>")
def task(task_id: int):
    return render_task(get_task(task_id))


@bp.post("/tasks/<int:task_id>")
def submit(task_id: int):
    session, task = get_session(), get_task(task_id)
    inboxes.check_not_held_by_other(task, current_user.actor)
    submitted = {spec.id: _field_value(spec) for spec in inboxes.form_fields(get_process_engine(), task) if not spec.readonly}
    try:
        complete_task(session, get_process_engine(), current_user.actor, task.id, submitted)
    except FormInvalid as invalid:
        session.rollback()
        return render_task(task, submitted, invalid.errors, 422)
    session.commit()
    flash(f"已提交“{task.name}”")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<int:task_id>/draft")
def save_draft(task_id: int):
    session, task = get_session(), get_task(task_id)
    fields = inboxes.form_fields(get_process_engine(), task)
    submitted = {spec.id: _field_value(spec) for spec in fields if not spec.readonly}
    try:
        draft = task_notes.save_draft(session, task, current_user.actor, fields, submitted,
                                      now=get_process_engine().clock.now())
    except FormInvalid as invalid:
        session.rollback()
        return render_task(task, submitted, None, 422, invalid.errors)
    session.commit()
    flash(f"草稿已保存（{cn_datetime(draft.saved_at)}），可稍后继续填写")
    return redirect(url_for("inbox.task", task_id=task.id))


@bp.post("/tasks/<int:task_id>/draft-upload")
def upload_with_draft(task_id: int):
    """The form's 上传并选中 button: the file becomes an attachment, ticked in the 附件 field that asked for it
    (``upload_for``), and the form as typed is kept as the draft, so nothing typed is lost."""
    session, task, engine = get_session(), get_task(task_id), get_process_engine()
    fields = inboxes.form_fields(engine, task)
    submitted = {spec.id: _field_value(spec) for spec in fields if not spec.readonly}
    try:
        attachment = upload_from_request(task, current_user.actor)
        target = request.form.get("upload_for", "")
        if target in submitted and any(spec.id == target and spec.type == "attachments" for spec in fields):
            submitted[target] = ",".join(filter(None, [submitted[target], str(attachment.id)]))
        task_notes.save_draft(session, task, current_user.actor, fields, submitted, now=engine.clock.now())
    except FormInvalid as refused:
        session.rollback()
        return render_task(task, submitted, None, 422, refused.errors)
    session.commit()
    flash(f"已上传并选中附件“{attachment.filename}”，已填内容已保存为草稿")
    return redirect(url_for("inbox.task", task_id=task.id))


def _field_value(spec: FieldSpec) -> str:
    if spec.type == "boolean":
        return "true" if request.form.get(spec.id) else "false"
    if spec.type == "attachments":
        return ",".join(request.form.getlist(spec.id))
    if spec.type == "units":
        return picked_units(spec)
    if spec.type == "action_items" and not spec.readonly:
        return posted_action_items(spec)
    return request.form.get(spec.id, "")
