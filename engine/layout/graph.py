"""The graph of a process or subprocess: its nodes and flows, its lanes, and where each node stands on a grid.

Columns come from longest-path layering along the sequence flows, leaving out the flows that close a loop;
rows come from the lanes, one band each, with the nodes sharing a band and a column stacked in slots.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from statistics import mean
from typing import Hashable, Iterator

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

TASKS = ("task", "userTask", "scriptTask", "serviceTask", "manualTask", "callActivity", "sendTask",
         "receiveTask", "businessRuleTask")
EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway")
SUBPROCESSES = ("subProcess", "transaction", "adHocSubProcess")
SIZES = {**dict.fromkeys(TASKS, (100, 80)), **dict.fromkeys(EVENTS, (36, 36)), **dict.fromkeys(GATEWAYS, (50, 50))}

Item = Hashable      # a node id, or (flow id, column) for a long flow passing through a column


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


def kind(element: etree._Element) -> str:
    return etree.QName(element).localname


def read_container(element: etree._Element) -> Container:
    nodes, hosts = {}, {}
    for child in element.iterchildren(tag=etree.Element):
        if kind(child) == "boundaryEvent":
            hosts[child.get("id")] = child.get("attachedToRef")
        elif kind(child) in SIZES or kind(child) in SUBPROCESSES:
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


def loop_flows(container: Container) -> set[str]:
    """Flows closing a loop: a depth-first search from the start events finds their target still open."""
    outgoing, state, loops = _outgoing(container.flows), {}, set()

    def visit(root: str) -> None:  # with a stack, not recursion: a chain of thousands of tasks is a fine diagram
        state[root] = "open"
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node, flows = stack[-1]
            for flow in flows:
                if state.get(flow.target) == "open":
                    loops.add(flow.id)
                elif flow.target not in state:
                    state[flow.target] = "open"
                    stack.append((flow.target, iter(outgoing[flow.target])))
                    break
            else:
                state[node] = "done"
                stack.pop()

    targets = {flow.target for flow in container.flows}
    for node in sorted(container.nodes, key=lambda node: (kind(container.nodes[node]) != "startEvent",
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


def make_grid(container: Container, loops: set[str], band_of: dict[str, int]) -> Grid:
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


# ---- lanes ------------------------------------------------------------------------------------------------

def lanes(process: etree._Element | None) -> list[tuple[etree._Element, int]]:
    """Every lane with its depth (1 at the top level), parents before their children."""
    def walk(lane_set: etree._Element, depth: int) -> Iterator[tuple[etree._Element, int]]:
        for lane in lane_set.iterchildren(f"{{{BPMN}}}lane"):
            yield lane, depth
            for child_set in lane.iterchildren(f"{{{BPMN}}}childLaneSet"):
                yield from walk(child_set, depth + 1)

    lane_set = process.find(f"{{{BPMN}}}laneSet") if process is not None else None
    return list(walk(lane_set, 1)) if lane_set is not None else []


def leaves_under(lane: etree._Element) -> list[etree._Element]:
    inner_lane = f"{{{BPMN}}}childLaneSet/{{{BPMN}}}lane"
    return [leaf for leaf in lane.iter(f"{{{BPMN}}}lane") if leaf.find(inner_lane) is None]


def leaf_lanes(process: etree._Element | None) -> list[etree._Element]:
    """The lanes without lanes inside, top to bottom: one band each."""
    return [leaf for lane, depth in lanes(process) if depth == 1 for leaf in leaves_under(lane)]


def lane_bands(process: etree._Element, leaves: list[etree._Element]) -> dict[str, int]:
    """A node goes in the band of the innermost lane listing it (the first band under that lane)."""
    band = {}
    for lane in [*leaves, *(lane for lane, _ in lanes(process))]:
        for ref in lane.iterchildren(f"{{{BPMN}}}flowNodeRef"):
            band.setdefault((ref.text or "").strip(), leaves.index(leaves_under(lane)[0]))
    return band
