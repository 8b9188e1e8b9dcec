"""The steps of a deployed diagram as analytics needs them: its user tasks, its call activities (and which
process each calls) and its timer events, read from the stored BPMN XML with the same safe parser settings as
the engine's (no DTD, no entities, no network)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
TIMER_HOLDERS = ("boundaryEvent", "intermediateCatchEvent", "startEvent")


@dataclass(frozen=True)
class Step:
    """One element of the diagram an overlay is drawn on: ``kind`` is ``user`` (a user task), ``call`` (a call
    activity; ``called`` is the process key it calls) or ``timer`` (a timer event)."""

    element_id: str
    name: str
    kind: str
    called: str | None = None


def _parse(bpmn_xml: str) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(bpmn_xml.encode("utf-8"), parser=parser)


def _process(tree: etree._Element, key: str) -> etree._Element | None:
    processes = tree.findall(f"{{{BPMN_NS}}}process")
    return next((p for p in processes if p.get("id") == key), processes[0] if processes else None)


def steps(bpmn_xml: str, key: str) -> list[Step]:
    """The user tasks, call activities and timer events of process ``key`` in document order (elements of
    embedded subprocesses included)."""
    process = _process(_parse(bpmn_xml), key)
    if process is None:
        return []
    found = []
    for element in process.iter(f"{{{BPMN_NS}}}*"):
        tag, element_id = etree.QName(element).localname, element.get("id")
        name = element.get("name") or element_id
        if tag == "userTask":
            found.append(Step(element_id, name, "user"))
        elif tag == "callActivity":
            found.append(Step(element_id, name, "call", element.get("calledElement")))
        elif tag in TIMER_HOLDERS and element.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None:
            found.append(Step(element_id, name, "timer"))
    return found


def called_keys(bpmn_xml: str, key: str) -> set[str]:
    """The process keys the call activities of ``key`` call."""
    return {step.called for step in steps(bpmn_xml, key) if step.kind == "call" and step.called}


def reachable(start: str, calls: Mapping[str, Iterable[str]]) -> set[str]:
    """``start`` and every process it calls, directly or through others (``calls``: key → keys it calls)."""
    seen, todo = set(), [start]
    while todo:
        key = todo.pop()
        if key not in seen:
            seen.add(key)
            todo.extend(calls.get(key, ()))
    return seen


def hosts(key: str, calls: Mapping[str, Iterable[str]]) -> set[str]:
    """The process keys whose instances may hold tasks of ``key``: itself and every process calling it,
    directly or through others (a called process runs inside its caller's instance)."""
    return {host for host in calls if key in reachable(host, calls)} | {key}
