"""Deploying diagrams the office draws in the editor or brings from Camunda Modeler and bpmn.io.

A diagram is checked by, in order: the XML reader (size, DTDs and entities, BPMN root), the list of elements
the engine can run, the lane names the router knows, the engine's own parse with the sandbox's check of every
script and condition, and bpmnlint's recommended rules (scripts/bpmnlint-check.mjs, in Node). bpmnlint's
errors block a deployment only for the rules in BLOCKING_LINT_RULES (what makes a diagram impossible to run);
naming and style reports are given back as ``warnings`` and do not. bpmnlint runs here, in the
interactive paths (API, command line, editor), not in the bulk loader of the demo and the tests
(workflows/demo.py deploys through the engine directly), which would pay a Node start per diagram.

A diagram saved with ``isExecutable="false"`` (bpmn-js's default) is made executable, with a note saying so.
Timer values written as Camunda users write them (``PT5M``, ``2017-06-20T00:00:00``, ``R3/P1D``) are taken
as ISO 8601 literals by the sandbox (engine/sandbox.py), so they need no change here.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from engine.clock import to_db
from engine import EngineError, InvalidDiagram, NotFound, ProcessDefinition, ProcessInstance
from engine.camunda_attributes import split_list
from engine.layout import BPMNDI, add_layout, add_missing_planes
from engine.parser import BPMN_NS, CAMUNDA_NS, MAX_BYTES, passthrough_tasks, safe_tree, unsupported_elements

from ..directory.routing import Router
from ..runtime import process_engine
from .lint_messages import lint_message
from .models import ProcessDraft

LINT_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bpmnlint-check.mjs"
LINT_TIMEOUT_SECONDS = 20
DEPLOYER_ROLES = frozenset({"office", "admin"})



# bpmnlint's rules whose report means the engine cannot run the diagram: these refuse it. Every other rule
# (naming and style: label-required, no-implicit-split, no-implicit-start/end, superfluous-gateway, no-bpmndi …)
# is a warning, whatever category bpmnlint gives it. README's "Deploying processes" lists them.
BLOCKING_LINT_RULES = frozenset({
    "start-event-required", "end-event-required", "no-complex-gateway", "single-event-definition",
    "event-based-gateway", "link-event", "single-blank-start-event", "no-duplicate-sequence-flows",
    "sub-process-blank-start-event", "event-sub-process-typed-start-event", "global",
})


@dataclass(frozen=True)
class Problem:
    element: str | None
    message: str
    rule: str  # 'bpmnlint:<name>' | 'parse' | 'sandbox' | 'xml' | 'unsupported'; warnings: 'role' | 'formKey' | 'form'

    def as_json(self) -> dict:
        return {"element": self.element, "message": self.message, "rule": self.rule}


@dataclass
class Checked:
    xml: bytes  # what would be deployed: made executable where it was not
    problems: list[Problem]  # any of these refuses the deployment
    notes: list[str]
    warnings: list[Problem] = field(default_factory=list)  # bpmnlint's warnings: shown, not blocking


class DiagramRefused(InvalidDiagram):
    """The diagram was not deployed; ``problems`` names each element at fault."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems[0].message, problems=[p.as_json() for p in problems], element=problems[0].element)
        self.problems = problems


class LintUnavailable(EngineError):
    """bpmnlint could not run (no Node.js, a timeout); the other checks still count."""


@dataclass
class ProcessOverview:
    """One process key, deployed or only drafted: its versions newest first and its draft."""

    key: str
    versions: list[ProcessDefinition]
    draft: ProcessDraft | None

    @property
    def newest(self) -> ProcessDefinition | None:
        return self.versions[0] if self.versions else None


@dataclass
class OutdatedInstance:
    instance: ProcessInstance
    newest: ProcessDefinition


def may_deploy(role: str) -> bool:
    return role in DEPLOYER_ROLES


# -- checking ------------------------------------------------------------------------------------


