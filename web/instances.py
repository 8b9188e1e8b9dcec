"""The instances' pages: every instance of every process with filters (/instances) and one instance's home
(/instances/<id>: diagram with done and active steps, history in words, open tasks and holders, variables,
cancel with a reason). For the office, the supervision section, auditors and the administrator."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine import InstanceNotRunning, NotFound, StepFailed
from workflows.accounts.actor import NotAllowed
from workflows.forms import FormInvalid
from workflows.processes import instances
from workflows.records.history import person_names

from .core.db import get_process_engine, get_session
from .shared.guards import role_guard

bp = Blueprint("instances", __name__)
FILTERS = ("process", "version", "status", "started_by", "business_key", "project")
# Overseers only: a unit gets 403 (its own instances are in 我发起的 and its tasks).
role_guard(bp, instances.READERS, "只有区推进办、督查科、审计和管理员可以查看全部流程实例", "instances/refused.html")


@bp.errorhandler(NotAllowed)
def not_allowed(error: NotAllowed):
    return render_template("instances/refused.html", message=str(error)), 403


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    return render_template("instances/refused.html", message=error.message), 404


def _filters() -> instances.InstanceFilters:
    args = {name: request.args.get(name, "").strip() or None for name in FILTERS}
    version = args.pop("version")
    if args["status"] not in (None, *instances.STATUSES):
        args["status"] = None
    return instances.InstanceFilters(version=int(version) if version and version.isdigit() else None, **args)


@bp.get("/instances")
def index():
    rows = instances.list_instances(get_session(), _filters())
    keys = sorted({definition.key: definition.name for definition in get_process_engine().latest_definitions()}.items())
    return render_template("instances/index.html", rows=rows, values=request.args, processes=keys,
                           statuses=instances.STATUSES, limit=instances.MAX_ROWS, people=person_names(get_session()))


def _render(instance_id: int, errors: dict | None = None, status: int = 200):
    page = instances.instance_page(get_session(), get_process_engine(), current_user.actor, instance_id)
    return render_template("instances/show.html", page=page, row=page.row, errors=errors or {},
                           statuses=instances.STATUSES, people=person_names(get_session()),
                           may_cancel=current_user.role in instances.CANCELLERS), status


@bp.get("/instances/<int:instance_id>")
def show(instance_id: int):
    return _render(instance_id)


@bp.get("/instances/<int:instance_id>/diagram")
def diagram(instance_id: int):
    return Response(get_process_engine().get_instance(instance_id).row.definition.bpmn_xml, mimetype="application/xml")


def _act(instance_id: int, action, done: str):
    """Run ``action()`` (cancel, retry) and commit, or show the page again with why it was refused: 422 for a form
    or a step that fails again, 409 for an instance not in the state the action needs."""
    session = get_session()
    try:
        action()
    except FormInvalid as invalid:
        session.rollback()
        return _render(instance_id, invalid.errors, 422)
    except StepFailed as error:
        session.rollback()
        return _render(instance_id, {"retry": f"重试仍然失败：{error.message}"}, 422)
    except InstanceNotRunning as error:
        session.rollback()
        return _render(instance_id, {"reason": error.message, "retry": error.message}, 409)
    session.commit()
    flash(done)
    return redirect(url_for("instances.show", instance_id=instance_id))


@bp.post("/instances/<int:instance_id>/cancel")
def cancel(instance_id: int):
    return _act(instance_id, lambda: instances.cancel(get_session(), get_process_engine(), current_user.actor,
                                                      instance_id, request.form.get("reason")),
                f"已取消流程实例 {instance_id}")


@bp.post("/instances/<int:instance_id>/retry")
def retry(instance_id: int):
    """重试: run the failed step of an instance in error again; if it fails again the incident stays (422)."""
    return _act(instance_id, lambda: instances.retry(get_process_engine(), current_user.actor, instance_id),
                f"流程实例 {instance_id} 已重试，故障已解除")
