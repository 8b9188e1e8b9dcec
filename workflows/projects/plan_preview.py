"""The step between an uploaded plan table and the database: what it would create, change and remove, and
the confirmation that writes it.

Nothing is written until the office confirms. The preview page carries the table, read into the plan file's
layout, as JSON; on confirmation it is checked again in full by plan/document.py, never trusted as the browser sent it.
A plan that is under way (activated, or a project's 项目全年推进 started) is not changed by an import: its
projects are corrected one by one on the project pages, where each change is recorded in the history.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from engine import ProcessDefinition, ProcessInstance

from ..directory.models import Unit
from ..plan.document import PlanData
from ..plan.loading import LoadResult, load_plan_data, resolve_units
from ..plan.models import Plan, Project
from ..plan.spreadsheet import PlanImportError, Upload, check_document
from ..records.models import Consultation
from .activation import LIFECYCLE


class PlanLocked(Exception):
    """The year's plan is under way; a whole-table import may no longer change it."""


def check_not_locked(session, year: int) -> None:
    plan = session.scalar(select(Plan).where(Plan.year == year))
    if plan is not None and plan.activated_at is not None:
        raise PlanLocked(f"{year}年计划已于 {plan.activated_at:%Y-%m-%d} 启动，不能再整表导入修改；"
                         "请在“重点项目”页面逐项修改牵头单位、责任单位和完成日期")
    started = session.scalar(
        select(ProcessInstance.business_key).join(ProcessDefinition)
        .where(ProcessDefinition.key == LIFECYCLE, ProcessInstance.business_key.like(f"{year}-%")).limit(1))
    if started is not None:
        raise PlanLocked(f"{year}年计划的项目 {started} 已经开始办理，不能再整表导入修改")


def upload_from_json(text: str) -> Upload:
    """The upload the preview page carried; only its shape is checked here, its content by check_document."""
    try:
        carried = json.loads(text or "")
    except json.JSONDecodeError:
        carried = None
    if not (isinstance(carried, dict) and isinstance(carried.get("document"), dict)
            and isinstance(carried.get("rows"), list) and all(type(row) is int for row in carried["rows"])):
        raise PlanImportError(fields={"plan": "预览数据已损坏，请重新上传文件"})
    return Upload(document=carried["document"], rows=carried["rows"])


def upload_as_json(upload: Upload) -> str:
    return json.dumps({"document": upload.document, "rows": upload.rows}, ensure_ascii=False)


def confirm(session, upload: Upload) -> LoadResult:
    """Write the previewed plan (checked again in full); projects the table no longer lists are removed."""
    data = check_document(session, upload)
    check_not_locked(session, data.year)
    _check_removable(session, data)
    return load_plan_data(session, data, remove_missing=True)


def _check_removable(session, data: PlanData) -> None:
    numbers = {project.number for project in data.projects}
    referenced = session.scalar(
        select(Project.number).join(Plan).join(Consultation, Consultation.project_id == Project.id)
        .where(Plan.year == data.year, Project.number.not_in(numbers)).limit(1))
    if referenced is not None:
        raise PlanLocked(f"项目 {data.year}-{referenced:02d} 已被条块约请引用，表中不能删去它")


# --- the preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ProjectLine:
    """One project of the preview: its fields as they will be, and for a changed one what changes."""

    number: int
    fields: dict[str, str]
    row: int | None = None
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class Preview:
    year: int
    exists: bool
    plan_changes: tuple[Change, ...]
    created: tuple[ProjectLine, ...]
    changed: tuple[ProjectLine, ...]
    removed: tuple[ProjectLine, ...]
    unchanged: int


def preview(session, upload: Upload) -> Preview:
    """What confirming the upload would create, change and remove; writes nothing."""
    data = check_document(session, upload)
    check_not_locked(session, data.year)
    _check_removable(session, data)
    plan = session.scalar(select(Plan).where(Plan.year == data.year))
    existing = {project.number: project for project in plan.projects} if plan else {}
    columns, names = resolve_units(session, data), dict(session.execute(select(Unit.code, Unit.name)).all())
    headings = {area.number: area.heading for area in data.areas}
    created, changed = [], []
    for project, row in zip(data.projects, upload.rows):
        units = columns[project.number]
        after = _fields(headings[project.area], project.text, project.party_work,
                        [names[code] for role, code in units if role == "lead"],
                        [names[code] for role, code in units if role == "responsible"],
                        project.deadline, project.due_on, project.read_by_fallback)
        if project.number not in existing:
            created.append(ProjectLine(project.number, after, row))
        elif changes := _changes(_stored_fields(existing[project.number]), after):
            changed.append(ProjectLine(project.number, after, row, changes))
    numbers = {project.number for project in data.projects}
    removed = tuple(ProjectLine(number, _stored_fields(project)) for number, project in existing.items()
                    if number not in numbers)
    return Preview(year=data.year, exists=plan is not None, plan_changes=_plan_changes(plan, data),
                   created=tuple(created), changed=tuple(changed), removed=removed,
                   unchanged=len(data.projects) - len(created) - len(changed))


def _fields(area: str, text: str, party_work: str, leads: list[str], responsible: list[str], deadline: str,
            due_on: date | None, read_by_fallback: bool) -> dict[str, str]:
    return {"任务领域": area, "项目": text, "区委“1+6”工作": party_work, "牵头单位": "、".join(leads),
            "责任单位": "、".join(responsible), "完成时间": deadline,
            "截止日期": due_on.isoformat() if due_on else "无固定日期", "分栏待核对": "是" if read_by_fallback else "否"}


def _stored_fields(project: Project) -> dict[str, str]:
    return _fields(project.area.heading, project.text, project.party_work,
                   [unit.name for unit in project.lead_units], [unit.name for unit in project.responsible_units],
                   project.deadline_text, project.due_on, project.read_by_fallback)


def _changes(before: dict[str, str], after: dict[str, str]) -> tuple[Change, ...]:
    return tuple(Change(label, before[label], value) for label, value in after.items() if before[label] != value)


def _plan_changes(plan: Plan | None, data: PlanData) -> tuple[Change, ...]:
    before = {"标题": plan.title, "印发日期": plan.issued_on.isoformat(),
              "任务领域": "；".join(area.heading for area in plan.areas)} if plan else {}
    after = {"标题": data.title, "印发日期": data.issued_on.isoformat(),
             "任务领域": "；".join(area.heading for area in data.areas)}
    return tuple(Change(label, before.get(label, ""), value) for label, value in after.items()
                 if before.get(label) != value)
