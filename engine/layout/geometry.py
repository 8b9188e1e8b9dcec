"""Where everything goes: boxes for the nodes of a grid, and routes for the flows between them."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from lxml import etree

from .graph import SIZES, SUBPROCESSES, Container, Flow, Grid, Item, kind, loop_flows, make_grid, read_container

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

Point = tuple[int, int]


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


# ---- boxes ------------------------------------------------------------------------------------------------

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


def draw(element: etree._Element, band_of: dict[str, int], band_count: int) -> Drawing:
    """Lay out a process or subprocess with its top left corner at (0, 0)."""
    container = read_container(element)
    inner = {node: draw(child, {}, 1) for node, child in container.nodes.items() if kind(child) in SUBPROCESSES}
    sizes = {node: (inner[node].width, inner[node].height) if node in inner else SIZES[kind(child)]
             for node, child in container.nodes.items()}
    loops = loop_flows(container)
    grid = make_grid(container, loops, band_of)
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


def message_route(source: Box, target: Box, pool_boxes: list[Box]) -> list[Point]:
    """Out of the source towards the target's pool, across in the gap before that pool, into the target."""
    pool = next(box for box in pool_boxes if box.y <= target.middle_y <= box.bottom)
    if source.y <= target.y:
        start_y, across, end_y = source.bottom, pool.y - POOL_GAP // 2, target.y
    else:
        start_y, across, end_y = source.y, pool.bottom + POOL_GAP // 2, target.bottom
    return _simplified([(source.center_x, start_y), (source.center_x, across), (target.center_x, across),
                        (target.center_x, end_y)])
