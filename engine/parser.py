"""Reading BPMN documents into SpiffWorkflow specs, with parse errors turned into InvalidDiagram."""
from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask
from SpiffWorkflow.bpmn.parser.event_parsers import ReceiveTaskParser, SendTaskParser
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.event_parsers import CamundaEventDefinitionParser
from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask, SequentialMultiInstanceTask

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .element_rules import (BPMN_NS, CAMUNDA_NS, _CONTAINERS, _local,  # noqa: F401  (re-exported)
                            _refuse_unsupported, empty_subprocesses, passthrough_tasks, unsupported_elements)
from .dmn_task import DecisionTask, DecisionTaskParser
from .bounds import BoundExceeded, EngineBounds, check_cardinality, check_timer_value
from .errors import InvalidDiagram, ScriptError
from .links import links_as_flows
from .sandbox import SandboxEnvironment, check, is_iso_literal

CamundaMultiInstance = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)
MAX_BYTES = 5 * 1024 * 1024


class PassThroughServiceTask(ServiceTask):
    """A service task without an implementation: it completes as soon as it is reached (a deploy note says so;
    one with an implementation is refused by unsupported_elements before parsing)."""

    def _execute(self, task):
        return True


class _SendTaskParser(CamundaEventDefinitionParser, SendTaskParser):
    """A send task's message as Camunda's MessageEventDefinition (the plain one cannot be stored beside it)."""

    def create_task(self):
        return SendTaskParser.create_task(self)


class _ReceiveTaskParser(CamundaEventDefinitionParser, ReceiveTaskParser):
    """A receive task's message as Camunda's MessageEventDefinition, as for _SendTaskParser."""

    def create_task(self):
        return ReceiveTaskParser.create_task(self)


class _Parser(CamundaParser):
    """SpiffWorkflow's Camunda parser, with service tasks as pass-through steps, receive and send tasks whose
    message definitions the serializer (engine/storage.py) can store, and business rule tasks that find their
    decision when they run (engine/dmn_task.py)."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        f"{{{BPMN_NS}}}serviceTask": (TaskParser, PassThroughServiceTask),
        f"{{{BPMN_NS}}}businessRuleTask": (DecisionTaskParser, DecisionTask),
        f"{{{BPMN_NS}}}sendTask": (_SendTaskParser, CamundaParser.PARSER_CLASSES[f"{{{BPMN_NS}}}sendTask"][1]),
        f"{{{BPMN_NS}}}receiveTask": (_ReceiveTaskParser, CamundaParser.PARSER_CLASSES[f"{{{BPMN_NS}}}receiveTask"][1]),
    }


@dataclass
class ParsedProcess:
    key: str
    name: str
    source: str
    bpmn_xml: bytes
    spec: object
    subprocess_specs: dict


def safe_xml(document: bytes, source: str, kind: str):
    """The tree of an uploaded ``kind`` file (BPMN, DMN), refusing one over 5 MB, one with a DTD or an entity, and
    what is not XML (InvalidDiagram naming ``source``). Entities and the network are never resolved."""
    if len(document) > MAX_BYTES:
        raise InvalidDiagram(f"{source}：文件大于 5 MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(document, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidDiagram(f"{source}：不是合法的 XML（{error}）") from error
    if tree.getroottree().docinfo.doctype or tree.getroottree().docinfo.internalDTD:
        raise InvalidDiagram(f"{source}：{kind} 文件不得包含 DTD 或实体声明")
    return tree


def safe_tree(bpmn_xml: bytes, source: str):
    """A BPMN file's tree (see safe_xml) whose root is ``bpmn:definitions``."""
    tree = safe_xml(bpmn_xml, source, "BPMN")
    if tree.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidDiagram(f"{source}：根元素不是 bpmn:definitions，不是 BPMN 文件")
    return tree


def checksum(bpmn_xml: bytes) -> str:
    return hashlib.sha256(bpmn_xml).hexdigest()


