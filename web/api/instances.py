"""The API's process instances: starting any process by key, listing them (everything for the overseers, 我发起的 for
everyone), reading one with its open tasks and history, and cancelling one (the office)."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from engine import NotFound, ProcessInstance
from workflows.forms import FormInvalid
from workflows.processes import instances, starting_any
from workflows.tasks.permissions import may_view_instance

from ..core.db import get_process_engine, get_session
from .common import bp, body_fields, instance_json, json_body

MAX_KEY = 200


@bp.post("/process-instances")
def start_instance():
    body = json_body()
    unknown = set(body) - {"process_key", "business_key", "data"}
    if unknown:
        raise FormInvalid({name: "没有这个字段" for name in unknown})
    request_key = request.headers.get("Idempotency-Key", "").strip() or None
    if request_key is not None and len(request_key) > MAX_KEY - 4:
        raise FormInvalid({"Idempotency-Key": f"不能超过 {MAX_KEY - 4} 个字符"})
    session, engine = get_session(), get_process_engine()
    key = f"api:{g.actor.username}:{request_key}" if request_key else None
    try:
        instance = starting_any.start_any(session, engine, g.actor, body.get("process_key"), body.get("business_key"),
                                          body.get("data"), request_key=key)
    except starting_any.DuplicateStart:
        session.rollback()
        instance = starting_any.started_for_request(session, engine, key)
    session.commit()
    return jsonify(instance_json(instance.row)), 201


def _filters() -> instances.InstanceFilters:
    args = request.args
    version = args.get("version", "")
    if version and not version.isdigit():
        abort(400, "参数 version 应为整数")
    if args.get("status") and args["status"] not in instances.STATUSES:
        abort(400, f"参数 status 只能是：{'、'.join(instances.STATUSES)}")
    return instances.InstanceFilters(process=args.get("process"), version=int(version) if version else None,
                                     status=args.get("status"), started_by=args.get("started_by"),
                                     business_key=args.get("business_key"), project=args.get("project"))


@bp.get("/process-instances")
def list_instances():
    """``started_by=me`` (what I started) or ``started_by=my_unit`` for everyone; any filter for the overseers."""
    session, who = get_session(), request.args.get("started_by")
    if who in ("me", "my_unit") and set(request.args) == {"started_by"}:
        rows = instances.started_by_me(session, g.actor, whole_unit=who == "my_unit")
    else:
        instances.require_reader(g.actor)
        filters = _filters()
        if who == "me":
            filters.started_by = g.actor.username
        rows = instances.list_instances(session, filters)
    return jsonify([row.as_json() for row in rows])


@bp.get("/process-instances/<int:instance_id>")
def instance(instance_id: int):
    session = get_session()
    row = session.get(ProcessInstance, instance_id)
    if row is None or not may_view_instance(session, g.actor, row.id):
        raise NotFound(f"流程实例 {instance_id} 不存在")
    history = [{"at": e.at.isoformat(), "kind": e.kind, "task_name": e.task_name, "actor": e.actor, "data": e.data}
               for e in get_process_engine().history(row.id)]
    return jsonify(instance_json(row) | {"history": history})


@bp.post("/process-instances/<int:instance_id>/cancel")
def cancel_instance(instance_id: int):
    (reason,) = body_fields("reason")
    session = get_session()
    row = instances.cancel(session, get_process_engine(), g.actor, instance_id, reason)
    session.commit()
    return jsonify(instance_json(row))
