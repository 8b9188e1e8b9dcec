"""Starting any deployed process, as Camunda's Tasklist does: who may, with which start form, under which key.

Who may start a process is the diagram's ``camunda:candidateStarterGroups`` (unit codes or names, group codes or
names, the roles ``office``, ``supervisor`` and ``unit``, or names the office mapped) and
``camunda:candidateStarterUsers`` (usernames); a process that says neither is for the office. The administrator
may start any; an auditor none. The five processes with a domain start service (cases/starting.py ``STARTERS``)
start through it, with its own rules. Processes that run inside another (a call activity's callee) and the
延期申请 process (started by 申请延期 on a task) are not started by hand.

The start event's ``camunda:formData`` is checked like a task's form (workflows/forms.py); a field of type
``project`` takes a plan project's key (``2017-05``) and links the instance to that project. The variable named
by ``camunda:initiator`` gets the starting user's username, and ``<initiator>_unit`` their unit. The business
key is the one given, or ``<process key>-<YYYYMMDD>-<NNN>``. A ``request_key`` (the start form's one-time token
or the API's ``Idempotency-Key``) makes a repeated submission return the instance the first one started.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import BpmnEngine, Instance, ProcessDefinition, ProcessInstance, events
from engine.camunda_attributes import start_of
from engine.parser import BPMN_NS, safe_tree

from ..accounts.actor import Actor, NotAllowed
from ..cases import starting as domain
from ..directory.routing import Router
from ..directory.units import unit_resolver
from ..forms import FieldSpec, FormInvalid, field_specs, validate
from ..plan.projects import project_for
from .models import InstanceStart

NOT_BY_HAND = frozenset({"deadline_extension"})
_CALLED: dict[frozenset, frozenset[str]] = {}
PROJECT_TYPE = "project"


class DuplicateStart(Exception):
    """Another submission with the same request key is starting (or started) the instance; roll back and look."""


@dataclass
class StartOption:
    """A process a person may start: its newest version, the process's documentation and its start form."""

    definition: ProcessDefinition
    documentation: str
    fields: list[FieldSpec]


def start_form(definition: ProcessDefinition) -> list[FieldSpec]:
    """The start event's form fields (empty list: no form)."""
    return field_specs(list(start_of(definition).form_fields))


def _called_keys(definitions: list[ProcessDefinition]) -> frozenset[str]:
    """Keys that some deployed process calls: they run inside their caller. Read once per set of versions."""
    versions = frozenset((d.id, d.checksum) for d in definitions)
    found = _CALLED.get(versions)  # once, into a local name: a threaded server's other request may clear the cache
    if found is None:
        called = set()
        for definition in definitions:
            tree = safe_tree(definition.bpmn_xml.encode("utf-8"), definition.key)
            called |= {el.get("calledElement") for el in tree.iter(f"{{{BPMN_NS}}}callActivity")
                       if el.get("calledElement")}
        found = frozenset(called)
        _CALLED.clear()  # only the newest set of versions is ever asked for again
        _CALLED[versions] = found
    return found


def _by_hand(definitions: list[ProcessDefinition]) -> list[ProcessDefinition]:
    """Processes a person starts: not called by another, not the product's own automatic ones, and with a plain
    start event (a message, signal or timer start is started by its event)."""
    called = _called_keys(definitions)
    return [d for d in definitions if d.key not in called and d.key not in NOT_BY_HAND and events.started_by_hand(d)]


def may_start(session: Session, actor: Actor, definition: ProcessDefinition) -> bool:
    """Whether this person may start the process (see the module's docstring)."""
    if actor.role == "auditor":
        return False
    if definition.key in domain.STARTERS:
        return domain.may_start(session, actor, definition.key)
    if actor.role == "admin":
        return True
    start = start_of(definition)
    if not start.starter_groups and not start.starter_users:
        return actor.role == "office"
    return actor.username in start.starter_users or any(
        _in_group(session, actor, group, definition.key) for group in start.starter_groups)


def _in_group(session: Session, actor: Actor, group: str, process_key: str) -> bool:
    if group in ("office", "supervisor", "unit"):
        return actor.role == group
    unit = Router(session).named_unit(group, process_key)
    if unit is None:
        return False
    return unit.code == actor.unit_code or any(member.code == actor.unit_code for member in unit.members)


