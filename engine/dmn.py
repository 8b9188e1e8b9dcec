"""DMN decision tables: read safely, their FEEL cells turned into sandboxed Python, evaluated row by row.

SpiffWorkflow reads a table (``SpiffWorkflow.dmn.parser.DMNParser`` into ``SpiffWorkflow.dmn.specs.model``) and
compares a cell with ``DMNEngine.evaluate``; both evaluate through the script engine they are given, which here
is always the sandbox (engine/sandbox.py), never ``eval``. What SpiffWorkflow does not do is read FEEL, the
language Camunda Modeler and dmn-js write into the cells; ``unary_test`` turns the simple unary tests Camunda
users write (``< 10``, ``[1..5]``, ``"yes"``, ``-``, ``not("no")``, ``"a","b"``) into a Python test of ``?`` (the
input's value, SpiffWorkflow's placeholder). A cell it cannot read refuses the deployment, naming the decision,
the rule (row) and the input column.

SpiffWorkflow also reads only one decision per file; a file here may hold several (a decision requirements
diagram), each read on its own.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser
from SpiffWorkflow.dmn.specs.model import DecisionTable

from .errors import InvalidDiagram, ScriptError
from .parser import checksum, python_condition, safe_xml
from .restricted import check

DMN_NAMESPACES = ("http://www.omg.org/spec/DMN/20151101/dmn.xsd", "http://www.omg.org/spec/DMN/20180521/MODEL/",
                  "https://www.omg.org/spec/DMN/20191111/MODEL/", "https://www.omg.org/spec/DMN/20211108/MODEL/",
                  "https://www.omg.org/spec/DMN/20230324/MODEL/")
HIT_POLICIES = {"UNIQUE", "FIRST", "ANY", "COLLECT", "RULE ORDER"}
_SINGLE_HIT = {"UNIQUE", "FIRST", "ANY"}


class CellError(ValueError):
    """A FEEL cell this reader does not understand; the message says what it expected."""


@dataclass(frozen=True)
class Decision:
    """One decision of a DMN file: its id (the key it is versioned by), name, and its table as SpiffWorkflow reads
    it, with every cell already in sandboxed Python."""

    key: str
    name: str
    table: DecisionTable

    @property
    def single_hit(self) -> bool:
        return self.table.hit_policy in _SINGLE_HIT


@dataclass(frozen=True)
class Match:
    """A rule that matched: its row (1-based, as the table shows it), its description (the annotation column) and
    its outputs by output name."""

    row: int
    description: str
    outputs: dict


def is_dmn(document: bytes) -> bool:
    """True when the document's root is a DMN ``definitions`` (a cheap look, before any parse)."""
    head = document[:4096].decode("utf-8", "replace")
    return any(namespace in head for namespace in DMN_NAMESPACES) and "decision" in head


def safe_dmn_tree(dmn_xml: bytes, source: str):
    """The document's tree, refusing what BPMN refuses (over 5 MB, a DTD or entity, not XML) and a root that is
    not DMN's ``definitions`` (InvalidDiagram)."""
    tree = safe_xml(dmn_xml, source, "DMN")
    if etree.QName(tree).localname != "definitions" or etree.QName(tree).namespace not in DMN_NAMESPACES:
        raise InvalidDiagram(f"{source}：根元素不是 DMN 的 definitions，不是 DMN 文件")
    return tree


# -- FEEL cells ------------------------------------------------------------------------------------------------

_NUMBER = r"-?\d+(?:\.\d+)?"
_STRING = r'"(?:[^"\\]|\\.)*"'
_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_ENDPOINT = re.compile(rf"^\s*({_NUMBER}|{_STRING}|{_NAME})\s*$")
_COMPARISON = re.compile(r"^\s*(<=|>=|<|>|!=|=)\s*(.+)$", re.S)
_RANGE = re.compile(r"^\s*([\[\](])\s*(.+?)\s*\.\.\s*(.+?)\s*([\[\])])\s*$", re.S)
_NOT = re.compile(r"^\s*not\s*\((.*)\)\s*$", re.S)
_WORDS = {"true": "True", "false": "False", "null": "None"}