def check_diagram(session: Session, xml: bytes, *, source: str = "diagram.bpmn") -> Checked:
    """Every problem of the diagram, with the element it is on; never raises for a bad diagram."""
    if len(xml) > MAX_BYTES:
        return Checked(xml, [Problem(None, f"{source}：文件大于 5 MB", "xml")], [])
    try:
        tree = safe_tree(xml, source)
    except InvalidDiagram as error:
        return Checked(xml, [Problem(None, error.message, "xml")], [])
    notes = _make_executable(tree)
    executable_xml = bool(notes)
    notes += [f"{source}：元素 {element}{f'（{name}）' if name else ''}没有实现（Java 类、表达式或外部任务）或没有内容，"
              "运行时作为直通步骤，不做任何事" for element, name in passthrough_tasks(tree)]
    if tree.find(f"{{{BPMNDI}}}BPMNDiagram") is None and tree.find(f"{{{BPMN_NS}}}process") is not None:
        try:  # a diagram without drawing (DI) is drawn by engine/layout, so the pages can show it
            laid_out = add_layout(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
        except (EngineError, ValueError, KeyError) as error:
            notes.append(f"{source}：没有图形信息（BPMN DI），自动布局也未成功（{str(error)[:100]}），流程图页面将无法显示")
        else:
            tree, xml, executable_xml = safe_tree(laid_out, source), laid_out, False
            notes.append(f"{source}：没有图形信息（BPMN DI），已自动布局")
    else:
        tree, xml, executable_xml, drawn = _draw_collapsed(tree, xml, executable_xml, source)
        notes += drawn
    if executable_xml or not _is_utf8(xml):  # versions are stored as UTF-8 text, whatever the file's own encoding
        xml = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    names = {e.get("id"): (e.get("name") or "").strip() for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
    problems = [Problem(element, f"{source}：元素 {element or '（无 id）'}{f'（{names[element]}）' if names.get(element) else ''}"
                                 f"：{reason}", "unsupported")
                for element, reason in unsupported_elements(tree)]
    if not problems:
        problems += _parse_problems(session, xml, source)
    checked = Checked(xml, problems, notes, _routing_warnings(session, tree, source) + _form_warnings(tree, source))
    _add_lint(checked, {element for element, _ in passthrough_tasks(tree)})
    return checked


def _draw_collapsed(tree, xml: bytes, executable_xml: bool, source: str):
    """Partial DI: collapsed sub-processes whose content was never drawn get a diagram of their own (engine/layout)."""
    if tree.find(f"{{{BPMNDI}}}BPMNDiagram") is None:
        return tree, xml, executable_xml, []
    try:
        laid_out, drawn = add_missing_planes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))
    except (EngineError, ValueError, KeyError):
        return tree, xml, executable_xml, []
    if not drawn:
        return tree, xml, executable_xml, []
    return safe_tree(laid_out, source), laid_out, False, [f"{source}：折叠的子流程 {element} 内部没有图形信息，已自动布局"
                                                          for element in drawn]


def _is_utf8(xml: bytes) -> bool:
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _make_executable(tree) -> list[str]:
    """bpmn-js saves processes with isExecutable="false"; a process with something in it is meant to run."""
    notes = []
    for process in tree.iter(f"{{{BPMN_NS}}}process"):
        if process.get("isExecutable") == "false" and len(process.xpath("./*[local-name()='startEvent']")):
            process.set("isExecutable", "true")
            notes.append(f"流程 {process.get('id')} 原为 isExecutable=\"false\"（bpmn-js 的默认值），已设为可执行")
    return notes


def _routing_warnings(session: Session, tree, source: str) -> list[Problem]:
    """A lane or candidate group nobody is known to play, and a form the product cannot show: deployable, but the
    office should map the name (a task reaching it goes to 待分派) or know the form is replaced by formData."""
    router = Router(session)
    keys = [process.get("id") for process in tree.iter(f"{{{BPMN_NS}}}process")]
    warnings = []
    for element, name in _routing_names(tree):
        if not any(router.knows_lane(name, key) for key in keys):
            warnings.append(Problem(element, f"{source}：“{name}”不是已知的单位、单位组或角色，也还没有对应的单位："
                                             "请在“角色对应”中指定；到达这里的任务先进入区推进办的待分派", "role"))
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        if task.get(f"{{{CAMUNDA_NS}}}formKey"):
            warnings.append(Problem(task.get("id"), f"{source}：任务 {task.get('id')} 的外部表单 camunda:formKey"
                                                    f"“{task.get(f'{{{CAMUNDA_NS}}}formKey')}”本系统无法显示，"
                                                    "将只显示 camunda:formData 中的字段", "formKey"))
    return warnings