def parse_processes(documents: list[tuple[str, bytes]], library: list[tuple[str, bytes]] = (),
                    bounds: EngineBounds | None = None) -> list[ParsedProcess]:
    """Every executable process of ``documents``, each with the specs it calls.

    ``library`` holds other documents (the newest deployed versions) that call activities may need;
    their own processes are not returned. Timer values and loop cardinalities the diagram states as literals
    are checked against ``bounds`` (InvalidDiagram naming each element beyond them).
    """
    bounds = bounds or EngineBounds()
    parser = _Parser()
    origin: dict[str, tuple[str, bytes]] = {}
    try:
        for source, raw in documents:
            before = set(parser.process_parsers)
            tree = safe_tree(raw, source)
            _refuse_unsupported(tree, source)
            parser.add_bpmn_xml(prepared(tree), filename=source)
            origin.update({key: (source, raw) for key in set(parser.process_parsers) - before})
        for source, raw in library:
            # A file of several processes is stored once per process key: parse each such file once, and never
            # a copy of a process the documents being deployed define anew ("Duplicate process ID").
            if not set(_process_ids(raw)) & set(parser.process_parsers):
                parser.add_bpmn_xml(prepared(safe_tree(raw, source)), filename=source)
        keys = [key for key in parser.get_process_ids() if key in origin]
        if not keys:
            names = "、".join(source for source, _ in documents)
            raise InvalidDiagram(f"{names}：没有可执行的流程（isExecutable=\"true\"）")
        parsed = []
        for key in keys:
            spec = parser.get_spec(key)
            source, raw = origin[key]
            subprocess_specs = parser.get_subprocess_specs(key)
            for process_spec in [spec, *subprocess_specs.values()]:
                _fix_collection_references(process_spec)
                _check_code(process_spec, source, bounds)
            parsed.append(ParsedProcess(key, spec.description or key, source, raw, spec, subprocess_specs))
        return parsed
    except ValidationException as error:
        element = getattr(error, "id", None) or getattr(error, "name", None)
        if isinstance(error.__context__, RecursionError):  # SpiffWorkflow follows a chain of steps recursively
            raise InvalidDiagram(f"{documents[0][0]}：流程图中依次相连的步骤过多，无法解析：请拆成几个子流程",
                                 element=element) from error
        raise InvalidDiagram(_parse_message(error), element=element) from error
    except (KeyError, AttributeError, TypeError, ValueError) as error:
        # SpiffWorkflow's parser trips over some malformed documents (a dangling reference, a missing id).
        raise InvalidDiagram(f"{documents[0][0]}：无法解析流程图：有引用指向不存在的元素，或缺少必需的属性"
                             f"（{str(error)[:200]}）") from error


# SpiffWorkflow's parse errors, by the start of their English text, in the office's words.
_PARSE_MESSAGES = (
    ("Non-default exclusive outgoing sequence flow without condition",
     "排他网关的离开连线既没有条件，也不是默认连线：请给它加条件，或设为网关的默认连线"),
    ("Multiple outgoing flows are not supported",
     "任务有多条带条件的离开连线：请在任务之后加一个网关，把条件写在网关的连线上"),
    ("Time Specification Error", "定时器没有时间设置，或格式无法识别（应为 ISO 8601，如 PT5M、2017-06-20T00:00:00、R3/P1D）"),
    ("Exactly one start event is required", "子流程必须恰好有一个空白开始事件"),
    ('No "calledElement" attribute', "调用活动缺少 calledElement（被调用流程的 id）"),
    ("A multiinstance task must specify", "多实例任务必须指定 loopCardinality 或 camunda:collection"),
    ("The process '", "调用活动调用的流程既不在此文件中，也没有部署过：请先部署它，或把它画在同一个文件里"),
    ("Duplicate process ID", "文件中有两个 id 相同的流程"),
)


def _parse_message(error: ValidationException) -> str:
    """A parse error in Chinese: the file, the element (id and name) and what is wrong; SpiffWorkflow's own
    English words only for an error this list does not know (some of them are cut short)."""
    english = (str(error.args[0]) if error.args else str(error)).strip()
    known = next((words for prefix, words in _PARSE_MESSAGES if english.startswith(prefix)), None)
    element, name = getattr(error, "id", None), getattr(error, "name", None)
    where = f"元素 {element}{f'（{name}）' if name and name != element else ''}：" if element else ""
    what = known or f"流程图无法解析（{english.rstrip('. ')}）"
    return f"{getattr(error, 'file_name', '') or '流程图'}：{where}{what}"