def _split_top(text: str) -> list[str]:
    """``text`` split at the commas outside strings and brackets."""
    parts, depth, quoted, current = [], 0, False, ""
    for index, char in enumerate(text):
        if char == '"' and (index == 0 or text[index - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]" and depth:
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(current)
            current = ""
            continue
        current += char
    return parts + [current]


def _endpoint(text: str) -> str:
    match = _ENDPOINT.match(text)
    if not match:
        raise CellError(f"“{text.strip()}”不是数字、带引号的文字或变量名")
    value = match.group(1)
    if value in _WORDS:
        return _WORDS[value]
    if re.fullmatch(_NAME, value) and "." in value:
        head, *path = value.split(".")
        return head + "".join(f'["{part}"]' for part in path)
    return value


def _one_test(text: str) -> str:
    comparison = _COMPARISON.match(text)
    if comparison:
        operator = "==" if comparison.group(1) == "=" else comparison.group(1)
        return f"? {operator} {_endpoint(comparison.group(2))}"
    interval = _RANGE.match(text)
    if interval:
        opening, low, high, closing = interval.groups()
        lower = "<=" if opening == "[" else "<"
        upper = "<=" if closing == "]" else "<"
        return f"{_endpoint(low)} {lower} ? {upper} {_endpoint(high)}"
    return f"? == {_endpoint(text)}"


def unary_test(text: str | None) -> str | None:
    """A FEEL unary test as a Python test of ``?`` (None: the cell matches anything).

    ``-`` or empty → None; ``< 10`` → ``? < 10``; ``[1..5]`` → ``1 <= ? <= 5`` (``]``/``(``/``)`` open an end);
    ``"yes"`` → ``? == "yes"``; ``"a","b"`` → ``(? == "a") or (? == "b")``; ``not("no")`` → ``not (…)``;
    ``true``/``false``/``null``; a variable name (``limit``, ``applicant.age``) compares with that variable.
    A cell already written as SpiffWorkflow's Python (with ``?``) is kept. CellError for anything else."""
    text = (text or "").strip()
    if text in ("", "-"):
        return None
    if "?" in re.sub(_STRING, "", text):
        return text
    negated = _NOT.match(text)
    if negated:
        return f"not ({unary_test(negated.group(1)) or 'True'})"
    tests = [_one_test(part) for part in _split_top(text)]
    return tests[0] if len(tests) == 1 else " or ".join(f"({test})" for test in tests)


def expression(text: str | None) -> str | None:
    """An input expression or output cell (FEEL or JUEL as Camunda users write them) as Python: ``amount``,
    ``${amount}``, ``applicant.age``, ``"text"``, ``10``, ``true``; anything else is kept for the sandbox."""
    text = (text or "").strip()
    if not text:
        return None
    if text.startswith("${"):
        return python_condition(text)
    if re.fullmatch(_NAME, text) or text in _WORDS:
        return _endpoint(text)
    return python_condition("${" + text + "}")


# -- reading a file ------------------------------------------------------------------------------------------------

def _cell_problem(source: str, decision, row: int, column: str, message: str) -> dict:
    where = f"{source}：决策 {decision.get('id')}：规则 {row}，{column}：{message}"
    return {"element": decision.get("id"), "message": where, "rule": "dmn", "row": row, "column": column}


def _column(entry, kind: str) -> str:
    label = entry.label or entry.name or getattr(entry, "expression", None) or entry.id
    return f"{kind}列“{label}”"


def _translate(table: DecisionTable, source: str, decision) -> list[dict]:
    """Every cell of ``table`` as sandboxed Python, in place; the problems of those that cannot be (empty: none)."""
    problems = []
    for column in table.inputs:
        try:
            column.expression = expression(column.expression)
            if column.expression is None:
                raise CellError("输入列没有表达式")
            check(column.expression, is_script=False)
        except (CellError, ScriptError) as error:
            problems.append(_cell_problem(source, decision, 0, _column(column, "输入"), _reason(error)))
    for rule in table.rules:
        for entry in rule.inputEntries:
            problems += _translated_cell(entry, "lhs", source, decision, rule.row_number, _column(entry.input, "输入"))
        for entry in rule.outputEntries:
            problems += _translated_cell(entry, "text", source, decision, rule.row_number, _column(entry.output, "输出"))
    return problems


def _translated_cell(entry, attribute: str, source, decision, row: int, column: str) -> list[dict]:
    try:
        if attribute == "lhs":
            entry.lhs = [unary_test(text) for text in entry.lhs]
            code = [test.replace("?", "dmninputexpr") for test in entry.lhs if test]
        else:
            entry.text = expression(entry.text) or ""
            code = [entry.text] if entry.text else []
        for piece in code:
            check(piece, is_script=False)
    except (CellError, ScriptError) as error:
        return [_cell_problem(source, decision, row, column, _reason(error))]
    return []


def _reason(error: Exception) -> str:
    return getattr(error, "message", None) or str(error)


def _read_decision(tree, decision, source: str) -> tuple[Decision | None, list[dict]]:
    """One decision of the file, read by SpiffWorkflow's DMNParser from a copy holding only it."""
    if not re.fullmatch(r"[A-Za-z_][\w.\-]{0,199}", decision.get("id") or ""):
        message = f"{source}：决策的 id“{(decision.get('id') or '')[:50]}”须以字母开头、不超过 200 个字符"
        return None, [{"element": None, "message": message, "rule": "dmn"}]
    alone = copy.deepcopy(tree)
    for other in alone.iterchildren(f"{{{etree.QName(tree).namespace}}}decision"):
        if other.get("id") != decision.get("id"):
            alone.remove(other)
    namespaces = dict(alone.nsmap)
    namespaces["dmn"] = namespaces.pop(None, etree.QName(tree).namespace)
    reader = DMNParser(None, alone, namespaces, filename=source)
    try:
        reader.parse()
    except (ValidationException, KeyError, IndexError) as error:
        message = f"{source}：决策 {decision.get('id')}：无法读取决策表（{str(error)[:200]}）"
        return None, [{"element": decision.get("id"), "message": message, "rule": "dmn"}]
    tables = reader.decision.decisionTables
    if len(tables) != 1:
        message = f"{source}：决策 {decision.get('id')}：只支持决策表（每个决策一张），不支持字面表达式等其他形式"
        return None, [{"element": decision.get("id"), "message": message, "rule": "dmn"}]
    table = tables[0]
    if table.hit_policy not in HIT_POLICIES or decision.find(".//{*}decisionTable").get("aggregation"):
        message = f"{source}：决策 {decision.get('id')}：不支持的命中策略 {table.hit_policy}（可用 UNIQUE、FIRST、ANY、" \
                  "COLLECT 不带聚合、RULE ORDER）"
        return None, [{"element": decision.get("id"), "message": message, "rule": "dmn"}]
    problems = _translate(table, source, decision)
    return Decision(decision.get("id"), decision.get("name") or decision.get("id"), table), problems


def parse_decisions(dmn_xml: bytes, source: str = "decision.dmn") -> list[Decision]:
    """Every decision of a DMN file, its cells checked; InvalidDiagram listing every cell at fault (``problems``,
    each naming the decision, the rule's row and the column)."""
    tree = safe_dmn_tree(dmn_xml, source)
    decisions = list(tree.iterchildren(f"{{{etree.QName(tree).namespace}}}decision"))
    if not decisions:
        raise InvalidDiagram(f"{source}：文件中没有决策")
    read, problems = [], []
    for decision in decisions:
        found, found_problems = _read_decision(tree, decision, source)
        problems += found_problems
        if found is not None:
            read.append(found)
    if problems:
        raise InvalidDiagram(problems[0]["message"], problems=problems, element=problems[0]["element"])
    return read


@lru_cache(maxsize=64)
def _cached(dmn_xml: str, key: str) -> Decision:
    return next(d for d in parse_decisions(dmn_xml.encode("utf-8"), "stored") if d.key == key)


def stored_decision(dmn_xml: str, key: str) -> Decision:
    """The decision ``key`` of a stored (already checked) file, read once per process and file."""
    return _cached(dmn_xml, key)


# -- evaluating ----------------------------------------------------------------------------------------------------

def facts_task(data: dict, script_engine, name: str):
    """What SpiffWorkflow's DMN code needs of a task (``data``, ``workflow.script_engine``, a spec to name in
    errors), for evaluating a table outside a process: from the product's own facts."""
    spec = SimpleNamespace(bpmn_id=name, bpmn_name=name, name=name)
    return SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=script_engine), task_spec=spec)