def _form_warnings(tree, source: str) -> list[Problem]:
    """A user task with no form field (camunda:formData) nor form: the person can only press 提交."""
    warnings = []
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        if task.get(f"{{{CAMUNDA_NS}}}formKey") or task.find(f".//{{{CAMUNDA_NS}}}formField") is not None:
            continue
        name = (task.get("name") or "").strip()
        warnings.append(Problem(task.get("id"), f"{source}：用户任务 {task.get('id')}{f'（{name}）' if name else ' '}"
                                                "没有表单：办理人只能提交，无法填写内容；可在属性面板“表单”中添加表单字段",
                                "form"))
    return warnings


def _routing_names(tree) -> list[tuple[str | None, str]]:
    """(element id, name) of each named lane and each candidate group that is not an expression."""
    names = [(lane.get("id"), lane.get("name").strip()) for lane in tree.iter(f"{{{BPMN_NS}}}lane")
             if (lane.get("name") or "").strip()]
    for task in tree.iter(f"{{{BPMN_NS}}}userTask"):
        groups = split_list(task.get(f"{{{CAMUNDA_NS}}}candidateGroups"))
        names += [(task.get("id"), group) for group in groups if not group.startswith("${")]
    return names


def _parse_problems(session: Session, xml: bytes, source: str) -> list[Problem]:
    try:
        process_engine(session).parse([(source, xml)])
    except InvalidDiagram as error:
        return _problems_of(error)
    return []


def _problems_of(error: InvalidDiagram) -> list[Problem]:
    return [Problem(p.get("element") or None, p["message"], p.get("rule", "parse")) for p in error.problems]


def _add_lint(checked: Checked, passing: set[str]) -> None:
    """bpmnlint's reports, as problems or warnings; ``passing``: ids of the empty sub-processes, which need no
    start or end event (they run as pass-through steps)."""
    try:
        reports = lint(checked.xml)
    except LintUnavailable as error:
        checked.notes.append(f"未运行 bpmnlint 检查：{error.message}")
        return
    for report in reports:
        rule = report["rule"]
        message = lint_message(rule, report["message"])
        problem = Problem(report.get("element"), message, f"bpmnlint:{rule}")
        blocks = report.get("category") == "error" and rule in BLOCKING_LINT_RULES \
            and not (rule in ("start-event-required", "end-event-required") and report.get("element") in passing)
        (checked.problems if blocks else checked.warnings).append(problem)


def lint(xml: bytes) -> list[dict]:
    """bpmnlint's reports on the document: ``[{element, message, rule, category}]``."""
    node = shutil.which("node")
    if node is None:
        raise LintUnavailable("未找到 Node.js（node 命令），请安装 Node.js 后再检查")
    try:
        run = subprocess.run([node, str(LINT_SCRIPT)], input=xml, capture_output=True, timeout=LINT_TIMEOUT_SECONDS,
                             cwd=LINT_SCRIPT.parent.parent, check=False)
    except subprocess.TimeoutExpired as error:
        raise LintUnavailable(f"bpmnlint 检查超过 {LINT_TIMEOUT_SECONDS} 秒未完成") from error
    if run.returncode != 0:
        reason = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LintUnavailable(f"bpmnlint 运行失败：{reason[0] if reason else run.returncode}")
    return json.loads(run.stdout)


# -- deploying -----------------------------------------------------------------------------------


def deploy_diagram(session: Session, xml: bytes, *, source: str,
                   deployed_by: str) -> tuple[list[ProcessDefinition], list[str]]:
    """Deploy each process of the file as its next version; flushes, never commits. Raises DiagramRefused.

    The notes include a line per name to map (a lane or group nobody plays yet) and per form it cannot show."""
    definitions, notes, warnings = deploy_checked(session, xml, source=source, deployed_by=deployed_by)
    return definitions, notes + [w.message for w in warnings if w.rule in ("role", "formKey")]


def deploy_checked(session: Session, xml: bytes, *, source: str,
                   deployed_by: str) -> tuple[list[ProcessDefinition], list[str], list[Problem]]:
    """deploy_diagram with the warnings apart: (definitions, notes, every warning that did not block it)."""
    checked = check_diagram(session, xml, source=source)
    if checked.problems:
        raise DiagramRefused(checked.problems)
    engine = process_engine(session)
    newest = {d.key: d.version for d in engine.latest_definitions()}
    try:
        definitions = engine.deploy(checked.xml, deployed_by=deployed_by, source=source)
    except InvalidDiagram as error:
        raise DiagramRefused(_problems_of(error)) from error
    notes = list(checked.notes)
    notes += [f"流程 {d.key} 与已部署的版本 {d.version} 相同，未新建版本" for d in definitions
              if newest.get(d.key) == d.version]
    return definitions, notes, checked.warnings


