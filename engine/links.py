"""Link events (BPMN's "go to" on one page): a link throw event continues at the link catch event of the same
name in the same process or sub-process. SpiffWorkflow 3.2 has no link events, so before parsing each pair is
made plain: the throw gets a sequence flow to its catch, and both become intermediate events without a
definition, which pass straight through (the stored XML stays the modeler's). A throw without its catch, or a name
caught twice, cannot run and refuses the diagram naming the element.
"""
from __future__ import annotations

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_LINK = f"{{{BPMN_NS}}}linkEventDefinition"
_THROW, _CATCH = f"{{{BPMN_NS}}}intermediateThrowEvent", f"{{{BPMN_NS}}}intermediateCatchEvent"


def _links(container, tag: str) -> list[tuple[etree._Element, str]]:
    """(event, link name) of the container's own link events of one kind (throw or catch)."""
    found = []
    for event in container.iterchildren(tag):
        definition = event.find(_LINK)
        if definition is not None:
            found.append((event, (definition.get("name") or event.get("name") or "").strip()))
    return found


def _containers(tree):
    return tree.iter(*(f"{{{BPMN_NS}}}{name}" for name in ("process", "subProcess", "transaction")))


def unpaired_links(tree) -> list[tuple[str | None, str]]:
    """(element id, reason) for each link throw without a catch of its name and each name caught twice."""
    found = []
    for container in _containers(tree):
        catches = _links(container, _CATCH)
        names = [name for _, name in catches]
        found += [(event.get("id"), f"链接事件“{name}”有多个同名的捕获事件，无法确定跳转到哪里")
                  for event, name in catches if names.count(name) > 1]
        found += [(event.get("id"), f"链接抛出事件“{name}”没有同名的链接捕获事件，无法跳转")
                  for event, name in _links(container, _THROW) if name not in names]
    return found


def links_as_flows(tree):
    """Each link throw flows to its catch; both pass through (see the module's docstring). Changes the tree in
    place and returns it; unpaired links are left to :func:`unpaired_links`."""
    for container in _containers(tree):
        catches = {name: event for event, name in _links(container, _CATCH)}
        for event, name in _links(container, _THROW):
            target = catches.get(name)
            if target is None:
                continue
            etree.SubElement(container, f"{{{BPMN_NS}}}sequenceFlow", id=f"{event.get('id')}__link",
                             sourceRef=event.get("id"), targetRef=target.get("id"))
        for event in [event for event, _ in _links(container, _THROW) + _links(container, _CATCH)]:
            event.remove(event.find(_LINK))
            event.tag = _THROW
    return tree
