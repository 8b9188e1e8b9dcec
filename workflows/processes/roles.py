"""The office's mapping of the names a process routes by (lanes, candidate groups: 经办人, Clerk …) to units.

A mapping belongs to the process key, so it holds for every version deployed later. A name the directory
already knows (a unit, a role lane, ``office``) needs none but may still be given one only if it is not a unit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.camunda_attributes import role_names

from ..accounts.actor import NotAllowed
from ..directory.models import RoleMapping, Unit
from ..directory.routing import Router
from ..forms import FormInvalid
from ..runtime import process_engine

MAPPER_ROLES = frozenset({"office", "admin"})


@dataclass
class RoleName:
    """One name of a process: the unit the office mapped it to (None: not mapped), and who plays it without one."""

    name: str
    mapped_to: Unit | None
    known_as: str | None  # the unit or role the directory already resolves it to, e.g. 区民政局

    @property
    def routed(self) -> bool:
        return self.mapped_to is not None or self.known_as is not None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.mapped_to.code if self.mapped_to else None,
                "unit_name": self.mapped_to.name if self.mapped_to else None, "known_as": self.known_as}


def role_names_of(session: Session, key: str) -> list[RoleName]:
    """Every lane and candidate group name of the newest version of ``key``. NotFound if not deployed."""
    definition = process_engine(session).latest_definition(key)
    mappings = {m.name: m for m in session.scalars(select(RoleMapping).where(RoleMapping.process_key == key))}
    router = Router(session)
    names = []
    for name in role_names(definition.bpmn_xml):
        known = router.named_unit(name)
        mapped = session.get(Unit, mappings[name].unit_code) if name in mappings else None
        names.append(RoleName(name, mapped, known.name if known is not None else _role_lane(router, name)))
    return names


def _role_lane(router: Router, name: str) -> str | None:
    return "由流程数据决定" if router.knows_lane(name) else None


def set_role_mappings(session: Session, key: str, mapping: Any) -> list[RoleName]:
    """Replace the office's mappings of ``key``'s names: ``{name: unit code or name, or "" to drop it}``.

    Raises FormInvalid naming each wrong name or unit; flushes, never commits."""
    if not isinstance(mapping, dict):
        raise FormInvalid({"roles": "应为对象：名称 → 单位代码或名称"})
    names = {role.name for role in role_names_of(session, key)}
    router, errors, chosen = Router(session), {}, {}
    for name, target in mapping.items():
        if name not in names:
            errors[name] = f"流程 {key} 中没有名为“{name}”的泳道或候选组"
        elif target in (None, ""):
            chosen[name] = None
        elif not isinstance(target, str) or router.named_unit(target) is None:
            errors[name] = f"“{name}”对应的单位“{target}”不存在"
        else:
            chosen[name] = router.named_unit(target).code
    if errors:
        raise FormInvalid(errors)
    for name, unit_code in chosen.items():
        session.execute(delete(RoleMapping).where(RoleMapping.process_key == key, RoleMapping.name == name))
        if unit_code is not None:
            session.add(RoleMapping(process_key=key, name=name, unit_code=unit_code))
    session.flush()
    return role_names_of(session, key)


def require_mapper(role: str) -> None:
    if role not in MAPPER_ROLES:
        raise NotAllowed("只有区推进办和管理员可以设置角色对应")
