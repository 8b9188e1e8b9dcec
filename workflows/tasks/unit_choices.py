"""The units a person picks from wherever a unit is chosen (a 约请's departments, a meeting's invitees, a project's
units, a task's new unit): grouped under their kinds, with the directory's groups (各街道、镇 …) that stand for their
members. Pages draw them as a checkbox list that static/picker.js makes searchable; it works without script."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..directory.models import UNIT_KINDS, Unit


@dataclass
class UnitChoices:
    """``kinds``: (kind's name, its units) in UNIT_KINDS' order; ``groups``: (group, codes of its members among the
    choices), groups without such members left out."""

    kinds: list[tuple[str, list[Unit]]] = field(default_factory=list)
    groups: list[tuple[Unit, list[str]]] = field(default_factory=list)


def unit_choices(session: Session, kinds: tuple[str, ...] | None = None, *, with_groups: bool = True) -> UnitChoices:
    """The units of these kinds (all kinds but groups when None) and, ``with_groups``, the groups of them."""
    units = session.scalars(select(Unit).where(Unit.kind != "group").order_by(Unit.code)).all()
    shown = [unit for unit in units if kinds is None or unit.kind in kinds]
    codes = {unit.code for unit in shown}
    choices = UnitChoices([(name, [u for u in shown if u.kind == kind]) for kind, name in UNIT_KINDS.items()
                           if any(u.kind == kind for u in shown)])
    if with_groups:
        groups = session.scalars(select(Unit).where(Unit.kind == "group").options(selectinload(Unit.members))
                                 .order_by(Unit.code)).all()
        choices.groups = [(group, members) for group in groups
                          if (members := [m.code for m in group.members if m.code in codes])]
    return choices


def expand_groups(session: Session, codes: list[str]) -> list[str]:
    """The codes with each group's code replaced by its members' codes, each once, in order. Unknown codes stay,
    for the form's check to name them."""
    groups = {group.code: group for group in session.scalars(
        select(Unit).where(Unit.code.in_(codes), Unit.kind == "group").options(selectinload(Unit.members)))}
    expanded = []
    for code in codes:
        expanded += [member.code for member in groups[code].members] if code in groups else [code]
    return list(dict.fromkeys(expanded))
