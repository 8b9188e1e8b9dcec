"""The automatic layout gives a diagram without pictures one that bpmn-js can show and a person can follow."""
from __future__ import annotations

from itertools import combinations

import pytest
from lxml import etree
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from engine.layout import BPMN, BPMNDI, DC, DI, GATEWAYS, SUBPROCESSES, TASKS, Box, add_layout, main
from tests.engine_support import diagram

DIAGRAMS = ["countersign.bpmn", "timers.bpmn", "subprocess_loop.bpmn"]
FLOW_NODES = {*TASKS, *GATEWAYS, *SUBPROCESSES, "startEvent", "endEvent", "intermediateCatchEvent",
              "intermediateThrowEvent", "boundaryEvent"}


def laid_out(name: str) -> etree._Element:
    return etree.fromstring(add_layout(diagram(name)))


def kind(element: etree._Element) -> str:
    return etree.QName(element).localname


def elements(root: etree._Element, *kinds: str) -> list[etree._Element]:
    return [element for element in root.iter(tag=etree.Element)
            if element.tag.startswith(f"{{{BPMN}}}") and kind(element) in kinds]


def shapes(root: etree._Element) -> dict[str, Box]:
    bounds = {}
    for shape in root.iter(f"{{{BPMNDI}}}BPMNShape"):
        box = shape.find(f"{{{DC}}}Bounds")
        bounds[shape.get("bpmnElement")] = Box(*(int(box.get(name)) for name in ("x", "y", "width", "height")))
    return bounds


def waypoints(root: etree._Element) -> dict[str, list[tuple[int, int]]]:
    return {edge.get("bpmnElement"): [(int(point.get("x")), int(point.get("y")))
                                      for point in edge.iter(f"{{{DI}}}waypoint")]
            for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge")}


def inside(inner: Box, outer: Box) -> bool:
    return outer.x <= inner.x and inner.right <= outer.right and outer.y <= inner.y and inner.bottom <= outer.bottom


def overlap(one: Box, other: Box) -> bool:
    return one.x < other.right and other.x < one.right and one.y < other.bottom and other.y < one.bottom


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_flow_node_lane_and_participant_has_exactly_one_shape(name):
    root = laid_out(name)
    drawn = [shape.get("bpmnElement") for shape in root.iter(f"{{{BPMNDI}}}BPMNShape")]
    expected = [element.get("id") for element in elements(root, *FLOW_NODES, "lane", "participant")]
    assert sorted(drawn) == sorted(expected)


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_sequence_flow_has_one_edge_of_straight_horizontal_and_vertical_segments(name):
    root = laid_out(name)
    edges = [edge.get("bpmnElement") for edge in root.iter(f"{{{BPMNDI}}}BPMNEdge")]
    assert sorted(edges) == sorted(flow.get("id") for flow in elements(root, "sequenceFlow"))
    for flow, points in waypoints(root).items():
        assert len(points) >= 2, flow
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(points, points[1:])), flow


@pytest.mark.parametrize("name", ["countersign.bpmn", "subprocess_loop.bpmn"])
def test_nodes_lie_inside_the_lane_that_lists_them_and_lanes_inside_the_pool(name):
    root = laid_out(name)
    bounds = shapes(root)
    [participant] = elements(root, "participant")
    for lane in elements(root, "lane"):
        assert inside(bounds[lane.get("id")], bounds[participant.get("id")])
        for ref in lane.iter(f"{{{BPMN}}}flowNodeRef"):
            assert inside(bounds[ref.text], bounds[lane.get("id")]), ref.text


def test_lanes_are_stacked_in_the_order_of_the_lane_set():
    bounds = shapes(laid_out("countersign.bpmn"))
    applicant, reviewer = bounds["Lane_applicant"], bounds["Lane_reviewer"]
    assert applicant.bottom == reviewer.y and applicant.x == reviewer.x and applicant.width == reviewer.width


def test_an_embedded_subprocess_is_drawn_expanded_around_its_children():
    root = laid_out("subprocess_loop.bpmn")
    bounds = shapes(root)
    [subprocess] = elements(root, "subProcess")
    shape = root.find(f".//{{{BPMNDI}}}BPMNShape[@bpmnElement='check']")
    assert shape.get("isExpanded") == "true"
    for child in elements(subprocess, *FLOW_NODES):
        assert inside(bounds[child.get("id")], bounds["check"]), child.get("id")


@pytest.mark.parametrize("name", ["countersign.bpmn", "subprocess_loop.bpmn"])
def test_boundary_events_sit_on_their_hosts_bottom_edge_and_their_flows_leave_from_below(name):
    root = laid_out(name)
    bounds, routes = shapes(root), waypoints(root)
    for event in elements(root, "boundaryEvent"):
        box, host = bounds[event.get("id")], bounds[event.get("attachedToRef")]
        assert box.y < host.bottom < box.bottom and host.x <= box.x and box.right <= host.right
        for flow in elements(root, "sequenceFlow"):
            if flow.get("sourceRef") == event.get("id"):
                assert routes[flow.get("id")][0] == (box.center_x, box.bottom)


@pytest.mark.parametrize("name", DIAGRAMS)
def test_no_two_flow_nodes_overlap_unless_a_subprocess_holds_the_other(name):
    root = laid_out(name)
    bounds = shapes(root)
    nodes = [node for node in elements(root, *FLOW_NODES) if kind(node) != "boundaryEvent"]
    for one, other in combinations(nodes, 2):
        nested = other in one.iterdescendants() or one in other.iterdescendants()
        assert nested or not overlap(bounds[one.get("id")], bounds[other.get("id")]), (one.get("id"), other.get("id"))


