"""Which process a task belongs to when its instance runs several: a call activity's tasks (汇总填报季度报告 in
季度信息报送, 签收约请 in 约请签收答复) live in the calling instance (项目全年推进, 条块约请), whose definition is
the only one the task's row names. The deployed diagrams say which process holds which user task and which
processes each one calls; the inbox's 流程 filter and column read that here.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine import HumanTask, ProcessDefinition
from engine.parser import safe_tree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_TASK_ELEMENTS = ("userTask", "manualTask", "task")


@dataclass(frozen=True)
class ProcessOutline:
    """A deployed process's newest version as far as tasks go: its key and name, the ids of its human tasks
    (the ``spec_name`` of their rows), and the keys of the processes its call activities run."""

    key: str
    name: str
    tasks: frozenset[str]
    calls: frozenset[str]


_OUTLINES: dict[frozenset, dict[str, ProcessOutline]] = {}


def outlines(session: Session) -> dict[str, ProcessOutline]:
    """key → outline of each process's newest version. Each diagram is read once per set of versions."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")).group_by(
        ProcessDefinition.key).subquery()
    rows = session.execute(select(ProcessDefinition.id, ProcessDefinition.checksum).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))).all()
    versions = frozenset((row.id, row.checksum) for row in rows)
    # Read once into a local name: under a threaded server another request may clear the cache meanwhile.
    found = _OUTLINES.get(versions)
    if found is None:
        definitions = session.scalars(select(ProcessDefinition).where(
            ProcessDefinition.id.in_([row.id for row in rows])))
        found = {d.key: _outline(d) for d in definitions}
        _OUTLINES.clear()  # only the newest set of versions is asked for again
        _OUTLINES[versions] = found
    return found


def _outline(definition: ProcessDefinition) -> ProcessOutline:
    tree = safe_tree(definition.bpmn_xml.encode("utf-8"), definition.key)
    tasks = {el.get("id") for name in _TASK_ELEMENTS for el in tree.iter(f"{{{BPMN_NS}}}{name}")}
    calls = {el.get("calledElement") for el in tree.iter(f"{{{BPMN_NS}}}callActivity") if el.get("calledElement")}
    return ProcessOutline(definition.key, definition.name, frozenset(tasks - {None}), frozenset(calls))


def own_process(known: dict[str, ProcessOutline], instance_key: str, spec_name: str) -> ProcessOutline | None:
    """The process among ``instance_key`` and those it calls (nearest first) that holds the task; None if the
    instance's process is not deployed any more."""
    queue, seen = [instance_key], set()
    while queue:
        key = queue.pop(0)
        outline = known.get(key)
        if outline is None or key in seen:
            continue
        if spec_name in outline.tasks:
            return outline
        seen.add(key)
        queue.extend(sorted(outline.calls))
    return known.get(instance_key)


def callers(known: dict[str, ProcessOutline], key: str) -> set[str]:
    """The keys of the processes that run ``key`` through call activities, directly or further up."""
    found, frontier = set(), {key}
    while frontier:
        frontier = {outline.key for outline in known.values() if outline.calls & frontier} - found
        found |= frontier
    return found


def process_condition(session: Session, key: str):
    """A WHERE clause over a HumanTask joined to its ProcessDefinition: the task is of process ``key``, either its
    instance's own or one that a calling instance runs (by the task's diagram id)."""
    known = outlines(session)
    outline, calling = known.get(key), callers(known, key)
    if outline is None or not calling or not outline.tasks:
        return ProcessDefinition.key == key
    return or_(ProcessDefinition.key == key,
               and_(ProcessDefinition.key.in_(sorted(calling)), HumanTask.spec_name.in_(sorted(outline.tasks))))
