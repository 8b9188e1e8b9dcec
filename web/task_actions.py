"""On a task's page: a unit's 延期申请, the office's 改派 (reassigning the task to another unit), and a lead's
催办 of a unit whose input its report waits for."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from engine import HumanTask
from workflows.accounts.actor import NotAllowed
from workflows.directory.models import Unit
from workflows.forms import FormInvalid
from workflows.tasks import assignment, extensions, notes

from .core.db import get_process_engine, get_session
from .shared.guards import guard
from .shared.task_page import get_task

bp = guard(Blueprint("task_actions", __name__))


@bp.app_context_processor
def helpers():
    return {"task_actions_for": actions_for}


def actions_for(task: HumanTask) -> dict:
    """What the partial on the task page offers this user (see task_actions/_on_task.html)."""
    session, actor = get_session(), current_user.actor
    may_reassign = assignment.may_reassign(actor) and task.state == "ready"
    return {"extensions": extensions.task_extensions(session, actor, task), "may_reassign": may_reassign,
            "units": assignment.reassign_choices(session) if may_reassign else []}


def _render(template: str, task: HumanTask, values=None, errors: dict | None = None, status: int = 200):
    session = get_session()
    return render_template(f"task_actions/{template}", task=task, values=values or MultiDict(), errors=errors or {},
                           units=assignment.reassign_choices(session),
                           assigned=session.get(Unit, task.assigned_unit) if task.assigned_unit else None), status


@bp.route("/tasks/<int:task_id>/extension", methods=["GET", "POST"])
def extension(task_id: int):
    task = get_task(task_id)
    extensions.check_may_request(current_user.actor, task)
    if request.method == "GET":
        return _render("extension.html", task)
    session = get_session()
    try:
        extensions.request_extension(session, get_process_engine(), current_user.actor, task.id,
                                     request.form.get("requested_due_on", ""), request.form.get("reason", ""))
    except FormInvalid as invalid:
        session.rollback()
        return _render("extension.html", task, request.form, invalid.errors, 422)
    session.commit()
    flash(f"已提交“{task.name}”的延期申请，等待区推进办审批")
    return redirect(url_for("inbox.task", task_id=task.id))


@bp.route("/tasks/<int:task_id>/reassign", methods=["GET", "POST"])
def reassign(task_id: int):
    if not assignment.may_reassign(current_user.actor):
        raise NotAllowed("只有区推进办可以改派任务")
    task = get_task(task_id)
    if request.method == "GET":
        return _render("reassign.html", task)
    session = get_session()
    try:
        assignment.reassign(session, get_process_engine(), current_user.actor, task.id, request.form.get("unit", ""),
                            request.form.get("reason", ""))
    except FormInvalid as invalid:
        session.rollback()
        return _render("reassign.html", task, request.form, invalid.errors, 422)
    session.commit()
    flash(f"已将“{task.name}”改派给{session.get(Unit, task.assigned_unit).name}")
    return redirect(url_for("inbox.task", task_id=task.id))


@bp.post("/tasks/<int:task_id>/chase/<int:other_id>")
def chase(task_id: int, other_id: int):
    session, task = get_session(), get_task(task_id)
    owed = session.get(HumanTask, other_id)  # another unit's task: chase_input checks it is this report's input
    if owed is None:
        abort(404)
    notes.chase_input(session, task, owed, current_user.actor, now=get_process_engine().clock.now())
    session.commit()
    flash(f"已催办“{owed.name}”（{session.get(Unit, owed.assigned_unit).name if owed.assigned_unit else ''}）")
    return redirect(url_for("inbox.task", task_id=task.id) + "#decision")
