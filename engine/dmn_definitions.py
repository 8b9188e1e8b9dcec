"""Deployed decisions (Camunda's decision repository): each decision of a DMN file becomes a new version of its
id; a business rule task evaluates the newest. A mixin of :class:`engine.engine.BpmnEngine` (``session``,
``clock``, ``script_engine``), with the look-ups also as plain functions for code that has only a session."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import to_db
from .dmn import Decision, checksum, decision_changes, parse_decisions, stored_decision
from .errors import NotFound, ScriptError
from .models import DecisionDefinition


def latest_decision_definition(session: Session, key: str, *, required: bool = True) -> DecisionDefinition | None:
    """The newest deployed version of decision ``key`` (NotFound when there is none and ``required``)."""
    definition = session.scalar(select(DecisionDefinition).where(DecisionDefinition.key == key)
                                .order_by(DecisionDefinition.version.desc()).limit(1))
    if definition is None and required:
        raise NotFound(f"没有已部署的决策：{key}")
    return definition


def latest_decision(session: Session, key: str) -> Decision:
    """The newest deployed version of decision ``key``, read (NotFound when none is deployed)."""
    return stored_decision(latest_decision_definition(session, key).dmn_xml, key)


def decision_versions(session: Session) -> list[DecisionDefinition]:
    """Every deployed version of every decision, by key then version."""
    return list(session.scalars(select(DecisionDefinition).order_by(DecisionDefinition.key,
                                                                      DecisionDefinition.version)))


def latest_decision_keys(session: Session) -> set[str]:
    return set(session.scalars(select(DecisionDefinition.key).group_by(DecisionDefinition.key)))


class Decisions:
    """Deploy DMN files and evaluate the newest version of a decision for a business rule task."""

    def _install_decisions(self) -> None:
        self.script_engine.decide = self._decide_for_task

    def _decide_for_task(self, key: str, task, result_variable: str | None, mapping: str | None) -> dict:
        with self.session.no_autoflush:  # mid-step: the instance's row may not be complete yet
            definition = latest_decision_definition(self.session, key, required=False)
            dmn_xml = definition.dmn_xml if definition is not None else None
        if dmn_xml is None:
            raise ScriptError(f"引用的决策 {key} 尚未部署：请先部署含有它的 .dmn 文件", element=key)
        return decision_changes(stored_decision(dmn_xml, key), task, result_variable, mapping)

    def deploy_decisions(self, dmn_xml: bytes, *, deployed_by: str, source: str = "decision.dmn") \
            -> list[DecisionDefinition]:
        """Each decision of the file becomes a new version of its id; one whose file is the same as its newest
        version's is kept as it is. InvalidDiagram (naming each cell at fault) when the file cannot be read."""
        deployed = []
        for decision in parse_decisions(dmn_xml, source):
            latest = latest_decision_definition(self.session, decision.key, required=False)
            if latest is not None and latest.checksum == checksum(dmn_xml):
                deployed.append(latest)
                continue
            row = DecisionDefinition(key=decision.key, version=(latest.version + 1) if latest else 1,
                                     name=decision.name[:200], dmn_xml=dmn_xml.decode("utf-8"),
                                     checksum=checksum(dmn_xml), deployed_at=to_db(self.clock.now()),
                                     deployed_by=deployed_by)
            self.session.add(row)
            deployed.append(row)
        self.session.flush()
        return deployed

    def latest_decision_definition(self, key: str, *, required: bool = True) -> DecisionDefinition | None:
        return latest_decision_definition(self.session, key, required=required)

    def decision_definitions(self) -> list[DecisionDefinition]:
        return decision_versions(self.session)
