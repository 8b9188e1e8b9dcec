"""What the project pages show: the plan's projects with their current step and traffic light, one project's
reports and timeline, and the office's corrections of units and due date (recorded in the lifecycle's history)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine import BpmnEngine, HumanTask, ProcessInstance

from ..directory.models import Unit
from ..plan.models import Plan, Project, ProjectUnit
from ..records.history import HistoryLine, timeline
from ..records.models import ProjectCompletion
from .report_cells import QuarterRow, quarter_rows
from ..workdays import urgency
from .activation import lifecycle_instance

LIGHTS = {"overdue": "red", "soon": "yellow", "normal": "green"}
EDITORS = ("office", "admin")


class EditInvalid(Exception):
    """Bad input for an edit: a message per field, nothing changed."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


@dataclass
class ProjectRow:
    project: Project
    open_tasks: list[HumanTask] = field(default_factory=list)
    completed: bool = False
    light: str = "green"

    @property
    def current_step(self) -> str:
        return "、".join(dict.fromkeys(task.name for task in self.open_tasks))


@dataclass
class ProjectPage:
    row: ProjectRow
    instance: ProcessInstance | None
    quarters: list[QuarterRow]  # the project's quarters in report_cells' words
    completion: ProjectCompletion | None
    history: list[HistoryLine]
    completed_elements: list[str]
    active_elements: list[str]


def plan_for(session: Session, year: int | None = None) -> Plan | None:
    """The plan of that year, or the latest plan."""
    query = select(Plan).where(Plan.year == year) if year else select(Plan).order_by(Plan.year.desc()).limit(1)
    return session.scalar(query)


def light_for(tasks: list[HumanTask], today: date) -> str:
    """Red if any open task is overdue, yellow if one is due within 3 working days, else green."""
    levels = {urgency(task.due_on, today) for task in tasks}
    return LIGHTS["overdue" if "overdue" in levels else "soon" if "soon" in levels else "normal"]


def _open_tasks_by_key(session: Session, business_keys: list[str]) -> dict[str, list[HumanTask]]:
    tasks = session.scalars(
        select(HumanTask).join(ProcessInstance)
        .where(ProcessInstance.business_key.in_(business_keys), ProcessInstance.status == "running",
               HumanTask.state == "ready")
        .order_by(HumanTask.due_on, HumanTask.id))
    grouped: dict[str, list[HumanTask]] = {}
    for task in tasks:
        grouped.setdefault(task.instance.business_key, []).append(task)
    return grouped


def _confirmed_project_ids(session: Session, project_ids: list[int]) -> set[int]:
    return set(session.scalars(select(ProjectCompletion.project_id).where(
        ProjectCompletion.project_id.in_(project_ids), ProjectCompletion.status == "confirmed")))


def project_rows(session: Session, projects: list[Project], today: date) -> list[ProjectRow]:
    """These projects, started or not, each with its open tasks and its light."""
    tasks = _open_tasks_by_key(session, [project.business_key for project in projects])
    confirmed = _confirmed_project_ids(session, [project.id for project in projects])
    rows = []
    for project in projects:
        open_tasks = tasks.get(project.business_key, [])
        rows.append(ProjectRow(project, open_tasks, project.id in confirmed, light_for(open_tasks, today)))
    return rows


def find_project(session: Session, number: int, year: int | None = None) -> Project | None:
    plan = plan_for(session, year)
    if plan is None:
        return None
    return session.scalar(select(Project).where(Project.plan_id == plan.id, Project.number == number))


def project_page(session: Session, engine: BpmnEngine, project: Project, today: date) -> ProjectPage:
    [row] = project_rows(session, [project], today)
    instance = lifecycle_instance(session, project.business_key)
    history = timeline(session, engine, instance.id) if instance else []
    quarters = quarter_rows(session, project, today)
    completion = session.scalar(select(ProjectCompletion).where(ProjectCompletion.project_id == project.id))
    completed, active = _diagram_markers(engine, instance)
    return ProjectPage(row, instance, quarters, completion, history, completed, active)


def _diagram_markers(engine: BpmnEngine, instance: ProcessInstance | None) -> tuple[list[str], list[str]]:
    """Element ids of the lifecycle diagram: those done (green) and those the instance is at now (orange).

    Its people's tasks live in called processes, so the diagram's own elements (call activities, events) are
    read from the restored workflow rather than from the human_task table."""
    if instance is None:
        return [], []
    done, active = engine.get_instance(instance.id).element_states()
    return sorted(done), sorted(active)


def may_edit(role: str) -> bool:
    return role in EDITORS


def _unit_codes(session: Session, text: str, label: str, errors: dict[str, str], key: str) -> list[str]:
    codes = list(dict.fromkeys(code.strip() for code in text.replace("，", ",").split(",") if code.strip()))
    known = set(session.scalars(select(Unit.code).where(Unit.code.in_(codes)))) if codes else set()
    unknown = [code for code in codes if code not in known]
    if unknown:
        errors[key] = f"“{label}”中没有这些单位代码：{'、'.join(unknown)}"
    return codes


def _parse_due(text: str, errors: dict[str, str]) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors["due_on"] = "“完成日期”应为日期，如 2017-12-31"
        return None


def _snapshot(project: Project) -> dict:
    return {"lead_units": [u.code for u in project.lead_units],
            "responsible_units": [u.code for u in project.responsible_units],
            "due_on": project.due_on.isoformat() if project.due_on else None}


def edit_project(session: Session, engine: BpmnEngine, project: Project, form: dict[str, str], *, actor: str) -> dict:
    """Change the project's units and due date and record it in its lifecycle's history; raises EditInvalid."""
    errors: dict[str, str] = {}
    leads = _unit_codes(session, form.get("lead_units", ""), "牵头单位", errors, "lead_units")
    if not leads and "lead_units" not in errors:
        errors["lead_units"] = "请填写“牵头单位”"
    responsible = _unit_codes(session, form.get("responsible_units", ""), "责任单位", errors, "responsible_units")
    due_on = _parse_due(form.get("due_on", ""), errors)
    if errors:
        raise EditInvalid(errors)
    before = _snapshot(project)
    session.execute(delete(ProjectUnit).where(ProjectUnit.project_id == project.id))
    session.flush()
    session.expire(project, ["units"])
    for role, codes in (("lead", leads), ("responsible", responsible)):
        for position, code in enumerate(codes):
            session.add(ProjectUnit(project_id=project.id, role=role, position=position, unit_code=code))
    project.due_on = due_on
    session.flush()
    session.expire(project, ["units"])
    after = _snapshot(project)
    _record_edit(session, engine, project, actor, before, after)
    return after


def _record_edit(session: Session, engine: BpmnEngine, project: Project, actor: str, before: dict, after: dict) -> None:
    instance = lifecycle_instance(session, project.business_key)
    if instance is not None:
        engine.record_event(instance.id, "project_edited", actor=actor, data={"before": before, "after": after})
