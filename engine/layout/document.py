"""Writing the layout into the document: pools for the participants, then the BPMN DI of every shape and edge."""
from __future__ import annotations

from typing import Callable

from lxml import etree

from ..parser import safe_tree
from .geometry import (BAND_HEIGHT, COLUMN_WIDTH, LABEL_WIDTH, ORIGIN, POOL_GAP, Box, Drawing, Point, draw,
                       message_route)
from .graph import (BPMN, GATEWAYS, SUBPROCESSES, kind, lane_bands, lanes, leaf_lanes, leaves_under,
                    read_container)

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_NAMESPACES = {"bpmndi": BPMNDI, "dc": DC, "di": DI}

LABEL_FONT_SIZE = 12  # bpmn-js's default; a CJK character is about this wide, a latin one 3/5 of it
LABEL_LINE_HEIGHT = 15
LABEL_MAX_WIDTH = 90


def add_layout(bpmn_xml: bytes, *, replace: bool = False) -> bytes:
    """The document with a laid-out diagram; unchanged if it has one already, unless ``replace``."""
    root = safe_tree(bpmn_xml, "流程图")
    diagrams = root.findall(f"{{{BPMNDI}}}BPMNDiagram")
    if diagrams and not replace:
        return bpmn_xml
    for diagram in diagrams:
        _remove(diagram)
    new_id = _id_maker(root)
    collaboration = _ensure_collaboration(root, new_id)
    if collaboration is not None:
        _add_diagram(root, new_id, collaboration.get("id"), _collaboration_drawing(root, collaboration))
    else:
        for process in root.iterchildren(f"{{{BPMN}}}process"):
            _add_diagram(root, new_id, process.get("id"), draw(process, {}, 1).moved(*ORIGIN))
    keep = {prefix for element in root.iter(tag=etree.Element) for prefix in element.nsmap}
    top = {prefix: uri for prefix, uri in DI_NAMESPACES.items() if root.nsmap.get(prefix, uri) == uri}
    etree.cleanup_namespaces(root, top_nsmap=top, keep_ns_prefixes=sorted(filter(None, keep)))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def add_missing_planes(bpmn_xml: bytes) -> tuple[bytes, list[str]]:
    """The document with a diagram (plane) of its own for each sub-process drawn collapsed whose content has no
    shapes (partial DI, as a modeler saves a collapsed sub-process it never opened), and the ids of those
    sub-processes; unchanged, with no ids, when nothing is missing."""
    root = safe_tree(bpmn_xml, "流程图")
    shapes = {shape.get("bpmnElement"): shape for shape in root.iter(f"{{{BPMNDI}}}BPMNShape")}
    planes = {plane.get("bpmnElement") for plane in root.iter(f"{{{BPMNDI}}}BPMNPlane")}
    missing = [sub for sub in root.iter(*(f"{{{BPMN}}}{name}" for name in SUBPROCESSES))
               if sub.get("id") not in planes and shapes.get(sub.get("id")) is not None
               and shapes[sub.get("id")].get("isExpanded") != "true" and _undrawn(sub, shapes)]
    if not missing:
        return bpmn_xml, []
    new_id = _id_maker(root)
    for sub in missing:
        _add_diagram(root, new_id, sub.get("id"), draw(sub, {}, 1).moved(*ORIGIN))
    laid_out = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    return laid_out, [sub.get("id") for sub in missing]


def _undrawn(sub: etree._Element, shapes: dict) -> bool:
    nodes = read_container(sub).nodes
    return bool(nodes) and not any(node in shapes for node in nodes)


# ---- pools ------------------------------------------------------------------------------------------------

def _strips(process: etree._Element | None) -> int:
    """Width of the pool's name strip and of one name strip per level of lanes."""
    return LABEL_WIDTH * (1 + max((depth for _, depth in lanes(process)), default=0))


def _pool_content(process: etree._Element | None) -> Drawing:
    if process is None:
        return Drawing(width=COLUMN_WIDTH, bands=[(0, BAND_HEIGHT)])
    leaves = leaf_lanes(process)
    return draw(process, lane_bands(process, leaves), max(len(leaves), 1))


