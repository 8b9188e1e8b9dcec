"""What a task page shows of the matter its process is about, beside the project: the street's 约请, the check,
the access application, the meeting. Read from the records the start pages wrote."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..directory.models import Unit
from ..records.models import AccessApplication, Consultation, Meeting, SupervisionCheck


@dataclass
class CaseSummary:
    title: str
    rows: list[tuple[str, str]]


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "—"


def _consultation(session: Session, case: Consultation, names: dict[str, str]) -> CaseSummary:
    invited = "、".join(names.get(i.department_code, i.department_code) for i in case.invitations) or "待区推进办分派"
    return CaseSummary("条块约请", [
        ("发起街镇", names.get(case.street_code, case.street_code)), ("问题描述", case.description),
        ("地点", case.place or "—"), ("希望答复日期", _day(case.wished_reply_on)), ("发起日期", _day(case.opened_on)),
        ("被约请部门", invited)])


def _check(session: Session, case: SupervisionCheck, names: dict[str, str]) -> CaseSummary:
    return CaseSummary("跟踪督查", [
        ("督查事项", case.subject), ("督查要求", case.requirements or "—"), ("发起日期", _day(case.opened_on)),
        ("反馈期限", _day(case.answer_due))])


def _access(session: Session, case: AccessApplication, names: dict[str, str]) -> CaseSummary:
    return CaseSummary("社区事务准入申请", [
        ("申请部门", names.get(case.applicant_code, case.applicant_code)), ("准入事项", case.affair),
        ("法律依据", case.legal_basis), ("列入职责清单", "是" if case.on_responsibility_list else "否"),
        ("经费保障", case.funding or "—"), ("人员保障", case.staffing or "—"), ("申请日期", _day(case.filed_on))])


def _meeting(session: Session, case: Meeting, names: dict[str, str]) -> CaseSummary:
    return CaseSummary("定期例会", [
        ("会议日期", _day(case.meeting_date)), ("议题", case.topics),
        ("参会单位", "、".join(names.get(code, code) for code in case.invited) or "—")])


KINDS = ((Consultation, _consultation), (SupervisionCheck, _check), (AccessApplication, _access), (Meeting, _meeting))


def case_summary(session: Session, instance_id: int) -> CaseSummary | None:
    """The matter of this process instance, or None for processes that are about a project only. One statement
    asks which kind of matter there is (a task page of a project's report has none), a second reads it."""
    present = session.execute(select(*(exists().where(model.instance_id == instance_id) for model, _ in KINDS))).one()
    for (model, summarise), found in zip(KINDS, present):
        if found:
            case = session.scalar(select(model).where(model.instance_id == instance_id))
            return summarise(session, case, dict(session.execute(select(Unit.code, Unit.name)).all()))
    return None
