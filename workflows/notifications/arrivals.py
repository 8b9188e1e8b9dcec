"""New tasks and incidents as messages: every user task that becomes ready for a unit tells that unit; every
incident (a failed step, recorded by the worker or a retry) tells the user who started the instance.

Tasks arrive by many paths — a start page, a completion, a timer fired by the worker, the plan's activation, a
message between processes — and engine/ (which knows no units nor messages) writes them all in one place,
``BpmnEngine._sync_human_tasks``. Rather than a call after each path, one ``before_flush`` hook sees every new
``human_task`` row in the session and adds its message to the same flush: no path is forgotten, and a rolled back
step leaves no message behind. The readers and robots of all the flush's units are read by one query. Incidents
the same way: ``BpmnEngine.record_incident`` (engine/incident_ops.py) adds an ``incident`` row, and this hook adds
the starter's message to the same transaction."""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from engine import HumanTask, Incident, ProcessInstance

from .messages import incident_on_instance, notify
from .outbox import recipients_read_once


def _tasks_arrived(session: Session, _flush_context, _instances) -> None:
    arrived = [row for row in session.new if isinstance(row, HumanTask) and row.assigned_unit and row.state == "ready"]
    if not arrived:
        return
    with recipients_read_once(session, {task.assigned_unit for task in arrived}):
        for task in arrived:
            key = task.instance.business_key if task.instance is not None else None
            text = f"新待办：{task.name}" + (f"（{key}）" if key else "")
            notify(session, "task_arrived", text, at=task.created_at, unit_code=task.assigned_unit, task=task)


def _incidents_recorded(session: Session, _flush_context, _instances) -> None:
    for incident in [row for row in session.new if isinstance(row, Incident)]:
        # Reading the starter must not flush again from inside this flush.
        with session.no_autoflush:
            instance = session.get(ProcessInstance, incident.instance_id)
            if instance is not None:
                incident_on_instance(session, instance, incident.message, at=incident.created_at)


def install() -> None:
    """Hook every session of the process (the app and its worker call this once at start; twice is harmless)."""
    if not event.contains(Session, "before_flush", _tasks_arrived):
        event.listen(Session, "before_flush", _tasks_arrived)
    if not event.contains(Session, "before_flush", _incidents_recorded):
        event.listen(Session, "before_flush", _incidents_recorded)