def prepared(tree):
    """The tree as SpiffWorkflow should parse it (changed in place and returned; the stored XML stays the
    modeler's): without data stores, with an implicit parallel split made explicit, with Camunda's simple
    ``${…}`` conditions as Python expressions, with link events as flows (engine/links.py)."""
    _make_splits_explicit(_conditions_as_python(_without_data_stores(links_as_flows(tree))))
    for subprocess in empty_subprocesses(tree):
        subprocess.tag = f"{{{BPMN_NS}}}serviceTask"
    return tree


_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}


def _make_splits_explicit(tree):
    """A task or event with several unconditional outgoing flows splits in parallel (BPMN's implicit split);
    SpiffWorkflow wants a gateway there, so one is put after it. Conditional flows out of a task stay as drawn
    (SpiffWorkflow refuses them, naming the element)."""
    for container in tree.iter(*(f"{{{BPMN_NS}}}{name}" for name in _CONTAINERS)):
        flows = [child for child in container if child.tag == f"{{{BPMN_NS}}}sequenceFlow"]
        by_source: dict[str, list] = {}
        for flow in flows:
            by_source.setdefault(flow.get("sourceRef"), []).append(flow)
        nodes = {child.get("id"): child for child in container if isinstance(child.tag, str)}
        for source, outgoing in by_source.items():
            node = nodes.get(source)
            if node is None or _local(node.tag) in _GATEWAYS or len(outgoing) < 2 or node.get("default") \
                    or any(flow.find(f"{{{BPMN_NS}}}conditionExpression") is not None for flow in outgoing):
                continue
            gateway_id = f"{source}__split"
            gateway = etree.SubElement(container, f"{{{BPMN_NS}}}parallelGateway", id=gateway_id)
            for flow in outgoing:
                flow.set("sourceRef", gateway_id)
            etree.SubElement(container, f"{{{BPMN_NS}}}sequenceFlow", id=f"{source}__to_split", sourceRef=source,
                             targetRef=gateway_id)
            for child in list(node):
                if child.tag == f"{{{BPMN_NS}}}outgoing":
                    node.remove(child)
            del gateway
    return tree


_EL = re.compile(r"^\s*\$\{(.*)\}\s*$", re.S)


def python_condition(expression: str) -> str:
    """Camunda's simple JUEL conditions as Python: ``${approved}`` → ``approved``, ``${amount > 1000}``,
    ``${decision == 'yes'}``, ``${!approved}`` → ``not approved``, ``&&``/``||``/``and``/``or``, ``eq``/``ne``/
    ``gt``/``lt``/``ge``/``le``, ``true``/``false``/``null``. Anything else (a method call …) is left for the
    sandbox to refuse. A text that is not ``${…}`` is returned as it is."""
    match = _EL.match(expression or "")
    if not match:
        return expression
    words = {"eq": "==", "ne": "!=", "gt": ">", "lt": "<", "ge": ">=", "le": "<=", "true": "True",
             "false": "False", "null": "None"}
    pieces = re.split(r"('[^']*'|\"[^\"]*\")", match.group(1).strip())  # string literals stay as they are
    for index in range(0, len(pieces), 2):
        piece = pieces[index].replace("&&", " and ").replace("||", " or ")
        piece = re.sub(r"!(?!=)", " not ", piece)
        piece = re.sub(r"\b(eq|ne|gt|lt|ge|le|true|false|null)\b", lambda m: words[m.group(1)], piece)
        pieces[index] = re.sub(r"\s+", " ", piece)
    return "".join(pieces).strip()


def _conditions_as_python(tree):
    for condition in tree.iter(f"{{{BPMN_NS}}}conditionExpression"):
        if condition.text and _EL.match(condition.text):
            condition.text = python_condition(condition.text)
    return tree


def _without_data_stores(tree):
    """The tree without its data stores, their references and the associations to them: drawn by modelers for
    documentation, they hold nothing the engine reads (SpiffWorkflow refuses a data store it has no class for)."""
    references = set()
    for element in list(tree.iter(f"{{{BPMN_NS}}}dataStore", f"{{{BPMN_NS}}}dataStoreReference")):
        references.add(element.get("id"))
        element.getparent().remove(element)
    for association in list(tree.iter(f"{{{BPMN_NS}}}dataInputAssociation", f"{{{BPMN_NS}}}dataOutputAssociation")):
        ends = {(ref.text or "").strip() for ref in association
                if _local(ref.tag) in ("sourceRef", "targetRef")}
        if ends & references:
            association.getparent().remove(association)
    return tree