def start_options(session: Session, engine: BpmnEngine, actor: Actor, *, domain_too: bool = True) -> list[StartOption]:
    """The newest version of every process this person may start by hand, by name."""
    options = [StartOption(d, start_of(d).documentation, start_form(d))
               for d in _by_hand(engine.latest_definitions())
               if (domain_too or d.key not in domain.STARTERS) and may_start(session, actor, d)]
    return sorted(options, key=lambda option: (option.definition.name, option.definition.key))


def startable_definition(session: Session, engine: BpmnEngine, actor: Actor, key: Any) -> ProcessDefinition:
    """The newest version of ``key`` if this person may start it: FormInvalid (no such process), NotAllowed."""
    definition = engine.latest_definition(key, required=False) if isinstance(key, str) else None
    if definition is None:
        raise FormInvalid({"process_key": f"没有可以发起的流程：{key}"})
    if definition not in _by_hand(engine.latest_definitions()):
        raise FormInvalid({"process_key": f"流程“{definition.name}”没有空启动事件，只由消息、信号或定时器启动，不能手工发起"
                                          "（消息启动的流程请发送该消息：POST /api/messages）"})
    if not may_start(session, actor, definition):
        raise NotAllowed(f"您不能发起流程“{definition.name}”")
    return definition


def start_any(session: Session, engine: BpmnEngine, actor: Actor, key: Any, business_key: Any, data: Any,
              *, request_key: str | None = None) -> Instance:
    """Start the process as this person; returns the earlier instance for a request key already used.

    Raises FormInvalid (422, per field), NotAllowed (403), DuplicateStart (a concurrent twin: roll back, then
    ``started_for_request`` finds its instance)."""
    earlier = started_for_request(session, engine, request_key)
    if earlier is not None:
        return earlier
    definition = startable_definition(session, engine, actor, key)
    _check_shape(business_key, data)
    if definition.key in domain.STARTERS:
        instance, project_key = domain.start(session, engine, actor, key, business_key, data), None
    else:
        instance, project_key = _start_general(session, engine, actor, definition, business_key, data or {})
    session.add(InstanceStart(instance_id=instance.id, process_key=definition.key, started_by=actor.username,
                              unit_code=actor.unit_code, project_key=project_key, request_key=request_key))
    try:
        session.flush()
    except IntegrityError as error:
        raise DuplicateStart(request_key) from error
    return instance


def started_for_request(session: Session, engine: BpmnEngine, request_key: str | None) -> Instance | None:
    if not request_key:
        return None
    instance_id = session.scalar(select(InstanceStart.instance_id).where(InstanceStart.request_key == request_key))
    return engine.get_instance(instance_id) if instance_id is not None else None


def _check_shape(business_key: Any, data: Any) -> None:
    errors = {}
    if business_key not in (None, "") and (not isinstance(business_key, str) or len(business_key) > 200):
        errors["business_key"] = "业务编号应为不超过 200 字的文本"
    if data is not None and not isinstance(data, dict):
        errors["data"] = "data 应为对象（字段名 → 值）"
    if errors:
        raise FormInvalid(errors)


def _start_general(session: Session, engine: BpmnEngine, actor: Actor, definition: ProcessDefinition,
                   business_key: str | None, data: dict) -> tuple[Instance, str | None]:
    fields = start_form(definition)
    clean = validate([_as_text(f) for f in fields], data, unit_resolver(session))
    project_key = _project_of(session, fields, clean)
    initiator = start_of(definition).initiator
    if initiator:
        clean |= {initiator: actor.username, f"{initiator}_unit": actor.unit_code}
    key = business_key or _made_business_key(session, engine, definition.key)
    return engine.start_instance(definition.key, business_key=key, data=clean, actor=actor.username), project_key


def _as_text(spec: FieldSpec) -> FieldSpec:
    return replace(spec, type="string") if spec.type == PROJECT_TYPE else spec


def _project_of(session: Session, fields: list[FieldSpec], clean: dict) -> str | None:
    for spec in fields:
        if spec.type == PROJECT_TYPE and clean.get(spec.id):
            project = project_for(session, clean[spec.id])
            if project is None:
                raise FormInvalid({spec.id: f"“{spec.label}”应为计划中的项目编号，如 2017-05"})
            clean[spec.id] = project.business_key
            return project.business_key
    return None


def _made_business_key(session: Session, engine: BpmnEngine, key: str) -> str:
    prefix = f"{key}-{engine.clock.today():%Y%m%d}-"
    made = ProcessInstance.business_key.startswith(prefix, autoescape=True)
    count = session.scalar(select(func.count(ProcessInstance.id)).where(made))
    return f"{prefix}{count + 1:03d}"

