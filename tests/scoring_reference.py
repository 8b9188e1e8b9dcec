"""The year-end score as it was computed before the rules became a decision table (a frozen copy of
workflows/records/scoring.py at 3ed0251): the reference the default table must reproduce exactly."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows.plan.models import Plan, Project
from workflows.records.models import ConsultationInvitation, ProjectCompletion, QuarterlyReport, SupervisionCheck
from workflows.records.scoring import expected_quarters
from workflows.records.settings import get_setting


def _item(rule: str, points: float, maximum: float, reason: str) -> dict:
    return {"rule": rule, "points": round(points, 1), "max": maximum, "reason": reason}


def _reports_item(session, project, rules, completion, today) -> dict:
    """Each quarter that was due while the project was open, or that it reported anyway, weighs the same."""
    reports = {r.quarter: r for r in session.scalars(select(QuarterlyReport).where(
        QuarterlyReport.project_id == project.id, QuarterlyReport.year == project.plan.year))}
    filed = {quarter for quarter, report in reports.items() if report.submitted_on is not None}
    quarters = sorted(set(expected_quarters(project, completion, today)) | filed)
    maximum = rules["quarterly_reports"]
    if not quarters:
        return _item("季度信息报送", maximum, maximum, "本年度无应报季度")
    share, points, notes = maximum / len(quarters), 0.0, []
    for quarter in quarters:
        report = reports.get(quarter)
        if report is None or report.submitted_on is None:
            notes.append(f"第{quarter}季度未报送（0分）")
        elif report.late:
            points += share * rules["late_report_share"]
            notes.append(f"第{quarter}季度逾期报送")
        else:
            points += share
            notes.append(f"第{quarter}季度按时报送")
    return _item("季度信息报送", points, maximum, "；".join(notes))


def _completion_item(project, rules, completion) -> dict:
    maximum = rules["completion"]
    if completion is None or completion.status != "confirmed":
        return _item("按期办结", maximum * rules["unfinished_share"], maximum, "年底未办结")
    if completion.late:
        return _item("按期办结", maximum * rules["late_completion_share"], maximum,
                     f"{completion.confirmed_on:%Y年%m月%d日}确认办结，晚于完成时间")
    when = "无固定完成时间" if project.due_on is None else f"完成时间{project.due_on:%Y年%m月%d日}"
    return _item("按期办结", maximum, maximum, f"{completion.confirmed_on:%Y年%m月%d日}确认办结（{when}）")


def _rectification_item(session, project, rules) -> dict:
    maximum = rules["rectification"]
    checks = session.scalars(select(SupervisionCheck).where(SupervisionCheck.project_id == project.id)).all()
    open_rectifications = [c for c in checks if c.finding == "rectify" and c.status != "closed"]
    points = max(0.0, maximum - rules["per_open_rectification"] * len(open_rectifications))
    reason = f"督查 {len(checks)} 次，未完成整改 {len(open_rectifications)} 项"
    return _item("督查整改", points, maximum, reason)


def _consultation_item(session, project, rules) -> dict:
    maximum = rules["consultation"]
    lead_codes = [unit.code for unit in project.lead_units]
    invitations = session.scalars(select(ConsultationInvitation).where(
        ConsultationInvitation.department_code.in_(lead_codes))).all()
    if not invitations:
        return _item("条块约请响应", maximum, maximum, "牵头单位本年度未被约请")
    signed = sum(1 for i in invitations if i.signed_on and i.sign_due and i.signed_on <= i.sign_due)
    replied = sum(1 for i in invitations if i.replied_on and i.reply_due and i.replied_on <= i.reply_due)
    satisfied = sum(1 for i in invitations if i.rating == "satisfied")
    count = len(invitations)
    points = maximum * (signed + replied + satisfied) / (3 * count)
    reason = f"被约请 {count} 次：按时签收 {signed}、按时答复 {replied}、满意 {satisfied}"
    return _item("条块约请响应", points, maximum, reason)


def weights_score(session: Session, business_key: str, today: date) -> dict:
    year, number = (int(part) for part in business_key.split("-"))
    project = session.scalar(select(Project).join(Plan).where(Plan.year == year, Project.number == number))
    if project is None:
        raise ValueError(f"没有项目 {business_key}")
    rules = get_setting(session, "year_end_scoring")
    completion = session.scalar(select(ProjectCompletion).where(ProjectCompletion.project_id == project.id))
    items = [
        _reports_item(session, project, rules, completion, today),
        _completion_item(project, rules, completion),
        _rectification_item(session, project, rules),
        _consultation_item(session, project, rules),
    ]
    return {"total": round(sum(item["points"] for item in items)), "items": items}