def _fix_collection_references(process_spec) -> None:
    """Bind a camunda:collection multi-instance to its collection when parsed, not when first run.

    SpiffWorkflow's Camunda task sets the input collection on the spec when the task starts; a spec
    restored from storage has lost it and then appends to the collection instead of updating it in place.
    """
    for task_spec in process_spec.task_specs.values():
        if isinstance(task_spec, CamundaMultiInstance) and task_spec.cardinality is None \
                and task_spec.data_output is not None and task_spec.data_input is None:
            task_spec.data_input = TaskDataReference(task_spec.data_output.bpmn_id)
            if task_spec.output_item is not None:
                task_spec.input_item = TaskDataReference(task_spec.output_item.bpmn_id)


def _code_of(task_spec) -> list[tuple[str, bool]]:
    """Every piece of code a task spec will evaluate, with whether it is a script (else an expression)."""
    code = []
    if isinstance(getattr(task_spec, "script", None), str):
        code.append((task_spec.script, True))
    for condition, _ in getattr(task_spec, "cond_task_specs", []):
        expression = getattr(condition, "args", [None])[0] if condition is not None else None
        if isinstance(expression, str):
            code.append((expression, False))
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(getattr(definition, "expression", None), str):
        code.append((definition.expression, False))
    for name in ("cardinality", "condition"):
        if isinstance(getattr(task_spec, name, None), str):
            code.append((getattr(task_spec, name), False))
    return code


def _check_code(process_spec, source: str, bounds: EngineBounds) -> None:
    """Refuse at deploy time what the sandbox would refuse at run time, and literal timer values and loop
    cardinalities beyond the bounds, naming every element at fault."""
    problems = []
    for task_spec in process_spec.task_specs.values():
        element = task_spec.bpmn_id or task_spec.name
        label = f"{element}（{task_spec.bpmn_name}）" if task_spec.bpmn_name else element
        for code, is_script in _code_of(task_spec):
            try:
                check(code, is_script=is_script)
            except ScriptError as error:
                problems.append({"element": element, "message": f"{source}：元素 {label}：{error.message}",
                                 "rule": "sandbox"})
        for message in _beyond_bounds(task_spec, element, bounds):
            problems.append({"element": element, "message": f"{source}：元素 {label}：{message}", "rule": "bounds"})
    if problems:
        raise InvalidDiagram(problems[0]["message"], problems=problems, element=problems[0]["element"])


def _literal(expression) -> tuple[bool, object]:
    """(True, value) when an expression needs no data (``P3D``, ``'P' + '9'*30 + 'D'``, ``-5``), else (False, None).
    Such an expression is evaluated in the sandbox, under its limits."""
    if not isinstance(expression, str) or not expression.strip():
        return False, None
    if is_iso_literal(expression):
        return True, expression.strip()
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        return False, None
    if any(not isinstance(node, (ast.Expression, ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop))
           for node in ast.walk(tree)):
        return False, None
    try:
        return True, SandboxEnvironment({}).evaluate(expression, {})
    except (ScriptError, ArithmeticError, TypeError, ValueError):
        return False, None


def _beyond_bounds(task_spec, element: str, bounds: EngineBounds) -> list[str]:
    """Why a literal timer value or loop cardinality of ``task_spec`` is beyond ``bounds`` (empty: it is not)."""
    checks = []
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        checks.append((definition.expression, check_timer_value))
    if isinstance(task_spec, CamundaMultiInstance) and isinstance(task_spec.cardinality, str):
        checks.append((task_spec.cardinality, check_cardinality))
    problems = []
    for expression, bound in checks:
        known, value = _literal(expression)
        if known:
            try:
                bound(value, bounds, element)
            except BoundExceeded as error:
                problems.append(error.message.split("：", 1)[-1])
    return problems


def _process_ids(raw: bytes) -> list[str]:
    tree = safe_tree(raw, "library")
    return [element.get("id") for element in tree.iter(f"{{{BPMN_NS}}}process")]


# What a process may hold besides the flow nodes the parser turns into tasks: drawing, documentation, data.
