"""Small diagrams for the deployment tests, drawn (BPMN DI added) as the editor or Camunda Modeler would save them."""
from __future__ import annotations

import re

from engine.layout import add_layout

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
          'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_{key}" '
          'targetNamespace="http://bpmn.io/schema/bpmn">\n')


def user_task(node_id: str, name: str) -> str:
    return f'<bpmn:userTask id="{node_id}" name="{name}"/>'


def timer(node_id: str, kind: str, value: str) -> str:
    """An intermediate timer event: ``kind`` is timeDuration, timeDate or timeCycle."""
    return (f'<bpmn:intermediateCatchEvent id="{node_id}" name="等待 {value}">'
            f'<bpmn:timerEventDefinition id="{node_id}_def"><bpmn:{kind}>{value}</bpmn:{kind}>'
            f'</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>')


def script(node_id: str, code: str) -> str:
    return f'<bpmn:scriptTask id="{node_id}" name="计算"><bpmn:script>{code}</bpmn:script></bpmn:scriptTask>'


def chain(key: str, *nodes: str, lane: str = "区推进办", executable: str = "true", extra: str = "",
          name: str = "测试流程", top: str = "") -> bytes:
    """start → each node in turn → end, every node in one lane, laid out."""
    ids = ["start"] + [re.search(r'id="([^"]+)"', node).group(1) for node in nodes] + ["end"]
    flows = "".join(f'<bpmn:sequenceFlow id="flow_{i}" sourceRef="{a}" targetRef="{b}"/>'
                    for i, (a, b) in enumerate(zip(ids, ids[1:])))
    refs = "".join(f"<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>" for node in ids)
    xml = (HEADER.format(key=key) + top
           + f'<bpmn:process id="{key}" name="{name}" isExecutable="{executable}">'
           + f'<bpmn:laneSet id="lanes_{key}"><bpmn:lane id="lane_{key}" name="{lane}">{refs}</bpmn:lane>'
           + '</bpmn:laneSet>'
           + '<bpmn:startEvent id="start" name="开始"/>' + "".join(nodes) + extra
           + '<bpmn:endEvent id="end" name="结束"/>' + flows + "</bpmn:process></bpmn:definitions>")
    return add_layout(xml.encode("utf-8"))


def review(key: str = "office_review", *steps: tuple[str, str], **options) -> bytes:
    """A process of user tasks for 区推进办, by default one: 审核 (id ``review``)."""
    return chain(key, *(user_task(node_id, name) for node_id, name in (steps or (("review", "审核"),))), **options)
