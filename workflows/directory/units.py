"""The unit directory: every unit and group the plan names, read from ``data/units.yaml``.

Groups come in two sorts. Fixed groups (各街道、镇) list their members in the file and are synced on
every load. Vague groups (区相关委办局 …) are marked ``members_set_by_office``: the office picks their
members in the application, and loading the file never touches those memberships.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from .models import UNIT_KINDS, Unit

DEFAULT_UNITS_FILE = Path(__file__).resolve().parent / "data" / "units.yaml"
CODE_PATTERN = re.compile(r"^[a-z0-9_]+$")
# Characters that separate unit names inside one table cell: 区农办、区集资委和长征镇.
SEPARATORS = frozenset("、和,，;；")
_FULL_WIDTH = str.maketrans({"（": "(", "）": ")", "　": " "})
_ENTRY_KEYS = {"code", "name", "kind", "aliases", "members", "members_set_by_office"}


class DirectoryError(Exception):
    """The directory file is wrong, or a text names a unit the directory does not know."""


@dataclass(frozen=True)
class UnitEntry:
    """One unit or group as the directory file describes it."""

    code: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    members_set_by_office: bool = False

    @property
    def is_group(self) -> bool:
        return self.kind == "group"


def normalise_name(text: str) -> str:
    """The form names are compared in: full-width brackets made ASCII, no spaces."""
    return "".join(text.translate(_FULL_WIDTH).split())


# --- reading the file -------------------------------------------------------------------------


def read_units_file(path: str | Path = DEFAULT_UNITS_FILE) -> list[UnitEntry]:
    """The entries of a directory file, checked for unique codes and names and valid members."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DirectoryError(f"无法读取单位目录文件 {path}：{error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("units"), list):
        raise DirectoryError(f"单位目录文件 {path} 应有一个“units”列表")
    entries = [_entry(raw, index) for index, raw in enumerate(document["units"], start=1)]
    _check_entries(entries)
    return entries


def _entry(raw: object, index: int) -> UnitEntry:
    if not isinstance(raw, dict) or not {"code", "name", "kind"} <= raw.keys():
        raise DirectoryError(f"单位目录第 {index} 项应含 code、name、kind")
    unknown = raw.keys() - _ENTRY_KEYS
    if unknown:
        raise DirectoryError(f"单位目录第 {index} 项有未知字段：{', '.join(sorted(map(str, unknown)))}")
    code, name, kind = str(raw["code"]), normalise_name(str(raw["name"])), str(raw["kind"])
    if not CODE_PATTERN.fullmatch(code):
        raise DirectoryError(f"单位“{name}”的代码“{code}”无效：只能用小写字母、数字和 _")
    if kind not in UNIT_KINDS:
        raise DirectoryError(f"单位“{name}”的类别“{kind}”无效，可选：{', '.join(UNIT_KINDS)}")
    return UnitEntry(code=code, name=name, kind=kind,
                     aliases=tuple(normalise_name(str(alias)) for alias in raw.get("aliases") or ()),
                     members=tuple(str(member) for member in raw.get("members") or ()),
                     members_set_by_office=bool(raw.get("members_set_by_office", False)))


def _check_entries(entries: list[UnitEntry]) -> None:
    _check_unique([entry.code for entry in entries], "单位代码")
    _check_unique([name for entry in entries for name in (entry.name, *entry.aliases)], "单位名称或别名")
    kinds = {entry.code: entry.kind for entry in entries}
    for entry in entries:
        if entry.members and (not entry.is_group or entry.members_set_by_office):
            raise DirectoryError(f"“{entry.name}”不是固定单位组，不能在文件里列成员")
        if entry.is_group and not entry.members and not entry.members_set_by_office:
            raise DirectoryError(f"单位组“{entry.name}”没有成员，也没有标明 members_set_by_office")
        for member in entry.members:
            if kinds.get(member) in (None, "group"):
                raise DirectoryError(f"单位组“{entry.name}”的成员“{member}”不是目录里的单位")


def _check_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise DirectoryError(f"{what}“{value}”重复")
        seen.add(value)


# --- loading into the database ----------------------------------------------------------------