def definition_versions(session: Session) -> list[ProcessDefinition]:
    """Every deployed version, by key and version."""
    return list(session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)))


def process_overview(session: Session, key: str | None = None) -> list[ProcessOverview]:
    """Every process key (or the one ``key``) that has a deployed version or a draft, by key."""
    versions: dict[str, list[ProcessDefinition]] = {}
    for definition in definition_versions(session):
        versions.setdefault(definition.key, []).insert(0, definition)
    drafts = {draft.key: draft for draft in session.scalars(select(ProcessDraft))}
    keys = sorted(set(versions) | set(drafts)) if key is None else [key] if key in versions or key in drafts else []
    return [ProcessOverview(k, versions.get(k, []), drafts.get(k)) for k in keys]


def definition_version(session: Session, key: str, version: int) -> ProcessDefinition:
    definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                                ProcessDefinition.version == version))
    if definition is None:
        raise NotFound(f"没有流程 {key} 的版本 {version}")
    return definition


# -- drafts --------------------------------------------------------------------------------------


def save_draft(session: Session, key: str, xml: bytes, *, saved_by: str) -> ProcessDraft:
    """Keep the editor's work on a process (one draft per key, the last save wins); flushes, never commits.

    A draft may be unfinished, but it must be a BPMN document as the safe reader takes it (well-formed XML, no
    DTD or entities, root bpmn:definitions): InvalidDiagram (422) otherwise, and nothing is stored."""
    if len(xml) > MAX_BYTES:
        raise InvalidDiagram(f"草稿 {key}：文件大于 5 MB")
    if not _is_utf8(xml):
        raise InvalidDiagram(f"草稿 {key}：不是 UTF-8 编码的文本")
    safe_tree(xml, f"草稿 {key}")
    draft = get_draft(session, key) or ProcessDraft(key=key)
    draft.bpmn_xml, draft.saved_by, draft.saved_at = xml.decode("utf-8"), saved_by, _now(session)
    session.add(draft)
    session.flush()
    return draft


def get_draft(session: Session, key: str) -> ProcessDraft | None:
    return session.scalar(select(ProcessDraft).where(ProcessDraft.key == key))


def discard_draft(session: Session, key: str) -> None:
    draft = get_draft(session, key)
    if draft is not None:
        session.delete(draft)
        session.flush()


def _now(session: Session) -> datetime:
    return to_db(process_engine(session).clock.now())


# -- running instances on older versions --------------------------------------------------------


def instances_on_older_versions(session: Session) -> list[OutdatedInstance]:
    """Running instances whose process has a newer version, for the office to migrate."""
    newest = {d.key: d for d in process_engine(session).latest_definitions()}
    top = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")).group_by(
        ProcessDefinition.key).subquery()
    rows = session.scalars(
        select(ProcessInstance).join(ProcessInstance.definition).join(top, ProcessDefinition.key == top.c.key)
        .where(ProcessInstance.status == "running", ProcessDefinition.version < top.c.version)
        .options(defer(ProcessInstance.state)).order_by(ProcessInstance.id))
    return [OutdatedInstance(row, newest[row.definition.key]) for row in rows]


def unfinished_by_version(session: Session, key: str) -> dict[int, int]:
    """version → how many instances of the process are unfinished (running or in error): what stays on its
    version when a new one is deployed (the editor's confirmation shows it)."""
    rows = session.execute(select(ProcessDefinition.version, func.count(ProcessInstance.id))
                           .join(ProcessInstance.definition)
                           .where(ProcessDefinition.key == key, ProcessInstance.status.in_(("running", "error")))
                           .group_by(ProcessDefinition.version).order_by(ProcessDefinition.version))
    return {version: count for version, count in rows}


def migrate_instance(session: Session, instance_id: int, *, actor: str) -> ProcessInstance:
    """Move a running instance to its process's newest version. Raises MigrationRefused (409) with the reason."""
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"流程实例 {instance_id} 不存在")
    engine = process_engine(session)
    return engine.migrate_instance(instance_id, engine.latest_definition(row.definition.key), actor=actor).row


def count_definitions(session: Session) -> int:
    return session.scalar(select(func.count(ProcessDefinition.id)))
