"""The API's process instances: starting one by process key, and reading one with its open tasks and history."""
from __future__ import annotations

from flask import g, jsonify

from engine import NotFound, ProcessInstance
from workflows.cases import starting
from workflows.forms import FormInvalid
from workflows.tasks.permissions import may_view_instance

from ..core.db import get_process_engine, get_session
from .common import bp, instance_json, json_body


@bp.post("/process-instances")
def start_instance():
    body = json_body()
    unknown = set(body) - {"process_key", "business_key", "data"}
    if unknown:
        raise FormInvalid({name: "没有这个字段" for name in unknown})
    session = get_session()
    instance = starting.start(session, get_process_engine(), g.actor, body.get("process_key"), body.get("business_key"),
                              body.get("data"))
    session.commit()
    return jsonify(instance_json(instance.row)), 201


@bp.get("/process-instances/<int:instance_id>")
def instance(instance_id: int):
    session = get_session()
    row = session.get(ProcessInstance, instance_id)
    if row is None or not may_view_instance(session, g.actor, row.id):
        raise NotFound(f"流程实例 {instance_id} 不存在")
    history = [{"at": e.at.isoformat(), "kind": e.kind, "task_name": e.task_name, "actor": e.actor, "data": e.data}
               for e in get_process_engine().history(row.id)]
    return jsonify(instance_json(row) | {"history": history})