def load_directory(session: Session, path: str | Path = DEFAULT_UNITS_FILE) -> int:
    """Upsert every unit of the file and the members of its fixed groups; returns how many units it names.

    Idempotent. Units missing from the file stay; memberships of office-set groups are never touched.
    Does not commit.
    """
    entries = read_units_file(path)
    units = {entry.code: _upsert_unit(session, entry) for entry in entries}
    session.flush()
    for entry in entries:
        if entry.is_group and not entry.members_set_by_office:
            _sync_members(units[entry.code], [units[code] for code in entry.members])
    session.flush()
    return len(entries)


def _upsert_unit(session: Session, entry: UnitEntry) -> Unit:
    clash = session.scalar(select(Unit).where(Unit.name == entry.name, Unit.code != entry.code))
    if clash is not None:
        raise DirectoryError(f"名称“{entry.name}”已属于单位 {clash.code}，不能再给 {entry.code}")
    unit = session.get(Unit, entry.code)
    if unit is None:
        unit = Unit(code=entry.code)
        session.add(unit)
    fields = {"name": entry.name, "kind": entry.kind, "aliases": "\n".join(entry.aliases),
              "members_set_by_office": entry.members_set_by_office}
    for field, value in fields.items():
        if getattr(unit, field) != value:
            setattr(unit, field, value)
    return unit


def _sync_members(group: Unit, members: list[Unit]) -> None:
    if {unit.code for unit in group.members} != {unit.code for unit in members}:
        group.members = members


# --- looking units up -------------------------------------------------------------------------


def unit_index(session: Session) -> dict[str, Unit]:
    """Every unit under its normalised name and each of its aliases."""
    index: dict[str, Unit] = {}
    for unit in session.scalars(select(Unit)):
        for name in (unit.name, *unit.aliases.splitlines()):
            if name.strip():
                index[normalise_name(name)] = unit
    return index


UnitResolver = Callable[..., "str | None"]  # (name or code, kinds=None) → a unit's code, None when no unit fits


def unit_resolver(session: Session) -> UnitResolver:
    """A form's unit lookup: ``resolve(name, kinds=None)`` gives the code of the unit a code, name or alias names;
    None for a group, a name nobody has, or a unit not of one of ``kinds``. The directory is read at the first
    lookup, not before: most forms have no unit field, and their submissions then cost no query."""
    read: dict[str, dict[str, Unit]] = {}  # "names" and "codes", once read

    def resolve(name: str, kinds: tuple[str, ...] | None = None) -> str | None:
        if not read:
            read["names"] = unit_index(session)
            read["codes"] = {unit.code: unit for unit in read["names"].values()}
        unit = read["codes"].get(name) or read["names"].get(normalise_name(name))
        if unit is None or unit.is_group or (kinds and unit.kind not in kinds):
            return None
        return unit.code

    return resolve


def find_unit(session: Session, name_or_alias: str) -> Unit | None:
    return unit_index(session).get(normalise_name(name_or_alias))


def split_names(text: str, known_names: Iterable[str]) -> list[str]:
    """The known names a cell lists, in order, matching the longest name first.

    Longest first matters: 各街道、镇 contains the separator 、 and begins with 各街道.
    Raises DirectoryError naming the first piece of text that is no known name.
    """
    names = sorted({normalise_name(name) for name in known_names}, key=len, reverse=True)
    text = normalise_name(text)
    found: list[str] = []
    position = 0
    while position < len(text):
        name = next((name for name in names if text.startswith(name, position)), None)
        if name is not None:
            found.append(name)
            position += len(name)
        elif text[position] in SEPARATORS:
            position += 1
        else:
            raise DirectoryError(f"未知单位“{_piece_at(text, position)}”")
    return found


def _piece_at(text: str, position: int) -> str:
    end = position
    while end < len(text) and text[end] not in "、,，;；":
        end += 1
    return text[position:end]


def split_unit_cell(session: Session, text: str) -> list[Unit]:
    """The units and groups a table cell names, e.g. 区建交委、消防支队……和各街道、镇."""
    index = unit_index(session)
    return [index[name] for name in split_names(text, index)]


def units_as_json(session: Session) -> list[dict]:
    query = select(Unit).options(selectinload(Unit.members), selectinload(Unit.groups)).order_by(Unit.code)
    return [
        {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "groups": [group.code for group in unit.groups],
            "members": [member.code for member in unit.members],
            "members_set_by_office": unit.members_set_by_office,
        }
        for unit in session.scalars(query)
    ]
