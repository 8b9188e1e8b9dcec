"""Deploying .dmn files through the API, the command line and the editor: every decision of a file becomes a new
version of its id (engine/dmn_definitions.py), after the checks BPMN has (size, no DTD or entity, DMN root) and the
sandbox's check of every cell (engine/dmn.py), each refusal naming the cell: decision, rule (row), column."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import InvalidDiagram, NotFound
from engine.dmn import is_dmn, parse_decisions
from engine.dmn_definitions import decision_versions, latest_decision_definition
from engine import DecisionDefinition

from ..runtime import process_engine

__all__ = ["DecisionRefused", "check_decision_file", "decision_version", "decision_versions", "deploy_decision_file",
           "is_dmn"]


class DecisionRefused(InvalidDiagram):
    """The DMN file was not deployed; ``problems`` lists each cell or decision at fault (``element``, ``message``,
    ``rule``; a cell's also ``row`` and ``column``)."""


def check_decision_file(dmn_xml: bytes, *, source: str = "decision.dmn") -> list[str]:
    """The ids of the file's decisions, when every one can run; DecisionRefused otherwise."""
    try:
        dmn_xml.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DecisionRefused(f"{source}：不是 UTF-8 编码的文本") from error
    try:
        return [decision.key for decision in parse_decisions(dmn_xml, source)]
    except InvalidDiagram as error:
        raise DecisionRefused(error.message, problems=error.problems, element=error.element) from error


def deploy_decision_file(session: Session, dmn_xml: bytes, *, source: str = "decision.dmn",
                         deployed_by: str) -> list[DecisionDefinition]:
    """Each decision of the file as a new version of its id (one whose file did not change keeps its version)."""
    check_decision_file(dmn_xml, source=source)
    return process_engine(session).deploy_decisions(dmn_xml, deployed_by=deployed_by, source=source)


def decision_version(session: Session, key: str, version: int | None = None) -> DecisionDefinition:
    """One deployed version of decision ``key`` (the newest when ``version`` is None); NotFound otherwise."""
    if version is None:
        return latest_decision_definition(session, key)
    row = session.scalar(select(DecisionDefinition).where(DecisionDefinition.key == key,
                                                          DecisionDefinition.version == version))
    if row is None:
        raise NotFound(f"决策 {key} 没有版本 {version}")
    return row
