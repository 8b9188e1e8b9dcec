"""Reading BPMN documents into SpiffWorkflow specs, with parse errors turned into InvalidDiagram."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.specs.multiinstance_task import ParallelMultiInstanceTask, SequentialMultiInstanceTask

from .errors import InvalidDiagram, ScriptError
from .sandbox import check

CamundaMultiInstance = (ParallelMultiInstanceTask, SequentialMultiInstanceTask)
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ParsedProcess:
    key: str
    name: str
    source: str
    bpmn_xml: bytes
    spec: object
    subprocess_specs: dict


def safe_tree(bpmn_xml: bytes, source: str):
    if len(bpmn_xml) > MAX_BYTES:
        raise InvalidDiagram(f"{source}：文件大于 5 MB")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.fromstring(bpmn_xml, parser=parser)
    except etree.XMLSyntaxError as error:
        raise InvalidDiagram(f"{source}：不是合法的 XML（{error}）") from error
    if tree.getroottree().docinfo.doctype or tree.getroottree().docinfo.internalDTD:
        raise InvalidDiagram(f"{source}：BPMN 文件不得包含 DTD 或实体声明")
    if tree.tag != f"{{{BPMN_NS}}}definitions":
        raise InvalidDiagram(f"{source}：根元素不是 bpmn:definitions，不是 BPMN 文件")
    return tree


def checksum(bpmn_xml: bytes) -> str:
    return hashlib.sha256(bpmn_xml).hexdigest()


def parse_processes(documents: list[tuple[str, bytes]],
                    library: list[tuple[str, bytes]] = ()) -> list[ParsedProcess]:
    """Every executable process of ``documents``, each with the specs it calls.

    ``library`` holds other documents (the newest deployed versions) that call activities may need;
    their own processes are not returned.
    """
    parser = CamundaParser()
    origin: dict[str, tuple[str, bytes]] = {}
    try:
        for source, raw in documents:
            before = set(parser.process_parsers)
            parser.add_bpmn_xml(safe_tree(raw, source), filename=source)
            origin.update({key: (source, raw) for key in set(parser.process_parsers) - before})
        for source, raw in library:
            if not set(_process_ids(raw)) & set(origin):
                parser.add_bpmn_xml(safe_tree(raw, source), filename=source)
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
                _check_code(process_spec, source)
            parsed.append(ParsedProcess(key, spec.description or key, source, raw, spec, subprocess_specs))
        return parsed
    except ValidationException as error:
        element = getattr(error, "id", None) or getattr(error, "name", None)
        raise InvalidDiagram(f"{getattr(error, 'file_name', '') or '流程图'}：{error}", element=element) from error


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


def _check_code(process_spec, source: str) -> None:
    """Refuse at deploy time what the sandbox would refuse at run time, naming the element."""
    for task_spec in process_spec.task_specs.values():
        for code, is_script in _code_of(task_spec):
            try:
                check(code, is_script=is_script)
            except ScriptError as error:
                element = task_spec.bpmn_id or task_spec.name
                label = f"{element}（{task_spec.bpmn_name}）" if task_spec.bpmn_name else element
                raise InvalidDiagram(f"{source}：元素 {label}：{error.message}", element=element) from error


def _process_ids(raw: bytes) -> list[str]:
    tree = safe_tree(raw, "library")
    return [element.get("id") for element in tree.iter(f"{{{BPMN_NS}}}process")]
