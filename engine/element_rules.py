"""Which BPMN elements the engine runs, passes through, ignores or refuses, read off a diagram's XML tree before
SpiffWorkflow parses it: the lists the deploy check and its messages use (engine/parser.py prepares and parses)."""
from __future__ import annotations

from lxml import etree
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser

from .errors import InvalidDiagram
from .links import unpaired_links

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def empty_subprocesses(tree) -> list:
    """Sub-processes with no step inside (drawn collapsed, their content left undrawn): they run as pass-through
    steps, as a service task without implementation does."""
    return [element for element in tree.iter(f"{{{BPMN_NS}}}subProcess")
            if element.get("triggeredByEvent") != "true"
            and not any(isinstance(child.tag, str) and _local(child.tag) not in _NOT_RUN for child in element)]


_NOT_RUN = {"sequenceFlow", "laneSet", "textAnnotation", "association", "group", "dataObject", "dataObjectReference",
            "dataStoreReference",
            "ioSpecification", "property", "extensionElements", "documentation", "incoming", "outgoing",
            "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "completionCondition",
            "dataInputAssociation", "dataOutputAssociation", "ioBinding", "auditing", "monitoring", "category"}
_NOT_RUN_TOP = {"process", "collaboration", "message", "signal", "error", "escalation", "itemDefinition",
                "category", "extension", "import", "documentation", "extensionElements", "BPMNDiagram",
                "correlationProperty", "relationship", "interface", "resource", "dataStore"}
_COLLABORATION = {"participant", "messageFlow", "textAnnotation", "association", "group", "documentation",
                  "extensionElements", "correlationKey"}
_EVENT_DEFINITIONS = {"timerEventDefinition", "messageEventDefinition", "signalEventDefinition",
                      "errorEventDefinition", "escalationEventDefinition", "terminateEventDefinition",
                      "cancelEventDefinition", "conditionalEventDefinition", "linkEventDefinition"}
# Known to BPMN but not run here: refused with the reason, naming the element.
_REFUSED_EVENTS = {"compensateEventDefinition": "补偿事件（compensation）本系统不执行：请在建模器中去掉补偿事件和补偿处理任务，"
                                                 "改用普通的连线和任务表达撤销的步骤"}
_CONTAINERS = {"process", "subProcess", "transaction", "adHocSubProcess"}
# A business rule task runs the newest deployed version of the DMN decision its camunda:decisionRef names
# (engine/dmn_task.py); one without a decisionRef (a Java class, an expression) is refused. No Java services:
# a service or send task without an implementation runs as a pass-through step (passthrough_tasks names them for
# the deploy note); one with an implementation (camunda:class, expression, delegateExpression, connector, an
# external task's camunda:type) is refused naming it.
_REFUSED: dict[str, str] = {}
_MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries")
_BINDINGS = ("", "latest")
_PASSTHROUGH = ("serviceTask", "sendTask")


CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
# Camunda extensions that would run code or map data in Camunda; SpiffWorkflow ignores them, so a diagram that
# relies on them would silently behave differently here.
_IGNORED_CAMUNDA = {"executionListener": "执行监听器", "taskListener": "任务监听器", "inputOutput": "输入输出映射",
                    "connector": "连接器", "in": "调用活动的变量传入", "out": "调用活动的变量传出"}
_IGNORED_CAMUNDA_ATTRIBUTES = ("class", "expression", "delegateExpression", "type")


def _ignored_camunda(tree) -> list[tuple[str | None, str]]:
    found = []
    for extension in tree.iter(f"{{{CAMUNDA_NS}}}*"):
        name = _local(extension.tag)
        if name in _IGNORED_CAMUNDA:
            found.append((_owner_id(extension), f"Camunda 扩展 camunda:{name}（{_IGNORED_CAMUNDA[name]}）本系统不执行"))
    for element in tree.iter():
        for attribute in _IGNORED_CAMUNDA_ATTRIBUTES:
            if element.get(f"{{{CAMUNDA_NS}}}{attribute}") is not None:
                found.append((element.get("id"), f"camunda:{attribute} 需要 Java 或表达式引擎，本系统不执行"
                              if attribute != "type" else "外部任务（camunda:type）需要外部工作程序，本系统不执行"))
    return found


def passthrough_tasks(tree) -> list[tuple[str | None, str]]:
    """(id, name) of each service or send task without an implementation and each empty sub-process: it runs as
    a step that does nothing. Deployment notes each one."""
    found = []
    for name in _PASSTHROUGH:
        for task in tree.iter(f"{{{BPMN_NS}}}{name}"):
            if not any(task.get(f"{{{CAMUNDA_NS}}}{a}") for a in _IGNORED_CAMUNDA_ATTRIBUTES) \
                    and not (name == "sendTask" and task.get("messageRef")):
                found.append((task.get("id"), (task.get("name") or "").strip()))
    found += [(element.get("id"), (element.get("name") or "").strip()) for element in empty_subprocesses(tree)]
    return found


