"""Lane-aware automatic layout: adds BPMN diagram interchange (shapes and edges) to a document without it.

Columns come from longest-path layering along the sequence flows (flows that close a loop, found by a
depth-first search, are left out); rows come from lanes: each lane is a horizontal band and nodes that share
a band and a column are stacked. An embedded subprocess is laid out the same way inside its own box, which
its parent then treats as one wide node. Flows are drawn with horizontal and vertical segments only; a loop
runs below the nodes it passes. Text annotations and data objects are not drawn.

Usage: ``python -m engine.layout FILE [FILE ...] [--replace]`` rewrites the files in place.
"""
from __future__ import annotations

import argparse
import math
import sys
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path
from statistics import mean
from typing import Callable, Hashable, Iterator

from lxml import etree

from .errors import EngineError
from .parser import _safe_tree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
DI_NAMESPACES = {"bpmndi": BPMNDI, "dc": DC, "di": DI}

TASKS = ("task", "userTask", "scriptTask", "serviceTask", "manualTask", "callActivity", "sendTask",
         "receiveTask", "businessRuleTask")
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
SUBPROCESSES = ("subProcess", "transaction", "adHocSubProcess")
SIZES = {**dict.fromkeys(TASKS, (100, 80)), **dict.fromkeys(EVENTS, (36, 36)), **dict.fromkeys(GATEWAYS, (50, 50))}

COLUMN_WIDTH = 150   # a task and the gap before the next one
COLUMN_GAP = 50      # at least this much room between a wide node and its neighbours
BAND_HEIGHT = 160
BAND_PADDING = 40
ROW_GAP = 60         # room for a boundary event and its name under the row above
LABEL_WIDTH = 30     # bpmn-js writes pool and lane names vertically in this strip
POOL_GAP = 30
LOOP_GAP = 16        # a loop runs this far below the lowest shape it passes
LOOP_SPACING = 8     # and this much further for every earlier loop in the same band
ORIGIN = (160, 80)
LABEL_FONT_SIZE = 12  # bpmn-js's default; a CJK character is about this wide, a latin one 3/5 of it
LABEL_LINE_HEIGHT = 15
LABEL_MAX_WIDTH = 90

Point = tuple[int, int]
Item = Hashable      # a node id, or (flow id, column) for a long flow passing through a column


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def center_x(self) -> int:
        return self.x + self.width // 2

    @property
    def middle_y(self) -> int:
        return self.y + self.height // 2

    def moved(self, dx: int, dy: int) -> Box:
        return Box(self.x + dx, self.y + dy, self.width, self.height)


def _centered(x: int, y: int, size: tuple[int, int]) -> Box:
    width, height = size
    return Box(x - width // 2, y - height // 2, width, height)


@dataclass
class Drawing:
    """Shapes and edges by BPMN element id, the width taken and the bands as (top, bottom)."""

    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)
    width: int = 0
    bands: list[tuple[int, int]] = field(default_factory=list)

    @property
    def height(self) -> int:
        return self.bands[-1][1] - self.bands[0][0] if self.bands else 0

    def moved(self, dx: int, dy: int) -> Drawing:
        return Drawing({key: box.moved(dx, dy) for key, box in self.shapes.items()},
                       {key: [(x + dx, y + dy) for x, y in points] for key, points in self.edges.items()},
                       self.width, [(top + dy, bottom + dy) for top, bottom in self.bands])

    def include(self, other: Drawing) -> None:
        self.shapes.update(other.shapes)
        self.edges.update(other.edges)


@dataclass(frozen=True)
class Flow:
    id: str
    source: str
    target: str
    tail: str  # where the flow starts for layering: the host when it leaves a boundary event


@dataclass
class Container:
    """The flow nodes of a process or subprocess (boundary events apart) and the flows between them."""

    nodes: dict[str, etree._Element]
    hosts: dict[str, str]
    flows: list[Flow]


@dataclass
class Grid:
    column: dict[Item, int]
    band: dict[Item, int]
    slot: dict[Item, int] = field(default_factory=dict)
    paths: dict[str, list[Item]] = field(default_factory=dict)  # forward flow: tail, passages, target
    floating: list[str] = field(default_factory=list)  # event subprocesses, below the rest from the left


