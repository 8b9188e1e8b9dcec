"""Starting the processes that people open by hand: 条块约请, 跟踪督查, 定期例会, 社区事务准入.

Each start checks its input field by field (FormInvalid), writes the fact row and starts the instance.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import BpmnEngine, Instance, ProcessInstance

from ..directory.models import Unit
from ..forms import FormInvalid
from ..plan.models import Plan, Project
from ..projects.activation import OFFICE_ROLE, SUPERVISION_ROLE, COORDINATOR_ROLE, expand, fixed_unit
from ..records.models import AccessApplication, AccessFeedback, Consultation, Meeting, SupervisionCheck
from ..records.settings import get_setting
from ..runtime import add_workdays

STREET_KINDS = ("street", "town")


class Checker:
    """Collects per-field messages; `done()` raises them together."""

    def __init__(self, session: Session, data: dict[str, Any]):
        self.session, self.data, self.errors = session, data if isinstance(data, dict) else {}, {}

    def text(self, name: str, label: str, *, required: bool = True, limit: int = 4000) -> str:
        value = self.data.get(name, "")
        if not isinstance(value, str):
            self.errors[name] = f"“{label}”应为文本"
            return ""
        value = value.strip()
        if required and not value:
            self.errors[name] = f"请填写“{label}”"
        elif len(value) > limit:
            self.errors[name] = f"“{label}”不能超过 {limit} 个字"
        return value

    def day(self, name: str, label: str, *, required: bool = True, not_before: date | None = None) -> date | None:
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self.errors[name] = f"请填写“{label}”"
            return None
        try:
            parsed = date.fromisoformat(str(value))
        except ValueError:
            self.errors[name] = f"“{label}”不是有效日期（如 2017-07-31）"
            return None
        if not_before and parsed < not_before:
            self.errors[name] = f"“{label}”不能早于 {not_before:%Y年%m月%d日}"
        return parsed

    def units(self, name: str, label: str, kinds: tuple[str, ...]) -> list[Unit]:
        value = self.data.get(name)
        codes = value if isinstance(value, list) else [value] if isinstance(value, str) and value else []
        if all(isinstance(code, str) for code in codes):
            codes = list(dict.fromkeys(codes))  # a unit named twice is invited once
        units = [self.session.get(Unit, code) if isinstance(code, str) else None for code in codes]
        if not codes:
            self.errors[name] = f"请选择“{label}”"
        elif any(u is None or u.kind not in kinds for u in units):
            self.errors[name] = f"“{label}”中有不存在或类别不符的单位"
        return [u for u in units if u is not None]

    def project(self, name: str, *, required: bool) -> Project | None:
        value = self.data.get(name)
        if value in (None, ""):
            if required:
                self.errors[name] = "请选择项目"
            return None
        try:
            year, number = (int(part) for part in str(value).split("-"))
        except ValueError:
            self.errors[name] = "项目应写成 年度-序号，如 2017-05"
            return None
        project = self.session.scalar(select(Project).join(Plan).where(Plan.year == year, Project.number == number))
        if project is None:
            self.errors[name] = f"没有项目 {value}"
        return project

    def done(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.errors.setdefault(name, "没有这个字段")
        if self.errors:
            raise FormInvalid(self.errors)


def _today(engine: BpmnEngine) -> date:
    return engine.clock.today()


def raise_consultation(session: Session, engine: BpmnEngine, street_code: str, data: dict, *, actor: str) -> Instance:
    """A street or town invites district departments about a difficult problem."""
    street = session.get(Unit, street_code)
    if street is None or street.kind not in STREET_KINDS:
        raise FormInvalid({"street": "只有街道、镇可以发起条块约请"})
    check, today = Checker(session, data), _today(engine)
    description = check.text("description", "问题描述")
    place = check.text("place", "地点", required=False, limit=300)
    project = check.project("project", required=False)
    wished = check.day("wished_reply_on", "希望答复日期", required=False, not_before=today)
    departments = check.units("invited_departments", "被约请部门", ("department",))
    check.done({"description", "place", "project", "wished_reply_on", "invited_departments"})
    deadlines = get_setting(session, "consultation_deadlines")
    business_key = _numbered_key(session, f"约请-{street.name}-{today:%Y%m%d}")
    instance = engine.start_instance("unit_consultation", business_key=business_key, actor=actor, data={
        "roles": {"发起街镇": street.code, OFFICE_ROLE: fixed_unit(session, "office")},
        "description": description, "place": place, "project_key": project.business_key if project else None,
        "wished_reply_on": wished.isoformat() if wished else None,
        "invited_departments": [u.code for u in departments],
        "sign_workdays": deadlines["sign_workdays"], "reply_workdays": deadlines["reply_workdays"],
        "dispatch_due": add_workdays(today.isoformat(), 1),
    })
    session.add(Consultation(instance_id=instance.id, street_code=street.code, project_id=project.id if project else None,
                             description=description, place=place, wished_reply_on=wished, opened_on=today))
    return instance


def open_check(session: Session, engine: BpmnEngine, data: dict, *, actor: str) -> Instance:
    """The supervision section opens a check on a project; its lead unit answers."""
    check, today = Checker(session, data), _today(engine)
    project = check.project("project", required=True)
    subject = check.text("subject", "督查事项", limit=300)
    requirements = check.text("requirements", "督查要求", required=False)
    answer_due = check.day("answer_due", "反馈期限", not_before=today)
    check.done({"project", "subject", "requirements", "answer_due"})
    leads = expand(project.lead_units)
    instance = engine.start_instance("supervision", business_key=f"督查-{project.business_key}", actor=actor, data={
        "project": {"year": project.plan.year, "number": project.number, "business_key": project.business_key,
                    "text": project.text},
        "roles": {COORDINATOR_ROLE: leads[0].code, SUPERVISION_ROLE: fixed_unit(session, "supervision")},
        "subject": subject, "requirements": requirements, "answer_due": answer_due.isoformat(),
    })
    session.add(SupervisionCheck(instance_id=instance.id, project_id=project.id, subject=subject,
                                 requirements=requirements, opened_on=today, answer_due=answer_due))
    return instance


def call_meeting(session: Session, engine: BpmnEngine, data: dict, *, actor: str) -> Instance:
    """The office calls a regular meeting; invited units may send agenda items until the meeting day."""
    check, today = Checker(session, data), _today(engine)
    meeting_date = check.day("meeting_date", "会议日期", not_before=today)
    topics = check.text("topics", "会议议题")
    invited = check.units("invited_units", "参会单位", ("department", "street", "town", "mass_organisation", "other"))
    check.done({"meeting_date", "topics", "invited_units"})
    instance = engine.start_instance("regular_meeting", business_key=f"例会-{meeting_date:%Y%m%d}", actor=actor, data={
        "roles": {OFFICE_ROLE: fixed_unit(session, "office")},
        "meeting_date": meeting_date.isoformat(), "meeting_starts": f"{meeting_date}T00:00:00",
        "agenda_due": add_workdays(meeting_date.isoformat(), -1), "topics": topics,
        "invited_units": [u.code for u in invited], "decisions": [],
    })
    session.add(Meeting(instance_id=instance.id, meeting_date=meeting_date, topics=topics,
                        invited=[u.code for u in invited]))
    return instance


def apply_for_access(session: Session, engine: BpmnEngine, applicant_code: str, data: dict, *, actor: str) -> Instance:
    """A district department applies to push an affair down to the streets."""
    applicant = session.get(Unit, applicant_code)
    if applicant is None or applicant.kind != "department":
        raise FormInvalid({"applicant": "只有区职能部门可以申请社区事务准入"})
    check = Checker(session, data)
    fields = {name: check.text(name, label, limit=limit) for name, label, limit in (
        ("affair", "下沉事务", 2000), ("legal_basis", "法律法规依据", 2000),
        ("funding", "随事务下沉的经费", 500), ("staffing", "随事务下沉的人员", 500))}
    on_list = data.get("on_responsibility_list", False) if isinstance(data, dict) else False
    if not isinstance(on_list, bool):
        check.errors["on_responsibility_list"] = "“是否列入街道职责清单”应为是或否"
    check.done(set(fields) | {"on_responsibility_list"})
    instance = engine.start_instance("community_affairs_access", business_key=f"准入-{applicant.code}", actor=actor,
                                     data={"roles": {"申请部门": applicant.code}, **fields,
                                           "on_responsibility_list": on_list})
    session.add(AccessApplication(instance_id=instance.id, applicant_code=applicant.code, filed_on=_today(engine),
                                  on_responsibility_list=on_list, **fields))
    return instance


def file_access_feedback(session: Session, engine: BpmnEngine, street_code: str, application_id: int,
                         data: dict) -> AccessFeedback:
    """A street reports the burden an approved affair puts on it."""
    street = session.get(Unit, street_code)
    application = session.get(AccessApplication, application_id)
    if street is None or street.kind not in STREET_KINDS:
        raise FormInvalid({"street": "只有街道、镇可以反馈准入事项负担"})
    if application is None or application.status != "approved":
        raise FormInvalid({"application": "只能对已准入的事项反馈"})
    check = Checker(session, data)
    burden = check.text("burden", "负担情况")
    check.done({"burden"})
    feedback = AccessFeedback(application_id=application.id, street_code=street.code, burden=burden,
                              filed_on=_today(engine))
    session.add(feedback)
    return feedback


def _numbered_key(session: Session, key: str) -> str:
    """``key`` (约请-曹杨新村街道-20170622: words a clerk reads, no unit code), or ``key-2``, ``key-3`` … when the
    same street already raised a matter that day, so that two matters never share a business key."""
    taken = set(session.scalars(select(ProcessInstance.business_key).where(
        (ProcessInstance.business_key == key) | ProcessInstance.business_key.like(f"{key}-%"))))
    if key not in taken:
        return key
    return next(f"{key}-{n}" for n in range(2, len(taken) + 3) if f"{key}-{n}" not in taken)
