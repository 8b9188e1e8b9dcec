"""Every instance has a home: the list of instances of every process (filters), one instance's page (diagram
markers, history in words, open tasks and who holds them, variables), what a person started (我发起的), and
cancelling with a reason.

An instance belongs to a project when it was started with a ``project`` form field (``instance_start``) or its
business key is the project's (``2017-05``, ``督查-2017-05``: the project's lifecycle and its checks).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

from engine import BpmnEngine, HistoryEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance

from ..accounts.actor import Actor, NotAllowed
from ..accounts.models import User
from ..directory.models import Unit
from ..forms import FormInvalid
from ..records.labels import VOCABULARIES, label
from ..records.history import HistoryLine, timeline
from .models import InstanceStart

READERS = frozenset({"office", "supervisor", "auditor", "admin"})
VARIABLE_READERS = frozenset({"office", "admin"})
CANCELLERS = frozenset({"office", "admin"})
STATUSES = VOCABULARIES["instance_status"]  # the one list of labels (records/labels.py)
MAX_ROWS = 500


@dataclass
class InstanceFilters:
    """What /instances and the API filter by; each None or "" means any."""

    process: str | None = None
    version: int | None = None
    status: str | None = None
    started_by: str | None = None
    started_by_unit: str | None = None
    business_key: str | None = None
    project: str | None = None


@dataclass
class InstanceRow:
    """One instance in a list: its row, who started it, and its current step (the open tasks' names)."""

    instance: ProcessInstance
    started_by: str | None
    open_tasks: list[HumanTask] = field(default_factory=list)

    @property
    def current_step(self) -> str:
        if self.open_tasks:
            return "、".join(dict.fromkeys(task.name for task in self.open_tasks))
        return label("instance_status", self.instance.status)

    def as_json(self) -> dict[str, Any]:
        row = self.instance
        return {"id": row.id, "process_key": row.definition.key, "process_name": row.definition.name,
                "version": row.definition.version, "business_key": row.business_key, "status": row.status,
                "started_by": self.started_by, "started_at": row.started_at.isoformat(),
                "ended_at": row.ended_at.isoformat() if row.ended_at else None, "current_step": self.current_step}


@dataclass
class InstancePage:
    """One instance's page: what /instances/<id> shows."""

    row: InstanceRow
    history: list[HistoryLine]
    done: list[str]
    active: list[str]
    variables: dict[str, Any] | None  # None: this person may not see them
    unit_names: dict[str, str]
    bpmn_xml: str
    incident: Incident | None = None  # the open incident of an instance in error (element, message, when)


def require_reader(actor: Actor) -> None:
    if actor.role not in READERS:
        raise NotAllowed("只有区推进办、督查科、审计和管理员可以查看全部流程实例")


def _started_by():
    """Who started each instance: the ``started`` history event's actor."""
    return (select(HistoryEvent.instance_id, HistoryEvent.actor)
            .where(HistoryEvent.kind == "started").subquery())


def list_instances(session: Session, filters: InstanceFilters) -> list[InstanceRow]:
    """Instances matching every filter, newest first (at most MAX_ROWS)."""
    starts = _started_by()
    query = (select(ProcessInstance, starts.c.actor).options(defer(ProcessInstance.state))
             .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
             .outerjoin(starts, starts.c.instance_id == ProcessInstance.id))
    query = query.where(*_conditions(filters, starts))
    rows = session.execute(query.order_by(ProcessInstance.id.desc()).limit(MAX_ROWS)).all()
    return _with_open_tasks(session, [InstanceRow(instance, actor) for instance, actor in rows])


def _conditions(filters: InstanceFilters, starts) -> list:
    conditions = []
    if filters.process:
        conditions.append(ProcessDefinition.key == filters.process)
    if filters.version:
        conditions.append(ProcessDefinition.version == filters.version)
    if filters.status:
        conditions.append(ProcessInstance.status == filters.status)
    if filters.started_by:
        conditions.append(starts.c.actor == filters.started_by)
    if filters.started_by_unit:
        conditions.append(starts.c.actor.in_(select(User.username).where(User.unit_code == filters.started_by_unit)))
    if filters.business_key:
        conditions.append(ProcessInstance.business_key.contains(filters.business_key.strip(), autoescape=True))
    if filters.project:
        project = filters.project.strip()
        linked = select(InstanceStart.instance_id).where(InstanceStart.project_key == project)
        conditions.append(or_(ProcessInstance.id.in_(linked), ProcessInstance.business_key == project,
                              ProcessInstance.business_key == f"督查-{project}"))
    return conditions


def _with_open_tasks(session: Session, rows: list[InstanceRow]) -> list[InstanceRow]:
    by_id = {row.instance.id: row for row in rows}
    if by_id:
        for task in session.scalars(select(HumanTask).where(HumanTask.instance_id.in_(by_id),
                                                            HumanTask.state == "ready").order_by(HumanTask.id)):
            by_id[task.instance_id].open_tasks.append(task)
    return rows


def started_by_me(session: Session, actor: Actor, *, whole_unit: bool = False) -> list[InstanceRow]:
    """What this person (or their whole unit) started, of every kind, newest first, with its current step."""
    if whole_unit:
        return list_instances(session, InstanceFilters(started_by_unit=actor.unit_code))
    return list_instances(session, InstanceFilters(started_by=actor.username))


def instance_page(session: Session, engine: BpmnEngine, actor: Actor, instance_id: int) -> InstancePage:
    """The page of one instance for an overseer. NotAllowed for others, NotFound if there is no such instance."""
    require_reader(actor)
    instance = engine.get_instance(instance_id)
    starter = session.scalar(select(HistoryEvent.actor).where(HistoryEvent.instance_id == instance_id,
                                                              HistoryEvent.kind == "started"))
    row = _with_open_tasks(session, [InstanceRow(instance.row, starter)])[0]
    done, active = instance.element_states()
    variables = _plain(instance.variables()) if actor.role in VARIABLE_READERS else None
    return InstancePage(row, timeline(session, engine, instance_id), sorted(done), sorted(active), variables,
                        dict(session.execute(select(Unit.code, Unit.name)).all()), instance.row.definition.bpmn_xml,
                        engine.open_incident(instance_id))


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Variables as shown: JSON-like values as they are, anything else as text."""
    def plain(value):
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return str(value)
    return {str(k): plain(v) for k, v in sorted(data.items(), key=lambda item: str(item[0]))}


def retry(engine: BpmnEngine, actor: Actor, instance_id: int) -> ProcessInstance:
    """The office runs the failed step of an instance in error again (Camunda's retry of an incident), e.g. after
    migrating it to a corrected version. StepFailed if it fails again (the caller rolls back), InstanceNotRunning
    if the instance is not in error, NotAllowed for anyone but the office and the admin."""
    if actor.role not in CANCELLERS:
        raise NotAllowed("只有区推进办和管理员可以重试出错的流程实例")
    return engine.retry_instance(instance_id, actor=actor.username).row


def cancel(session: Session, engine: BpmnEngine, actor: Actor, instance_id: int, reason: Any) -> ProcessInstance:
    """The office stops a running instance, giving a reason (FormInvalid without one); its open tasks close."""
    if actor.role not in CANCELLERS:
        raise NotAllowed("只有区推进办和管理员可以取消流程实例")
    if not isinstance(reason, str) or not reason.strip():
        raise FormInvalid({"reason": "请填写取消的理由"})
    if len(reason) > 1000:
        raise FormInvalid({"reason": "理由不能超过 1000 个字"})
    instance = engine.cancel_instance(instance_id, actor=actor.username, reason=reason.strip())
    return instance.row