def add_layout(bpmn_xml: bytes, *, replace: bool = False) -> bytes:
    """The document with a laid-out diagram; unchanged if it has one already, unless ``replace``."""
    root = _safe_tree(bpmn_xml, "流程图")
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
            _add_diagram(root, new_id, process.get("id"), _draw(process, {}, 1).moved(*ORIGIN))
    keep = {prefix for element in root.iter(tag=etree.Element) for prefix in element.nsmap}
    top = {prefix: uri for prefix, uri in DI_NAMESPACES.items() if root.nsmap.get(prefix, uri) == uri}
    etree.cleanup_namespaces(root, top_nsmap=top, keep_ns_prefixes=sorted(filter(None, keep)))
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


# ---- the graph of one process or subprocess -------------------------------------------------------------

def _kind(element: etree._Element) -> str:
    return etree.QName(element).localname


def _read(element: etree._Element) -> Container:
    nodes, hosts = {}, {}
    for child in element.iterchildren(tag=etree.Element):
        if _kind(child) == "boundaryEvent":
            hosts[child.get("id")] = child.get("attachedToRef")
        elif _kind(child) in SIZES or _kind(child) in SUBPROCESSES:
            nodes[child.get("id")] = child
    hosts = {event: host for event, host in hosts.items() if host in nodes}
    flows = []
    for child in element.iterchildren(f"{{{BPMN}}}sequenceFlow"):
        source, target = child.get("sourceRef"), child.get("targetRef")
        tail = hosts.get(source, source)
        if tail in nodes and target in nodes:
            flows.append(Flow(child.get("id"), source, target, tail))
    return Container(nodes, hosts, flows)


def _outgoing(flows: list[Flow]) -> dict[str, list[Flow]]:
    outgoing = defaultdict(list)
    for flow in flows:
        outgoing[flow.tail].append(flow)
    return outgoing


def _loops(container: Container) -> set[str]:
    """Flows closing a loop: a depth-first search from the start events finds their target still open."""
    outgoing, state, loops = _outgoing(container.flows), {}, set()

    def visit(node: str) -> None:
        state[node] = "open"
        for flow in outgoing[node]:
            if state.get(flow.target) == "open":
                loops.add(flow.id)
            elif flow.target not in state:
                visit(flow.target)
        state[node] = "done"

    targets = {flow.target for flow in container.flows}
    for node in sorted(container.nodes, key=lambda node: (_kind(container.nodes[node]) != "startEvent",
                                                          node in targets)):
        if node not in state:
            visit(node)
    return loops


def _columns(container: Container, loops: set[str]) -> dict[str, int]:
    """Longest-path layering: every node stands one column right of its furthest predecessor."""
    forward = [flow for flow in container.flows if flow.id not in loops]
    outgoing, waiting = _outgoing(forward), Counter(flow.target for flow in forward)
    column = dict.fromkeys(container.nodes, 0)
    ready = deque(node for node in container.nodes if not waiting[node])
    while ready:
        node = ready.popleft()
        for flow in outgoing[node]:
            column[flow.target] = max(column[flow.target], column[node] + 1)
            waiting[flow.target] -= 1
            if not waiting[flow.target]:
                ready.append(flow.target)
    return column