def decide(decision: Decision, task) -> list[Match]:
    """The rules of ``decision`` that match the task's data, in row order (a single-hit table: the first only).

    Each cell is compared by SpiffWorkflow's ``DMNEngine.evaluate`` through the task's script engine (the
    sandbox); a failing cell raises ScriptError naming the decision, the row and the column."""
    compare = DMNEngine(decision.table)
    matches = []
    for rule in decision.table.rules:
        if all(_cell_holds(compare, decision, rule, entry, task) for entry in rule.inputEntries):
            matches.append(Match(rule.row_number, (rule.description or "").strip(), _outputs(decision, rule, task)))
            if decision.single_hit:
                break
    return matches


def _cell_holds(compare: DMNEngine, decision: Decision, rule, entry, task) -> bool:
    test = entry.lhs[0] if entry.lhs else None
    if test is None:
        return True
    try:
        return bool(compare.evaluate(entry.input.expression, test, task))
    except ScriptError as error:
        raise ScriptError(f"决策 {decision.key}：规则 {rule.row_number}，{_column(entry.input, '输入')}：{error.message}",
                          element=decision.key) from error


def _outputs(decision: Decision, rule, task) -> dict:
    try:
        return dict(rule.output_as_dict(task))
    except ScriptError as error:
        raise ScriptError(f"决策 {decision.key}：规则 {rule.row_number} 的输出：{error.message}",
                          element=decision.key) from error