def _pool(participant: etree._Element, process: etree._Element | None, content: Drawing, width: int) -> Drawing:
    """The participant and its lanes around the already laid-out content, ``width`` wide."""
    pool = content.moved(_strips(process), 0)
    pool.shapes[participant.get("id")] = Box(0, 0, width, content.height)
    leaves = leaf_lanes(process)
    for lane, depth in lanes(process):
        under = [content.bands[leaves.index(leaf)] for leaf in leaves_under(lane)]
        pool.shapes[lane.get("id")] = Box(LABEL_WIDTH * depth, under[0][0], width - LABEL_WIDTH * depth,
                                          under[-1][1] - under[0][0])
    return pool


def _collaboration_drawing(root: etree._Element, collaboration: etree._Element) -> Drawing:
    """Pools stacked top to bottom, all as wide as the widest, then the message flows between them."""
    processes = {process.get("id"): process for process in root.iterchildren(f"{{{BPMN}}}process")}
    pools = [(participant, processes.get(participant.get("processRef")))
             for participant in collaboration.iterchildren(f"{{{BPMN}}}participant")]
    contents = [_pool_content(process) for _, process in pools]
    width = max((_strips(process) + content.width for (_, process), content in zip(pools, contents)), default=0)
    drawing, top = Drawing(), 0
    for (participant, process), content in zip(pools, contents):
        drawing.include(_pool(participant, process, content, width).moved(ORIGIN[0], ORIGIN[1] + top))
        top += content.height + POOL_GAP
    pool_boxes = [drawing.shapes[participant.get("id")] for participant, _ in pools]
    for flow in collaboration.iterchildren(f"{{{BPMN}}}messageFlow"):
        source, target = drawing.shapes.get(flow.get("sourceRef")), drawing.shapes.get(flow.get("targetRef"))
        if source and target:
            drawing.edges[flow.get("id")] = message_route(source, target, pool_boxes)
    return drawing


# ---- writing the document ---------------------------------------------------------------------------------

def _id_maker(root: etree._Element) -> Callable[[str], str]:
    """A function giving ids not yet used in the document, as close to the preferred one as possible."""
    taken = {element.get("id") for element in root.iter(tag=etree.Element)}

    def new_id(preferred: str) -> str:
        candidate, number = preferred, 2
        while candidate in taken:
            candidate, number = f"{preferred}_{number}", number + 1
        taken.add(candidate)
        return candidate

    return new_id


def _ensure_collaboration(root: etree._Element, new_id: Callable[[str], str]) -> etree._Element | None:
    """The collaboration to draw: bpmn-js shows lanes only inside a pool, so every process gets one then."""
    processes = list(root.iterchildren(f"{{{BPMN}}}process"))
    collaboration = root.find(f"{{{BPMN}}}collaboration")
    if collaboration is None and not any(lanes(process) for process in processes):
        return None
    if collaboration is None:
        collaboration = etree.Element(f"{{{BPMN}}}collaboration", id=new_id("Collaboration_" + processes[0].get("id")))
        _insert(root, root.index(processes[0]), collaboration)
    drawn = {participant.get("processRef") for participant in collaboration.iterchildren(f"{{{BPMN}}}participant")}
    for process in processes:
        if process.get("id") not in drawn:
            participant = etree.Element(f"{{{BPMN}}}participant", id=new_id("Participant_" + process.get("id")),
                                        name=process.get("name") or process.get("id"), processRef=process.get("id"))
            _insert(collaboration, _after_participants(collaboration), participant)
    return collaboration


def _after_participants(collaboration: etree._Element) -> int:
    """Where a new participant goes: after the others, or after the documentation the schema puts first."""
    before = [child for child in collaboration.iterchildren(tag=etree.Element)
              if kind(child) in ("documentation", "extensionElements", "participant")]
    return collaboration.index(before[-1]) + 1 if before else 0