def _grid(container: Container, loops: set[str], band_of: dict[str, int]) -> Grid:
    """Columns, bands and stacking slots; a flow spanning columns holds a slot in each, so none sits on it."""
    floating = [node for node, element in container.nodes.items() if element.get("triggeredByEvent") == "true"]
    grid = Grid({node: column for node, column in _columns(container, loops).items() if node not in floating},
                {node: band_of.get(node, 0) for node in container.nodes}, floating=floating)
    before = defaultdict(list)
    for flow in container.flows:
        if flow.id in loops:
            continue
        passages = [(flow.id, column) for column in range(grid.column[flow.tail] + 1, grid.column[flow.target])]
        grid.column.update((passage, passage[1]) for passage in passages)
        grid.band.update((passage, grid.band[flow.tail]) for passage in passages)
        grid.paths[flow.id] = [flow.tail, *passages, flow.target]
        # a flow leaving a boundary event leaves below its host, so its target goes a row lower
        bias = 1.0 if flow.source in container.hosts else 0.0
        for step, (earlier, later) in enumerate(zip(grid.paths[flow.id], grid.paths[flow.id][1:])):
            before[later].append((earlier, bias if step == 0 else 0.0))
    _stack(grid, before, {flow.tail for flow in container.flows if flow.id in loops})
    for node in floating:
        in_band = [slot for item, slot in grid.slot.items() if grid.band[item] == grid.band[node]]
        grid.column[node], grid.slot[node] = 0, max(in_band, default=-1) + 1
    return grid


def _stack(grid: Grid, before: dict[Item, list[tuple[Item, float]]], loop_tails: set[str]) -> None:
    """Stack each column's nodes in a band, left to right, in the order of the mean slot of their
    predecessors in the band, each in that slot if free, so that a branch stays on one line.

    Ties go to nodes that start no loop (so a loop can leave downwards freely), then to the node whose first
    incoming flow is written first: authors tend to write the main path first.
    """
    order = {item: index for index, item in enumerate(grid.column)}
    first_in: dict[Item, int] = {}
    for index, path in enumerate(grid.paths.values()):
        first_in.setdefault(path[-1], index)
    groups = defaultdict(list)
    for item, column in grid.column.items():
        groups[column, grid.band[item]].append(item)

    def wanted(item: Item) -> float:
        placed = [grid.slot[earlier] + bias for earlier, bias in before[item]
                  if earlier in grid.slot and grid.band[earlier] == grid.band[item]]
        return mean(placed) if placed else float("inf")

    for key in sorted(groups):
        slot = 0
        for item in sorted(groups[key], key=lambda item: (wanted(item), isinstance(item, tuple), item in loop_tails,
                                                           first_in.get(item, len(order)), order[item])):
            if wanted(item) != float("inf"):
                slot = max(slot, math.ceil(wanted(item) - 0.5))
            grid.slot[item], slot = slot, slot + 1


# ---- geometry ---------------------------------------------------------------------------------------------