def result_of(decision: Decision, matches: list[Match], mapping: str | None) -> object:
    """The decision result as Camunda's ``camunda:mapDecisionResult`` shapes it: ``resultList`` (the default: a
    list of dicts), ``singleResult`` (one dict or None), ``singleEntry`` (one value or None), ``collectEntries``
    (the values of the one output). ScriptError when the result has not the shape asked for."""
    rows = [match.outputs for match in matches]
    mapping = mapping or "resultList"
    if mapping == "resultList":
        return rows
    if mapping == "collectEntries":
        return [next(iter(row.values()), None) for row in rows]
    if len(rows) > 1:
        raise ScriptError(f"决策 {decision.key}：有 {len(rows)} 条规则命中，{mapping} 只能取一条", element=decision.key)
    if mapping == "singleResult":
        return rows[0] if rows else None
    if mapping == "singleEntry":
        return next(iter(rows[0].values()), None) if rows else None
    raise ScriptError(f"不支持的 camunda:mapDecisionResult：{mapping}", element=decision.key)


def decision_changes(decision: Decision, task, result_variable: str | None, mapping: str | None) -> dict:
    """What a business rule task adds to its data: ``{result_variable: result}`` shaped by ``mapping``, or without
    a result variable the first matching rule's outputs by name (SpiffWorkflow's way); nothing when none match."""
    matches = decide(decision, task)
    if result_variable:
        return {result_variable: result_of(decision, matches, mapping)}
    return dict(matches[0].outputs) if matches else {}
