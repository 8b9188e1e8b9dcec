"""The office's scoring rules as a decision table, versioned like processes: a draft (saved from the dmn-js editor
at /admin/decisions), validated (every cell readable and sandboxed, both decisions present), previewed (the draft
applied to the current data: every project whose score or grade would change) and published (each decision of the
file deployed as a new version, which scoring reads from then on: records/scoring.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import InvalidDiagram
from engine.clock import to_db
from engine.dmn import safe_dmn_tree
from engine.dmn_definitions import latest_decision_definition

from ..plan.models import Plan, Project
from ..records.scoring import (DEFAULT_TABLE_FILE, SCORING_KEY, ScoringTables, project_facts, published_tables,
                               score_facts, tables_from_file)
from ..runtime import process_engine
from .files import DecisionRefused, deploy_decision_file
from .models import DecisionDraft

EDITOR_ROLES = frozenset({"office", "admin"})


@dataclass(frozen=True)
class Change:
    """A project whose year-end score or grade the draft would change: before and after, and the rules whose
    points differ (``rules``: rule name → (points before, points after))."""

    business_key: str
    text: str  # the project's text, cut short
    total_before: int
    total_after: int
    grade_before: str
    grade_after: str
    rules: dict


def may_edit(role: str) -> bool:
    return role in EDITOR_ROLES


def published_file(session: Session) -> tuple[str, int]:
    """The XML of the published scoring tables and their version (0: the default file, never published)."""
    definition = latest_decision_definition(session, SCORING_KEY, required=False)
    if definition is None:
        return DEFAULT_TABLE_FILE.read_text(encoding="utf-8"), 0
    return definition.dmn_xml, definition.version


def get_draft(session: Session) -> DecisionDraft | None:
    return session.scalar(select(DecisionDraft).where(DecisionDraft.key == SCORING_KEY))


def validated(dmn_xml: bytes) -> ScoringTables:
    """The scoring tables of a draft; DecisionRefused naming each cell at fault, or the missing decision."""
    try:
        return tables_from_file(dmn_xml, "评分规则草稿")
    except InvalidDiagram as error:
        raise DecisionRefused(error.message, problems=error.problems, element=error.element) from error


def save_draft(session: Session, dmn_xml: bytes, *, saved_by: str) -> DecisionDraft:
    """Keep the editor's work (one draft, the last save wins). It may be unfinished, but it must be readable DMN
    (DecisionRefused otherwise, nothing stored). Flushes, never commits."""
    try:
        dmn_xml.decode("utf-8")
        safe_dmn_tree(dmn_xml, "评分规则草稿")
    except UnicodeDecodeError as error:
        raise DecisionRefused("评分规则草稿：不是 UTF-8 编码的文本") from error
    except InvalidDiagram as error:
        raise DecisionRefused(error.message) from error
    draft = get_draft(session) or DecisionDraft(key=SCORING_KEY)
    draft.dmn_xml, draft.saved_by = dmn_xml.decode("utf-8"), saved_by
    draft.saved_at = to_db(process_engine(session).clock.now())
    session.add(draft)
    session.flush()
    return draft


def discard_draft(session: Session) -> None:
    draft = get_draft(session)
    if draft is not None:
        session.delete(draft)
        session.flush()


def current_projects(session: Session, today: date) -> list[Project]:
    """The projects of this year's plan (the newest plan's when this year has none)."""
    year = session.scalar(select(Plan.year).where(Plan.year <= today.year).order_by(Plan.year.desc()).limit(1)) \
        or session.scalar(select(Plan.year).order_by(Plan.year.desc()).limit(1))
    return list(session.scalars(select(Project).join(Plan).where(Plan.year == year).order_by(Project.number)))


def preview(session: Session, dmn_xml: bytes) -> list[Change]:
    """Every project of the current plan whose score or grade the draft would change, on the engine's today."""
    draft, published = validated(dmn_xml), published_tables(session)
    today = process_engine(session).clock.today()
    changes = []
    for project in current_projects(session, today):
        facts = project_facts(session, project, today)
        before, after = score_facts(session, facts, published), score_facts(session, facts, draft)
        if (before["total"], before["grade"]) != (after["total"], after["grade"]):
            changes.append(Change(project.business_key, _short(project.text), before["total"],
                                  after["total"], before["grade"], after["grade"], _rule_changes(before, after)))
    return changes


def _short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _rule_changes(before: dict, after: dict) -> dict:
    points = lambda score: {item["rule"]: item["points"] for item in score["items"]}  # noqa: E731
    old, new = points(before), points(after)
    return {rule: (old.get(rule), new.get(rule)) for rule in sorted(old.keys() | new.keys())
            if old.get(rule) != new.get(rule)}


def publish(session: Session, dmn_xml: bytes, *, published_by: str) -> int:
    """Deploy the draft's decisions as new versions and drop the draft: the version of the scoring decision.
    DecisionRefused (nothing deployed) when it does not validate. Flushes, never commits."""
    validated(dmn_xml)
    deployed = deploy_decision_file(session, dmn_xml, source="评分规则", deployed_by=published_by)
    discard_draft(session)
    return next(d.version for d in deployed if d.key == SCORING_KEY)
