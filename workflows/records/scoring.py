"""The year-end score of a project: the facts the product computes per project, scored by the decision table
``year_end_scoring`` (bpmn/year_end_scoring.dmn by default, edited and published by the office at
/admin/decisions), its total graded by ``year_end_grade``. Each item says which row of the table gave its points.

The table's cells may use the weights of the ``year_end_scoring`` setting (settings.py) by name, so the default
table gives exactly the points the weights gave before the rules were a table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timezone
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import InvalidDiagram
from engine.dmn import Decision, decide, facts_task, parse_decisions
from engine.dmn_definitions import latest_decision_definition
from engine.sandbox import SandboxScriptEngine

from ..plan.models import Plan, Project
from ..workdays import quarter_report_date
from .models import ConsultationInvitation, ProjectCompletion, QuarterlyReport, SupervisionCheck
from .settings import get_setting

DEFAULT_TABLE_FILE = Path(__file__).resolve().parents[2] / "bpmn" / "year_end_scoring.dmn"
SCORING_KEY, GRADE_KEY = "year_end_scoring", "year_end_grade"


def expected_quarters(project: Project, completion: ProjectCompletion | None, today: date) -> list[int]:
    """Quarters whose report fell due after the plan was activated, while the project was still open.

    Confirming a completion withdraws the report of a quarter not yet due, so that quarter is not expected.
    """
    activated = project.plan.activated_at.date() if project.plan.activated_at else project.plan.issued_on
    year = project.plan.year
    closed_on = completion.confirmed_on if completion and completion.status == "confirmed" else None
    return [q for q in range(1, 5)
            if activated <= quarter_report_date(year, q) <= today
            and (closed_on is None or quarter_report_date(year, q) <= closed_on)]


@dataclass(frozen=True)
class ScoringTables:
    """The two decisions that score a project: points per rule (``scoring``) and the grade of the total
    (``grade``), with the version they were published as (0: the default file, not deployed)."""

    scoring: Decision
    grade: Decision
    version: int = 0


def tables_from_file(dmn_xml: bytes, source: str = "year_end_scoring.dmn", version: int = 0) -> ScoringTables:
    """The scoring tables of a DMN file (InvalidDiagram when it cannot be read or lacks one of the two)."""
    decisions = {decision.key: decision for decision in parse_decisions(dmn_xml, source)}
    missing = [key for key in (SCORING_KEY, GRADE_KEY) if key not in decisions]
    if missing:
        raise InvalidDiagram(f"{source}：评分规则文件须含决策 {'、'.join(missing)}")
    return ScoringTables(decisions[SCORING_KEY], decisions[GRADE_KEY], version)


@lru_cache(maxsize=8)
def _tables_of(dmn_xml: str, version: int) -> ScoringTables:
    return tables_from_file(dmn_xml.encode("utf-8"), version=version)


def published_tables(session: Session) -> ScoringTables:
    """The newest published scoring tables, or the default file's when none was ever published."""
    definition = latest_decision_definition(session, SCORING_KEY, required=False)
    if definition is None:
        return _tables_of(DEFAULT_TABLE_FILE.read_text(encoding="utf-8"), 0)
    return _tables_of(definition.dmn_xml, definition.version)


@lru_cache(maxsize=1)
def _script_engine() -> SandboxScriptEngine:
    return SandboxScriptEngine(timezone.utc, {})


@dataclass
class Facts:
    """What the table reads of one project (``values``, by input name) and the detail each rule's reason gives
    (``details``, by rule name: which quarters, which date, how many checks)."""

    values: dict
    details: dict


def _report_facts(session, project, completion, today) -> tuple[dict, str]:
    """Each quarter that was due while the project was open, or that it reported anyway."""
    reports = {r.quarter: r for r in session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.project_id == project.id, QuarterlyReport.year == project.plan.year))}
    filed = {quarter for quarter, report in reports.items() if report.submitted_on is not None}
    quarters = sorted(set(expected_quarters(project, completion, today)) | filed)
    counts, notes = {"quarters_on_time": 0, "quarters_late": 0, "quarters_missing": 0}, []
    for quarter in quarters:
        report = reports.get(quarter)
        if report is None or report.submitted_on is None:
            counts["quarters_missing"] += 1
            notes.append(f"第{quarter}季度未报送（0分）")
        elif report.late:
            counts["quarters_late"] += 1
            notes.append(f"第{quarter}季度逾期报送")
        else:
            counts["quarters_on_time"] += 1
            notes.append(f"第{quarter}季度按时报送")
    return {"quarters_due": len(quarters)} | counts, "；".join(notes) or "本年度无应报季度"


