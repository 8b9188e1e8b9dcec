"""What a started matter is called where people pick it out of a list: the street or unit, the matter, the date
(曹杨新村街道 · 约请：兰溪路积水点改造 · 2017年6月22日), rather than its business key (约请-caoyang-20170622,
which two matters raised the same day share); and the matters a project's page lists beside its own process.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..directory.models import Unit
from ..records.labels import label
from ..records.models import AccessApplication, Consultation, Meeting, SupervisionCheck

SHORT = 20  # characters of a matter's text in its title


def _short(text: str) -> str:
    text = " ".join(text.split()).rstrip("。；，、")
    return text if len(text) <= SHORT else text[:SHORT] + "…"


def _day(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _join(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def consultation_title(case: Consultation, names: dict[str, str]) -> str:
    return _join(names.get(case.street_code, case.street_code), f"约请：{_short(case.description)}", _day(case.opened_on))


def check_title(case: SupervisionCheck) -> str:
    return _join(f"督查：{_short(case.subject)}", _day(case.opened_on))


def case_titles(session: Session, instance_ids: set[int]) -> dict[int, str]:
    """instance id → the title of the matter it runs (约请, 督查, 例会, 准入申请); instances of none are left out."""
    if not instance_ids:
        return {}
    names, titles = dict(session.execute(select(Unit.code, Unit.name)).all()), {}
    for case in session.scalars(select(Consultation).where(Consultation.instance_id.in_(instance_ids))):
        titles[case.instance_id] = consultation_title(case, names)
    for case in session.scalars(select(SupervisionCheck).where(SupervisionCheck.instance_id.in_(instance_ids))):
        titles[case.instance_id] = check_title(case)
    for case in session.scalars(select(Meeting).where(Meeting.instance_id.in_(instance_ids))):
        titles[case.instance_id] = _join("定期例会", _day(case.meeting_date), _short(case.topics))
    for case in session.scalars(select(AccessApplication).where(AccessApplication.instance_id.in_(instance_ids))):
        titles[case.instance_id] = _join(names.get(case.applicant_code, case.applicant_code),
                                         f"准入申请：{_short(case.affair)}")
    return titles


@dataclass
class RelatedCase:
    """A matter about a project that runs in its own process: a unit's 约请 linked to it, a supervisor's check."""

    kind: str        # 条块约请 | 跟踪督查
    title: str
    status: str      # its label (records/labels.py)
    opened_on: date
    instance_id: int


def project_cases(session: Session, project_id: int) -> list[RelatedCase]:
    """The 约请 raised about the project and the checks made of it, oldest first. Raises MissingLabel."""
    names = dict(session.execute(select(Unit.code, Unit.name)).all())
    found = [RelatedCase("条块约请", consultation_title(case, names), label("consultation_status", case.status),
                         case.opened_on, case.instance_id)
             for case in session.scalars(select(Consultation).where(Consultation.project_id == project_id))]
    found += [RelatedCase("跟踪督查", check_title(case), label("check_status", case.status), case.opened_on,
                          case.instance_id)
              for case in session.scalars(select(SupervisionCheck).where(SupervisionCheck.project_id == project_id))]
    return sorted(found, key=lambda case: (case.opened_on, case.instance_id))