def _label_size(name: str) -> tuple[int, int]:
    text_width = sum(LABEL_FONT_SIZE if ord(character) > 0x2E7F else LABEL_FONT_SIZE * 3 // 5 for character in name)
    return min(text_width, LABEL_MAX_WIDTH), LABEL_LINE_HEIGHT * -(-text_width // LABEL_MAX_WIDTH)


def _shape_label(element: etree._Element, box: Box) -> Box | None:
    """Where to write a name bpmn-js would put across a flow: above a gateway, left of a boundary event."""
    if not element.get("name") or kind(element) not in (*GATEWAYS, "boundaryEvent"):
        return None
    width, height = _label_size(element.get("name"))
    if kind(element) == "boundaryEvent":
        return Box(box.x - width - 2, box.middle_y + 4, width, height)
    return Box(box.center_x - width // 2, box.y - height - 4, width, height)


def _edge_label(element: etree._Element, points: list[Point]) -> Box | None:
    """A flow leaving downwards (a loop, or from a boundary event) is named beside its start."""
    if not element.get("name") or points[0][0] != points[1][0]:
        return None
    return Box(points[0][0] + 4, points[0][1] + 2, *_label_size(element.get("name")))


def _add_diagram(root: etree._Element, new_id: Callable[[str], str], plane_for: str, drawing: Drawing) -> None:
    elements = {element.get("id"): element for element in root.iter(tag=etree.Element) if element.get("id")}
    diagram = etree.Element(f"{{{BPMNDI}}}BPMNDiagram", nsmap=DI_NAMESPACES, id=new_id("BPMNDiagram_" + plane_for))
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=new_id("BPMNPlane_" + plane_for),
                             bpmnElement=plane_for)
    for element_id, box in drawing.shapes.items():
        shape = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNShape", id=new_id(element_id + "_di"), bpmnElement=element_id)
        if kind(elements[element_id]) in ("participant", "lane"):
            shape.set("isHorizontal", "true")
        if kind(elements[element_id]) in SUBPROCESSES:
            shape.set("isExpanded", "true")
        _bounds(shape, box)
        _add_label(shape, _shape_label(elements[element_id], box))
    for flow_id, points in drawing.edges.items():
        edge = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=new_id(flow_id + "_di"), bpmnElement=flow_id)
        for x, y in points:
            etree.SubElement(edge, f"{{{DI}}}waypoint", x=str(x), y=str(y))
        _add_label(edge, _edge_label(elements[flow_id], points))
    relationships = root.findall(f"{{{BPMN}}}relationship")  # the schema puts these after the diagrams
    _insert(root, root.index(relationships[0]) if relationships else len(root), diagram)


def _bounds(parent: etree._Element, box: Box) -> None:
    etree.SubElement(parent, f"{{{DC}}}Bounds", x=str(box.x), y=str(box.y), width=str(box.width),
                     height=str(box.height))


def _add_label(parent: etree._Element, box: Box | None) -> None:
    if box is not None:
        _bounds(etree.SubElement(parent, f"{{{BPMNDI}}}BPMNLabel"), box)


def _indent_unit(root: etree._Element) -> str:
    return (root.text or "").rpartition("\n")[2] or "  "


def _insert(parent: etree._Element, index: int, element: etree._Element) -> None:
    """Put ``element`` among ``parent``'s children, indented like them."""
    unit, depth = _indent_unit(parent.getroottree().getroot()), sum(1 for _ in parent.iterancestors())
    inner, outer = "\n" + unit * (depth + 1), "\n" + unit * depth
    etree.indent(element, space=unit, level=depth + 1)
    children = list(parent)
    element.tail = inner if index < len(children) else outer
    if index >= len(children) and children:
        children[-1].tail = inner
    elif not children:
        parent.text = inner
    parent.insert(index, element)


def _remove(element: etree._Element) -> None:
    """Take ``element`` out, leaving the whitespace after it to whatever now comes last."""
    previous = element.getprevious()
    if previous is not None and element.getnext() is None:
        previous.tail = element.tail
    element.getparent().remove(element)