def _owner_id(element) -> str | None:
    while element is not None and (element.get("id") is None or etree.QName(element).namespace != BPMN_NS):
        element = element.getparent()
    return element.get("id") if element is not None else None


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _refuse_unsupported(tree, source: str) -> None:
    problems = [{"element": element, "message": f"{source}：元素 {element or '（无 id）'}：{reason}", "rule": "unsupported"}
                for element, reason in unsupported_elements(tree)]
    if problems:
        raise InvalidDiagram(problems[0]["message"], problems=problems, element=problems[0]["element"])


def unsupported_elements(tree) -> list[tuple[str | None, str]]:
    """Elements of a parsed document the engine cannot run (``(element id, reason)``), which SpiffWorkflow
    would otherwise reject with a bare error or silently ignore."""
    runnable = {_local(tag) for tag in (*CamundaParser.PARSER_CLASSES, *CamundaParser.OVERRIDE_PARSER_CLASSES)}
    found = []
    for child in tree:
        if isinstance(child.tag, str) and _local(child.tag) not in _NOT_RUN_TOP:
            found.append((child.get("id"), f"不支持的 BPMN 元素 {_local(child.tag)}（引擎无法执行）"))
    for collaboration in tree.iter(f"{{{BPMN_NS}}}collaboration"):
        for child in collaboration:
            if isinstance(child.tag, str) and _local(child.tag) not in _COLLABORATION:
                found.append((child.get("id"), f"不支持的 BPMN 元素 {_local(child.tag)}（引擎无法执行）"))
    for container in tree.iter(*(f"{{{BPMN_NS}}}{name}" for name in _CONTAINERS)):
        for child in container:
            name = _local(child.tag)
            if not name or name in _NOT_RUN:
                continue
            if name in _REFUSED:
                found.append((child.get("id"), _REFUSED[name]))
            elif name not in runnable:
                found.append((child.get("id"), f"不支持的 BPMN 元素 {name}（引擎无法执行）"))
    for definition in tree.iter():
        name = _local(definition.tag)
        if name in _REFUSED_EVENTS:
            found.append((definition.getparent().get("id"), _REFUSED_EVENTS[name]))
        elif name.endswith("EventDefinition") and name not in _EVENT_DEFINITIONS:
            found.append((definition.getparent().get("id"), f"不支持的事件类型 {name}（引擎无法执行）"))
    found += [(element.get("id"), "补偿处理任务（isForCompensation）本系统不执行：请去掉补偿，改用普通的连线和任务")
              for element in tree.iter() if isinstance(element.tag, str) and element.get("isForCompensation") == "true"]
    return (found + unpaired_links(tree) + _ignored_camunda(tree) + _other_languages(tree) + _reserved_ids(tree)
            + _decision_tasks(tree))


def _decision_tasks(tree) -> list[tuple[str | None, str]]:
    """Business rule tasks this engine cannot run: without camunda:decisionRef, with a result mapping or a
    version binding it does not know."""
    found = []
    for task in tree.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        camunda = lambda name: (task.get(f"{{{CAMUNDA_NS}}}{name}") or "").strip()  # noqa: E731
        if not camunda("decisionRef"):
            found.append((task.get("id"), "业务规则任务须用 camunda:decisionRef 引用一个 DMN 决策（本系统不执行 Java 类或表达式）"))
        if camunda("mapDecisionResult") and camunda("mapDecisionResult") not in _MAPPINGS:
            found.append((task.get("id"), f"camunda:mapDecisionResult“{camunda('mapDecisionResult')}”无法识别"
                                          f"（可用 {'、'.join(_MAPPINGS)}）"))
        if camunda("decisionRefBinding") not in _BINDINGS:
            found.append((task.get("id"), "业务规则任务总是使用决策的最新版本：不支持 camunda:decisionRefBinding"
                                          f"“{camunda('decisionRefBinding')}”"))
    return found


_PYTHON = {"", "python", "python3", "py", "text/x-python", "application/x-python"}
# SpiffWorkflow's own names for the task specs it adds to every process; an element with such an id is confused
# with them ("No output task connected").
RESERVED_IDS = ("Start", "End")


def _other_languages(tree) -> list[tuple[str | None, str]]:
    """Scripts and conditions in a language other than Python (groovy, javascript, juel …)."""
    found = []
    for task in tree.iter(f"{{{BPMN_NS}}}scriptTask"):
        language = (task.get("scriptFormat") or "").strip()
        if language.lower() not in _PYTHON:
            found.append((task.get("id"), f"脚本语言 {language} 本系统不执行：本系统只运行 Python 脚本和表达式"))
    for condition in tree.iter(f"{{{BPMN_NS}}}conditionExpression", f"{{{BPMN_NS}}}completionCondition"):
        language = (condition.get("language") or "").strip()
        if language.lower() not in _PYTHON:
            found.append((_owner_id(condition), f"条件的语言 {language} 本系统不执行：本系统只运行 Python 表达式"
                                                "（或 ${approved} 这样的简单条件）"))
    return found


def _reserved_ids(tree) -> list[tuple[str | None, str]]:
    return [(element.get("id"), f"id“{element.get('id')}”是引擎内部保留的名称，请在建模器中改为其他 id")
            for element in tree.iter() if isinstance(element.tag, str) and element.get("id") in RESERVED_IDS]