def _geometry(grid: Grid, sizes: dict[str, tuple[int, int]],
              rooms: list[int]) -> tuple[dict[Item, Box], list[int], list[tuple[int, int]]]:
    """A box for every item, the left edge of every column (and the right edge of the last), the bands.

    ``rooms`` holds for every band the room wanted below its last row.
    """
    widths = [COLUMN_WIDTH] * (max(grid.column.values(), default=-1) + 1)
    heights = defaultdict(int)
    for item, column in grid.column.items():
        width, height = sizes.get(item, (0, 0))
        widths[column] = max(widths[column], 0 if item in grid.floating else width + COLUMN_GAP)
        heights[grid.band[item], grid.slot[item]] = max(heights[grid.band[item], grid.slot[item]], height)
    lefts = list(accumulate([0, *widths]))
    middles, bands, top = {}, [], 0
    for band, room in enumerate(rooms):
        rows = sorted(key for key in heights if key[0] == band)
        content = sum(heights[row] for row in rows) + ROW_GAP * max(len(rows) - 1, 0)
        height = max(BAND_HEIGHT, BAND_PADDING + content + room)
        y = top + BAND_PADDING + (height - BAND_PADDING - content - room) // 2
        for row in rows:
            middles[row] = y + heights[row] // 2
            y += heights[row] + ROW_GAP
        bands.append((top, top + height))
        top += height
    boxes = {item: _centered(lefts[column] + widths[column] // 2, middles[grid.band[item], grid.slot[item]],
                             sizes.get(item, (0, 0))) for item, column in grid.column.items()}
    boxes.update((item, Box(COLUMN_GAP // 2, boxes[item].y, *sizes[item])) for item in grid.floating)
    return boxes, lefts, bands


def _bottom_rooms(container: Container, grid: Grid, loops: set[str], band_count: int) -> list[int]:
    """Room below each band's last row for boundary events and the flows leaving them, and for loops."""
    rooms = [BAND_PADDING] * band_count
    for band in {grid.band[host] for host in container.hosts.values()}:
        rooms[band] += SIZES["boundaryEvent"][1] // 2 + LOOP_GAP
    for flow in container.flows:
        for along in _loop_bands(grid, flow) if flow.id in loops else ():
            rooms[along] += LOOP_SPACING
    return rooms


def _loop_bands(grid: Grid, flow: Flow) -> list[int]:
    """The bands along whose bottom a loop may run: its source's, or its target's if that is lower."""
    return [grid.band[flow.tail]] + ([grid.band[flow.target]] if grid.band[flow.target] > grid.band[flow.tail] else [])


def _boundary_boxes(hosts: dict[str, str], shapes: dict[str, Box]) -> dict[str, Box]:
    """Boundary events sit on their host's bottom edge, spread evenly along it.

    A single one sits right of the middle, which the multi-instance marker and returning loops use.
    """
    attached = defaultdict(list)
    for event, host in hosts.items():
        attached[host].append(event)
    boxes = {}
    for host, events in attached.items():
        places = [(3, 4)] if len(events) == 1 else [(place, len(events) + 1) for place in range(1, len(events) + 1)]
        for event, (part, parts) in zip(events, places):
            boxes[event] = _centered(shapes[host].x + shapes[host].width * part // parts, shapes[host].bottom,
                                     SIZES["boundaryEvent"])
    return boxes


def _draw(element: etree._Element, band_of: dict[str, int], band_count: int) -> Drawing:
    """Lay out a process or subprocess with its top left corner at (0, 0)."""
    container = _read(element)
    inner = {node: _draw(child, {}, 1) for node, child in container.nodes.items() if _kind(child) in SUBPROCESSES}
    sizes = {node: (inner[node].width, inner[node].height) if node in inner else SIZES[_kind(child)]
             for node, child in container.nodes.items()}
    loops = _loops(container)
    grid = _grid(container, loops, band_of)
    boxes, lefts, bands = _geometry(grid, sizes, _bottom_rooms(container, grid, loops, band_count))
    shapes = {node: boxes[node] for node in container.nodes}
    shapes.update(_boundary_boxes(container.hosts, shapes))
    width = max(lefts[-1], COLUMN_WIDTH, *(shapes[node].right + COLUMN_GAP // 2 for node in grid.floating))
    drawing = Drawing(shapes, _routes(container, grid, boxes, shapes, lefts, loops), width, bands)
    for node, sub in inner.items():
        drawing.include(sub.moved(shapes[node].x, shapes[node].y))
    return drawing


# ---- edges ------------------------------------------------------------------------------------------------

def _routes(container: Container, grid: Grid, boxes: dict[Item, Box], shapes: dict[str, Box],
            lefts: list[int], loops: set[str]) -> dict[str, list[Point]]:
    routes = {}
    for flow in container.flows:
        if flow.id not in loops:
            levels = [boxes[item].middle_y for item in grid.paths[flow.id]]
            gaps = lefts[grid.column[flow.tail] + 1:grid.column[flow.target] + 1]
            routes[flow.id] = _forward_route(shapes[flow.source], shapes[flow.target], levels, gaps,
                                             flow.source in container.hosts)
    routes.update(_loop_routes(container, grid, shapes, lefts, loops))
    return routes


def _loop_routes(container: Container, grid: Grid, shapes: dict[str, Box], lefts: list[int],
                 loops: set[str]) -> dict[str, list[Point]]:
    """Each loop the way that runs through the fewest shapes: below its source's band or its target's, going
    down straight from the source or first stepping aside into the gap left of the source's column."""
    band = {node: grid.band[container.hosts.get(node, node)] for node in shapes}
    # flows leaving a boundary event run LOOP_GAP below it
    bottoms = {node: box.bottom + (LOOP_GAP if node in container.hosts else 0) for node, box in shapes.items()}
    loops_in_band, routes = Counter(), {}
    for flow in (flow for flow in container.flows if flow.id in loops):
        source, target = shapes[flow.source], shapes[flow.target]
        left, right = min(source.x, target.x), max(source.right, target.right)
        under = [node for node, box in shapes.items() if box.x < right and box.right > left]
        candidates = [(_loop_route(source, target, max(bottoms[node] for node in under if band[node] == along)
                                   + LOOP_GAP + LOOP_SPACING * loops_in_band[along], aside), along)
                      for aside in (None, lefts[grid.column[flow.tail]] + LOOP_SPACING)
                      for along in _loop_bands(grid, flow)]
        others = [box for node, box in shapes.items() if node not in (flow.source, flow.target)]
        routes[flow.id], along = min(candidates, key=lambda candidate: _crossings(candidate[0], others))
        loops_in_band[along] += 1
    return routes


def _crossings(points: list[Point], boxes: list[Box]) -> int:
    """How many of ``boxes`` the route runs through."""
    return sum(any(min(x1, x2) < box.right and max(x1, x2) > box.x and min(y1, y2) < box.bottom
                   and max(y1, y2) > box.y for (x1, y1), (x2, y2) in zip(points, points[1:])) for box in boxes)


def _forward_route(source: Box, target: Box, levels: list[int], gaps: list[int], from_bottom: bool) -> list[Point]:
    """Right-middle to left-middle, changing level only between columns; from a boundary event, down first."""
    if from_bottom:
        levels = [max(levels[1], source.bottom + LOOP_GAP), *levels[1:]]
        points = [(source.center_x, source.bottom), (source.center_x, levels[0])]
    else:
        points = [(source.right, levels[0])]
    for level, next_level, x in zip(levels, levels[1:], gaps):
        points += [(x, level), (x, next_level)]
    return _simplified([*points, (target.x, target.middle_y)])


def _loop_route(source: Box, target: Box, floor: int, aside: int | None) -> list[Point]:
    """Down from the source (first stepping ``aside``, if given), left below everything in between, up into the
    target (down, if it is lower)."""
    end_x = target.center_x - (target.width // 4 if source == target else 0)
    end_y = target.bottom if target.bottom <= floor else target.y
    points = [(source.center_x, source.bottom)]
    if aside is not None:
        points += [(source.center_x, source.bottom + LOOP_GAP), (aside, source.bottom + LOOP_GAP)]
    return _simplified([*points, (points[-1][0], floor), (end_x, floor), (end_x, end_y)])


def _simplified(points: list[Point]) -> list[Point]:
    kept: list[Point] = []
    for point in points:
        if kept and point == kept[-1]:
            continue
        if len(kept) >= 2 and (kept[-2][0] == kept[-1][0] == point[0] or kept[-2][1] == kept[-1][1] == point[1]):
            kept[-1] = point
        else:
            kept.append(point)
    return kept


# ---- pools and lanes --------------------------------------------------------------------------------------

def _lanes(process: etree._Element | None) -> list[tuple[etree._Element, int]]:
    """Every lane with its depth (1 at the top level), parents before their children."""
    def walk(lane_set: etree._Element, depth: int) -> Iterator[tuple[etree._Element, int]]:
        for lane in lane_set.iterchildren(f"{{{BPMN}}}lane"):
            yield lane, depth
            for child_set in lane.iterchildren(f"{{{BPMN}}}childLaneSet"):
                yield from walk(child_set, depth + 1)

    lane_set = process.find(f"{{{BPMN}}}laneSet") if process is not None else None
    return list(walk(lane_set, 1)) if lane_set is not None else []


def _leaves_under(lane: etree._Element) -> list[etree._Element]:
    inner_lane = f"{{{BPMN}}}childLaneSet/{{{BPMN}}}lane"
    return [leaf for leaf in lane.iter(f"{{{BPMN}}}lane") if leaf.find(inner_lane) is None]


def _leaves(process: etree._Element | None) -> list[etree._Element]:
    """The lanes without lanes inside, top to bottom: one band each."""
    return [leaf for lane, depth in _lanes(process) if depth == 1 for leaf in _leaves_under(lane)]


def _band_of(process: etree._Element, leaves: list[etree._Element]) -> dict[str, int]:
    """A node goes in the band of the innermost lane listing it (the first band under that lane)."""
    band = {}
    for lane in [*leaves, *(lane for lane, _ in _lanes(process))]:
        for ref in lane.iterchildren(f"{{{BPMN}}}flowNodeRef"):
            band.setdefault((ref.text or "").strip(), leaves.index(_leaves_under(lane)[0]))
    return band


def _strips(process: etree._Element | None) -> int:
    """Width of the pool's name strip and of one name strip per level of lanes."""
    return LABEL_WIDTH * (1 + max((depth for _, depth in _lanes(process)), default=0))


def _pool_content(process: etree._Element | None) -> Drawing:
    if process is None:
        return Drawing(width=COLUMN_WIDTH, bands=[(0, BAND_HEIGHT)])
    leaves = _leaves(process)
    return _draw(process, _band_of(process, leaves), max(len(leaves), 1))


def _pool(participant: etree._Element, process: etree._Element | None, content: Drawing, width: int) -> Drawing:
    """The participant and its lanes around the already laid-out content, ``width`` wide."""
    pool = content.moved(_strips(process), 0)
    pool.shapes[participant.get("id")] = Box(0, 0, width, content.height)
    leaves = _leaves(process)
    for lane, depth in _lanes(process):
        under = [content.bands[leaves.index(leaf)] for leaf in _leaves_under(lane)]
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
            drawing.edges[flow.get("id")] = _message_route(source, target, pool_boxes)
    return drawing


def _message_route(source: Box, target: Box, pool_boxes: list[Box]) -> list[Point]:
    """Out of the source towards the target's pool, across in the gap before that pool, into the target."""
    pool = next(box for box in pool_boxes if box.y <= target.middle_y <= box.bottom)
    if source.y <= target.y:
        start_y, across, end_y = source.bottom, pool.y - POOL_GAP // 2, target.y
    else:
        start_y, across, end_y = source.y, pool.bottom + POOL_GAP // 2, target.bottom
    return _simplified([(source.center_x, start_y), (source.center_x, across), (target.center_x, across),
                        (target.center_x, end_y)])


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
    if collaboration is None and not any(_lanes(process) for process in processes):
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
              if _kind(child) in ("documentation", "extensionElements", "participant")]
    return collaboration.index(before[-1]) + 1 if before else 0


def _label_size(name: str) -> tuple[int, int]:
    text_width = sum(LABEL_FONT_SIZE if ord(character) > 0x2E7F else LABEL_FONT_SIZE * 3 // 5 for character in name)
    return min(text_width, LABEL_MAX_WIDTH), LABEL_LINE_HEIGHT * -(-text_width // LABEL_MAX_WIDTH)


def _shape_label(element: etree._Element, box: Box) -> Box | None:
    """Where to write a name bpmn-js would put across a flow: above a gateway, left of a boundary event."""
    if not element.get("name") or _kind(element) not in (*GATEWAYS, "boundaryEvent"):
        return None
    width, height = _label_size(element.get("name"))
    if _kind(element) == "boundaryEvent":
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
        if _kind(elements[element_id]) in ("participant", "lane"):
            shape.set("isHorizontal", "true")
        if _kind(elements[element_id]) in SUBPROCESSES:
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


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(prog="python -m engine.layout", description=__doc__.split("\n")[0])
    arguments.add_argument("files", nargs="+", type=Path, help="BPMN files, rewritten in place")
    arguments.add_argument("--replace", action="store_true", help="lay out again files that have a diagram")
    options = arguments.parse_args(argv)
    for path in options.files:
        before = path.read_bytes()
        try:
            after = add_layout(before, replace=options.replace)
        except EngineError as error:
            print(f"{path}: {error.message}", file=sys.stderr)
            return 1
        if after == before:
            hint = "" if options.replace else ", it has a diagram (--replace lays it out again)"
            print(f"{path}: unchanged{hint}")
            continue
        path.write_bytes(after)
        print(f"{path}: laid out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