def test_the_main_path_runs_left_to_right_on_one_line():
    bounds = shapes(laid_out("timers.bpmn"))
    path = [bounds[node] for node in ("start", "wait", "compute", "end")]
    assert all(one.right < other.x for one, other in zip(path, path[1:]))
    assert {box.middle_y for box in path} == {path[0].middle_y}


def test_a_loop_leaves_downwards_and_comes_back_into_its_target_from_below():
    root = laid_out("subprocess_loop.bpmn")
    bounds, routes = shapes(root), waypoints(root)
    for flow, source, target in (("f_approved_no", "approved", "prepare"), ("f_amend", "amend", "review")):
        start, *_, end = routes[flow]
        assert start == (bounds[source].center_x, bounds[source].bottom)
        assert end == (bounds[target].center_x, bounds[target].bottom)
        assert min(y for _, y in routes[flow]) >= min(bounds[source].bottom, bounds[target].bottom)


def test_lanes_without_a_pool_get_a_collaboration_with_one_participant_for_the_process():
    root = laid_out("subprocess_loop.bpmn")
    [collaboration] = elements(root, "collaboration")
    [participant] = collaboration.iterchildren(f"{{{BPMN}}}participant")
    assert (participant.get("processRef"), participant.get("name")) == ("subprocess_loop", "子流程与循环")
    assert root.find(f".//{{{BPMNDI}}}BPMNPlane").get("bpmnElement") == collaboration.get("id")
    assert root.index(collaboration) < root.index(root.find(f"{{{BPMN}}}process"))


def test_an_existing_collaboration_is_what_the_plane_shows():
    root = laid_out("countersign.bpmn")
    assert len(elements(root, "collaboration")) == 1 and len(elements(root, "participant")) == 1
    assert root.find(f".//{{{BPMNDI}}}BPMNPlane").get("bpmnElement") == "Collaboration_countersign"


def test_a_process_without_lanes_is_drawn_on_a_plane_of_its_own_without_a_pool():
    root = laid_out("timers.bpmn")
    assert not elements(root, "collaboration")
    assert root.find(f".//{{{BPMNDI}}}BPMNPlane").get("bpmnElement") == "timers"


@pytest.mark.parametrize("name", DIAGRAMS)
def test_every_id_in_the_result_is_unique(name):
    ids = [element.get("id") for element in laid_out(name).iter(tag=etree.Element) if element.get("id")]
    assert len(ids) == len(set(ids))


def test_new_ids_step_around_ids_the_document_already_uses():
    taken = diagram("timers.bpmn").replace(b'id="wait_timer"', b'id="wait_di"')
    root = etree.fromstring(add_layout(taken))
    shape = root.find(f".//{{{BPMNDI}}}BPMNShape[@bpmnElement='wait']")
    assert shape.get("id") != "wait_di"
    ids = [element.get("id") for element in root.iter(tag=etree.Element) if element.get("id")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", DIAGRAMS)
def test_the_process_itself_is_kept_as_it_was(name):
    before, after = etree.fromstring(diagram(name)), laid_out(name)

    def canonical(root):
        return [etree.tostring(process, method="c14n", exclusive=True) for process in elements(root, "process")]

    assert canonical(after) == canonical(before)


def test_a_document_that_has_a_diagram_comes_back_unchanged():
    once = add_layout(diagram("countersign.bpmn"))
    assert add_layout(once) == once


def test_replace_lays_a_document_out_again_with_the_same_result():
    once = add_layout(diagram("subprocess_loop.bpmn"))
    assert add_layout(once, replace=True) == once


@pytest.mark.parametrize("name, process_id",
                         [("countersign.bpmn", "countersign"), ("timers.bpmn", "timers"),
                          ("subprocess_loop.bpmn", "subprocess_loop")])
def test_the_laid_out_document_still_parses_with_spiffworkflow(name, process_id):
    parser = CamundaParser()
    parser.add_bpmn_xml(laid_out(name), filename=name)
    assert parser.get_spec(process_id).name == process_id


def test_the_command_rewrites_files_in_place_and_leaves_laid_out_ones_alone(tmp_path, capsys):
    path = tmp_path / "timers.bpmn"
    path.write_bytes(diagram("timers.bpmn"))
    assert main([str(path)]) == 0
    laid_out_once = path.read_bytes()
    assert laid_out_once == add_layout(diagram("timers.bpmn"))
    assert main([str(path)]) == 0 and path.read_bytes() == laid_out_once
    assert "laid out" in capsys.readouterr().out


def test_the_command_refuses_a_file_that_is_not_bpmn(tmp_path, capsys):
    path = tmp_path / "note.bpmn"
    path.write_bytes(b"<note>not a diagram</note>")
    assert main([str(path)]) == 1
    assert "bpmn:definitions" in capsys.readouterr().err and path.read_bytes() == b"<note>not a diagram</note>"


NESTED_LANES = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="nested" targetNamespace="x">
  <bpmn:process id="nested" name="nested" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="office"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="district">
        <bpmn:flowNodeRef>work</bpmn:flowNodeRef>
        <bpmn:childLaneSet id="districts">
          <bpmn:lane id="east"><bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane>
          <bpmn:lane id="west" />
        </bpmn:childLaneSet>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="go" sourceRef="start" targetRef="work" />
    <bpmn:task id="work" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_nested_lane_is_drawn_inside_its_parent_lane_with_its_nodes():
    bounds = shapes(etree.fromstring(add_layout(NESTED_LANES)))
    assert inside(bounds["east"], bounds["district"]) and inside(bounds["west"], bounds["district"])
    assert bounds["east"].x > bounds["district"].x and bounds["east"].bottom == bounds["west"].y
    assert inside(bounds["work"], bounds["east"]) and inside(bounds["start"], bounds["office"])