def _completion_facts(project, completion) -> tuple[dict, str]:
    if completion is None or completion.status != "confirmed":
        return {"completion_status": "未办结"}, "年底未办结"
    if completion.late:
        return {"completion_status": "逾期办结"}, f"{completion.confirmed_on:%Y年%m月%d日}确认办结，晚于完成时间"
    when = "无固定完成时间" if project.due_on is None else f"完成时间{project.due_on:%Y年%m月%d日}"
    return {"completion_status": "按期办结"}, f"{completion.confirmed_on:%Y年%m月%d日}确认办结（{when}）"


def _rectification_facts(session, project) -> tuple[dict, str]:
    checks = session.scalars(select(SupervisionCheck).where(SupervisionCheck.project_id == project.id)).all()
    still_open = [c for c in checks if c.finding == "rectify" and c.status != "closed"]
    return {"open_rectifications": len(still_open)}, f"督查 {len(checks)} 次，未完成整改 {len(still_open)} 项"


def _consultation_facts(session, project) -> tuple[dict, str]:
    lead_codes = [unit.code for unit in project.lead_units]
    invitations = session.scalars(select(ConsultationInvitation).where(
        ConsultationInvitation.department_code.in_(lead_codes))).all()
    values = {"invitations": len(invitations),
              "signed_on_time": sum(1 for i in invitations if i.signed_on and i.sign_due and i.signed_on <= i.sign_due),
              "replied_on_time": sum(1 for i in invitations
                                     if i.replied_on and i.reply_due and i.replied_on <= i.reply_due),
              "satisfied": sum(1 for i in invitations if i.rating == "satisfied")}
    if not invitations:
        return values, "牵头单位本年度未被约请"
    return values, (f"被约请 {values['invitations']} 次：按时签收 {values['signed_on_time']}、"
                    f"按时答复 {values['replied_on_time']}、满意 {values['satisfied']}")


def project_facts(session: Session, project: Project, today: date) -> Facts:
    """The facts of one project on ``today`` that the scoring table reads."""
    completion = session.scalar(select(ProjectCompletion).where(ProjectCompletion.project_id == project.id))
    parts = {"季度信息报送": _report_facts(session, project, completion, today),
             "按期办结": _completion_facts(project, completion),
             "督查整改": _rectification_facts(session, project),
             "条块约请响应": _consultation_facts(session, project)}
    values = {}
    for part_values, _ in parts.values():
        values |= part_values
    return Facts(values, {rule: detail for rule, (_, detail) in parts.items()})


def _item(match, details: dict) -> dict:
    outputs = match.outputs
    rule = str(outputs.get("rule") or f"第{match.row}行")
    basis = f"评分规则第{match.row}行" + (f"：{outputs['reason']}" if outputs.get("reason") else "")
    detail = details.get(rule)
    return {"rule": rule, "points": round(float(outputs.get("points") or 0), 1),
            "max": outputs.get("max") if outputs.get("max") not in (None, "") else "",
            "reason": f"{detail}（{basis}）" if detail else basis, "row": match.row}


def score_facts(session: Session, facts: Facts, tables: ScoringTables) -> dict:
    """The score the tables give ``facts``: ``{"total", "grade", "grade_row", "items": [{"rule", "points", "max",
    "reason", "row"}], "version"}``; the weights of the year_end_scoring setting are variables of the table."""
    data = get_setting(session, "year_end_scoring") | facts.values
    items = [_item(match, facts.details) for match in decide(tables.scoring, facts_task(data, _script_engine(),
                                                                                          SCORING_KEY))]
    total = round(sum(item["points"] for item in items))
    graded = decide(tables.grade, facts_task({"total": total}, _script_engine(), GRADE_KEY))
    grade = str(graded[0].outputs.get("grade", "")) if graded else ""
    return {"total": total, "grade": grade, "grade_row": graded[0].row if graded else None, "items": items,
            "version": tables.version}


def find_project(session: Session, business_key: str) -> Project:
    year, number = (int(part) for part in business_key.split("-"))
    project = session.scalar(select(Project).join(Plan).where(Plan.year == year, Project.number == number))
    if project is None:
        raise ValueError(f"没有项目 {business_key}")
    return project


def year_end_score(session: Session, business_key: str, today: date, tables: ScoringTables | None = None) -> dict:
    """The year-end score of project ``business_key`` (``YYYY-NN``) on ``today``, by ``tables`` (the published
    ones when None): see score_facts. ValueError when there is no such project."""
    project = find_project(session, business_key)
    return score_facts(session, project_facts(session, project, today), tables or published_tables(session))
