"""Which processes a person may start through the API, and with what: one entry per process key."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from engine import BpmnEngine, Instance

from ..accounts.actor import Actor, NotAllowed
from ..directory.models import Unit
from ..forms import FormInvalid
from ..plan.projects import project_for
from ..projects.activation import LIFECYCLE, lifecycle_instance, project_data
from . import opening


def _consultation(session, engine, actor, business_key, data):
    return opening.raise_consultation(session, engine, actor.unit_code, data, actor=actor.username)


def _supervision(session, engine, actor, business_key, data):
    _require(actor, ("supervisor", "admin"), "只有督查科可以发起跟踪督查")
    return opening.open_check(session, engine, {"project": business_key, **data}, actor=actor.username)


def _meeting(session, engine, actor, business_key, data):
    _require(actor, ("office", "admin"), "只有区推进办可以召集例会")
    return opening.call_meeting(session, engine, data, actor=actor.username)


def _access(session, engine, actor, business_key, data):
    return opening.apply_for_access(session, engine, actor.unit_code, data, actor=actor.username)


def _lifecycle(session, engine, actor, business_key, data):
    _require(actor, ("office", "admin"), "只有区推进办可以启动项目流程")
    if data:
        raise FormInvalid({"data": "项目全年推进的数据由计划生成，不能自带"})
    project = project_for(session, business_key)
    if project is None:
        raise FormInvalid({"business_key": f"没有项目 {business_key}（应为 年度-序号，如 2017-05）"})
    if lifecycle_instance(session, project.business_key) is not None:
        raise FormInvalid({"business_key": f"项目 {project.business_key} 的流程已在运行"})
    return engine.start_instance(LIFECYCLE, business_key=project.business_key, actor=actor.username,
                                 data=project_data(session, project, engine.clock.today()))


def _require(actor: Actor, roles: tuple[str, ...], message: str) -> None:
    if actor.role not in roles:
        raise NotAllowed(message)


STARTERS: dict[str, Callable[..., Instance]] = {
    "unit_consultation": _consultation, "supervision": _supervision, "regular_meeting": _meeting,
    "community_affairs_access": _access, LIFECYCLE: _lifecycle,
}


# Who may start each domain process (the start pages say the same): (actor, the kind of their unit) → allowed.
WHO_MAY_START: dict[str, Callable[[Actor, str], bool]] = {
    "unit_consultation": lambda actor, kind: kind in opening.STREET_KINDS,
    "supervision": lambda actor, kind: actor.role in ("supervisor", "admin"),
    "regular_meeting": lambda actor, kind: actor.role in ("office", "admin"),
    "community_affairs_access": lambda actor, kind: kind == "department",
    LIFECYCLE: lambda actor, kind: actor.role in ("office", "admin"),
}


def may_start(session: Session, actor: Actor, process_key: str) -> bool:
    """Whether this person may start the domain process ``process_key`` (an auditor never may)."""
    unit = session.get(Unit, actor.unit_code)
    return actor.role != "auditor" and WHO_MAY_START[process_key](actor, unit.kind if unit else "")


def start(session: Session, engine: BpmnEngine, actor: Actor, process_key, business_key, data) -> Instance:
    """Start a process by its key as this person; FormInvalid names the field that is wrong."""
    if actor.role == "auditor":
        raise NotAllowed("审计账号只能查看")
    errors = {}
    if not isinstance(process_key, str) or process_key not in STARTERS:
        errors["process_key"] = f"不能通过接口启动的流程：{process_key!r}（可选：{', '.join(STARTERS)}）"
    if business_key is not None and (not isinstance(business_key, str) or len(business_key) > 200):
        errors["business_key"] = "业务编号应为不超过 200 字的文本"
    if data is not None and not isinstance(data, dict):
        errors["data"] = "data 应为对象"
    if errors:
        raise FormInvalid(errors)
    return STARTERS[process_key](session, engine, actor, business_key, data or {})
