"""A unit's to-do list (待办) and a person's done list (已办), with due-date warnings and claiming.

A task belongs to a unit; anyone of the unit may claim it so colleagues see who is working on it.
Project columns come from the instance's business key (``2017-02``, ``督查-2017-02``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import String, and_, case, cast, func, join, or_, select, update
from sqlalchemy.orm import Session, joinedload, object_session

from engine import BpmnEngine, HumanTask, ProcessDefinition, ProcessInstance, TaskNotReady, TaskView

from ..accounts.actor import Actor, NotAllowed
from ..accounts.models import User
from ..cases.summary import CaseSummary, case_summary
from ..cases.titles import case_titles
from ..forms import FieldSpec
from ..plan.models import Plan, Project, TaskArea
from ..plan.projects import project_for, projects_for
from ..records.history import HistoryLine, person, person_names, timeline
from ..notifications.models import Notification
from ..workdays import urgency, working_days_left
from .completion import form_of
from .decisions import FRESH_DECISIONS, Section, decision_context, subjects
from .own_process import outlines, own_process, process_condition
from .permissions import may_complete
from .quarters import REPORT_SPECS, quarter_of

# What a message about a task marks it with in the inbox: the unit's report came back, or the office chased it.
MARKERS = {"report_returned": "退回", "chased": "被催办"}


class ClaimConflict(Exception):
    """Someone else of the unit has claimed the task."""


@dataclass
class InboxRow:
    task: HumanTask
    business_key: str | None
    process_name: str
    project: Project | None
    days_left: int | None
    urgency: str
    own_process: str = ""  # the process the task is of: a called one (季度信息报送) rather than its caller's
    markers: list[str] = field(default_factory=list)  # 退回, 被催办 (MARKERS)
    case_title: str = ""  # the matter a process without a project runs (cases/titles.py)


@dataclass
class Page:
    rows: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _project_key():
    number = cast(Project.number, String)
    padded = case((Project.number < 10, "0" + number), else_=number)
    return cast(Plan.year, String) + "-" + padded


# A list row needs the task's instance and process, not the instance's state or the diagram's specs (tens of
# KiB of JSON each that the models' joined loading would read and decode for every row); they load if used.
_WITHOUT_JSON = joinedload(HumanTask.instance).defer(ProcessInstance.state).joinedload(
    ProcessInstance.definition).defer(ProcessDefinition.spec_state).defer(ProcessDefinition.bpmn_xml)


def _task_query():
    """Tasks with their instance's key and process name; a page's projects are looked up afterwards by
    projects_for()."""
    return (
        select(HumanTask, ProcessInstance.business_key, ProcessDefinition.name).options(_WITHOUT_JSON)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
    )


def _of_projects(*conditions):
    """The instance's business key is that of a plan project (``2017-02`` or ``督查-2017-02``) meeting
    ``conditions`` (on Project, Plan, TaskArea). The projects' keys are chosen first, once (a CTE read by both
    forms of the key); joining every task to the projects on a key computed per row instead compared each task
    with each of the city's 880 projects (a quarter of a second for the office's search on the peak day)."""
    projects = join(Project, Plan, Project.plan_id == Plan.id).join(TaskArea, Project.area_id == TaskArea.id)
    keys = select(_project_key().label("key")).select_from(projects).where(*conditions).cte()
    return or_(ProcessInstance.business_key.in_(select(keys.c.key)),
               ProcessInstance.business_key.in_(select("督查-" + keys.c.key)))


def inbox(session: Session, unit_code: str, *, process: str | None = None, project: str | None = None,
          area: int | None = None, status: str | None = None, overdue: bool | None = None,
          search: str | None = None, page: int = 1, per_page: int = 20, today: date,
          include_unassigned: bool = False) -> Page:
    """The unit's ready tasks, earliest due first (no due date last). ``status``: claimed | unclaimed."""
    search = search.strip() if search else None
    query = _task_query()
    mine = HumanTask.assigned_unit == unit_code
    if include_unassigned:
        mine = or_(mine, HumanTask.assigned_unit.is_(None))
    conditions = [HumanTask.state == "ready", mine]
    if process:
        conditions.append(process_condition(session, process))
    if project:
        conditions.append(_of_projects(_project_key() == project.strip()))
    if area:
        conditions.append(_of_projects(TaskArea.number == area))
    if status == "claimed":
        conditions.append(HumanTask.claimed_by.is_not(None))
    elif status == "unclaimed":
        conditions.append(HumanTask.claimed_by.is_(None))
    if overdue:
        conditions.append(and_(HumanTask.due_on.is_not(None), HumanTask.due_on < today))
    if search:
        pattern = f"%{search}%"
        conditions.append(or_(HumanTask.name.ilike(pattern), ProcessInstance.business_key.ilike(pattern),
                              _of_projects(Project.text.ilike(pattern))))
    order = (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.created_at, HumanTask.id)
    if process or project or area or search:
        return _paged(session, query.where(*conditions).order_by(*order), page, per_page, today)
    # Only the task's own columns filter: count and choose the page on human_task's index alone, and join just
    # the page's rows (joining every open task of a busy unit first costs more than all the rest).
    ids = select(HumanTask.id).where(*conditions).order_by(*order)
    return _paged(session, query.order_by(*order), page, per_page, today, ids=ids)


def done(session: Session, username: str, page: int = 1, per_page: int = 20, *, today: date | None = None) -> Page:
    """The tasks this person completed, latest first."""
    query = _task_query().where(HumanTask.state == "completed", HumanTask.completed_by == username).order_by(
        HumanTask.completed_at.desc(), HumanTask.id.desc())
    return _paged(session, query, page, per_page, today)


def _paged(session: Session, query, page: int, per_page: int, today: date | None, *, ids=None) -> Page:
    """``ids``: the same tasks' ids in the same order, when they can be chosen without ``query``'s joins."""
    counted = ids.order_by(None) if ids is not None else query.order_by(None)
    total = session.scalar(select(func.count()).select_from(counted.subquery()))
    page = max(1, min(page, max(1, -(-total // per_page))))
    if ids is not None:
        query = query.where(HumanTask.id.in_(ids.limit(per_page).offset((page - 1) * per_page).scalar_subquery()))
    else:
        query = query.limit(per_page).offset((page - 1) * per_page)
    found = session.execute(query).all()
    projects = projects_for(session, {business_key for _, business_key, _ in found}, with_units=False)
    known, marked = outlines(session), markers(session, [task.id for task, _, _ in found])
    titles = case_titles(session, {task.instance_id for task, key, _ in found if projects.get(key) is None})
    rows = []
    for task, business_key, process_name in found:
        days = working_days_left(task.due_on, today) if today and task.state == "ready" else None
        level = urgency(task.due_on, today) if today and task.state == "ready" else "normal"
        own = own_process(known, task.instance.definition.key, task.spec_name)
        rows.append(InboxRow(task, business_key, process_name, projects.get(business_key), days, level,
                             own.name if own is not None else process_name, marked.get(task.id, []),
                             titles.get(task.instance_id, "")))
    return Page(rows, page, per_page, total)


def markers(session: Session, task_ids: list[int]) -> dict[int, list[str]]:
    """task id → the markers its messages give it (退回, 被催办), each once, in MARKERS' order."""
    kinds: dict[int, set[str]] = {}
    for task_id, kind in session.execute(select(Notification.human_task_id, Notification.kind).where(
            Notification.human_task_id.in_(task_ids), Notification.kind.in_(MARKERS)).distinct()):
        kinds.setdefault(task_id, set()).add(kind)
    return {task_id: [MARKERS[kind] for kind in MARKERS if kind in found] for task_id, found in kinds.items()}


def _lock(session: Session, task: HumanTask, actor: Actor) -> None:
    # Lock the row alone (the task's joined instance must not be locked), then read it afresh.
    session.execute(select(HumanTask.id).where(HumanTask.id == task.id).with_for_update())
    session.refresh(task)
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态")
    if not may_complete(actor, task):
        raise NotAllowed(f"任务“{task.name}”不由您所在单位办理")


def claim(session: Session, task: HumanTask, actor: Actor) -> None:
    """Mark the task as being handled by this person; ClaimConflict when a colleague holds it.

    Atomic on SQLite and PostgreSQL alike: one conditional UPDATE takes the task only while it is ready and
    unclaimed (or already this person's), so of two clerks pressing 认领 at once exactly one changes the row;
    the other's UPDATE, run after the first commits, matches nothing and is told who has it."""
    session.refresh(task)
    if not may_complete(actor, task):
        raise NotAllowed(f"任务“{task.name}”不由您所在单位办理")
    unit = HumanTask.assigned_unit.is_(None) if task.assigned_unit is None else \
        HumanTask.assigned_unit == task.assigned_unit  # not moved to another unit meanwhile
    taken = session.execute(
        update(HumanTask)
        .where(HumanTask.id == task.id, HumanTask.state == "ready", unit,
               or_(HumanTask.claimed_by.is_(None), HumanTask.claimed_by == actor.username))
        .values(claimed_by=actor.username).execution_options(synchronize_session=False))
    session.refresh(task)
    if taken.rowcount == 1:
        return
    if task.state != "ready":
        raise TaskNotReady(f"任务“{task.name}”已不在待办状态")
    raise ClaimConflict(f"任务“{task.name}”已被{_person(session, task.claimed_by)}认领")


def _person(session: Session, username: str | None) -> str:
    """How a colleague is named to a user: 显示名（用户名）, or the user name alone."""
    shown = session.scalar(select(User.display_name).where(User.username == username))
    return f" {shown}（{username}）" if shown else f" {username} "


def release(session: Session, task: HumanTask, actor: Actor) -> None:
    """Give the task back to the unit; only the person who claimed it may."""
    _lock(session, task, actor)
    if task.claimed_by not in (None, actor.username):
        raise ClaimConflict(f"任务“{task.name}”由{_holder(task)}认领，只有认领人可以释放")
    task.claimed_by = None
    session.flush()


def check_not_held_by_other(task: HumanTask, actor: Actor) -> None:
    """A claimed task is submitted by the person who claimed it."""
    if task.claimed_by not in (None, actor.username):
        raise ClaimConflict(f"任务“{task.name}”已由{_holder(task)}认领，请先由其释放")


def _holder(task: HumanTask) -> str:
    """The person who claimed the task, by name (民政局 王立群), for the messages of a refused step."""
    return person(person_names(object_session(task)), task.claimed_by)


def filter_choices(session: Session) -> tuple[list[tuple[str, str]], list[tuple[int, str]]]:
    """The processes and the latest plan's task areas an inbox can be filtered by."""
    processes = session.execute(select(ProcessDefinition.key, ProcessDefinition.name)
                                .distinct().order_by(ProcessDefinition.key)).all()
    latest = select(func.max(Plan.year)).scalar_subquery()
    areas = session.execute(select(TaskArea.number, TaskArea.heading).join(Plan).where(Plan.year == latest)
                            .order_by(TaskArea.number)).all()
    return [tuple(p) for p in processes], [tuple(a) for a in areas]


@dataclass
class TaskPage:
    task: HumanTask
    view: TaskView | None
    fields: list[FieldSpec]
    values: dict
    project: Project | None
    history: list[HistoryLine]
    may_submit: bool
    days_left: int | None
    urgency: str
    case: CaseSummary | None = None
    decision: list[Section] = field(default_factory=list)  # what the task decides on (decisions.py)
    subject: str = ""  # whose it is among its namesakes (评价答复 · 区民政局), see decisions.subjects
    heading: str = ""  # the project and the quarter it is about (2017-02 健全区域化党建… · 2017年第2季度)


def task_page(session: Session, engine: BpmnEngine, task: HumanTask, actor: Actor,
              submitted: dict | None = None) -> TaskPage:
    """What a task's page shows: its project, documentation, form (with the data so far) and history."""
    view = engine.task_view(task) if task.state == "ready" else None
    fields = form_of(view) if view is not None else []
    values = submitted if submitted is not None else initial_values(task, fields, view.data if view else {})
    today, history = engine.clock.today(), timeline(session, engine, task.instance_id)
    ready, project = task.state == "ready", project_for(session, task.instance.business_key)
    return TaskPage(task, view, fields, values, project,
                    history, ready and may_complete(actor, task),
                    working_days_left(task.due_on, today) if ready else None,
                    urgency(task.due_on, today) if ready else "normal", case_summary(session, task.instance_id),
                    decision_context(session, engine, task, view, [line.event for line in history]),
                    subjects(session, engine, [task], {task.id: view} if view else None).get(task.id, ""),
                    heading(task, project, view.data if view else {}, _case_heading(session, task, project)))


def _case_heading(session: Session, task: HumanTask, project: Project | None) -> str:
    return "" if project is not None else case_titles(session, {task.instance_id}).get(task.instance_id, "")


def heading(task: HumanTask, project: Project | None, data: dict, case_title: str = "") -> str:
    """What a task page's title says the task is about: the project (number and the start of its text) or the
    matter (``case_title``) and, for a quarterly report's tasks, the quarter (from the called process's data, or a
    done task's due date)."""
    parts = [f"{project.business_key} {_short(project.text)}" if project is not None else case_title]
    quarter, year = data.get("quarter"), data.get("year")
    if quarter is None and task.spec_name in REPORT_SPECS and task.due_on is not None:
        quarter, year = quarter_of(task.due_on), task.due_on.year
    if isinstance(quarter, int) and isinstance(year, int):
        parts.append(f"{year}年第{quarter}季度")
    return " · ".join(part for part in parts if part)


def _short(text: str, length: int = 24) -> str:
    text = text.strip().rstrip("。；，、")
    return text if len(text) <= length else text[:length] + "…"


def initial_values(task: HumanTask, fields: list[FieldSpec], data: dict) -> dict:
    """The form as it opens: the instance's data for each field, except on a decision taken afresh each round
    (FRESH_DECISIONS): there the last round's verdict and comment stay in the panel, not in the form."""
    fresh = task.spec_name in FRESH_DECISIONS
    return {spec.id: as_form_text(spec, spec.default if fresh and not spec.readonly else data.get(spec.id, spec.default))
            for spec in fields}


def form_fields(engine: BpmnEngine, task: HumanTask) -> list[FieldSpec]:
    """The task's form as its diagram defines it; none once the task is no longer ready."""
    view = engine.task_view(task) if task.state == "ready" else None
    return form_of(view) if view is not None else []


def as_form_text(spec: FieldSpec, value) -> str:
    """Stored data back into what the form field shows (lists of units or action items become lines)."""
    if value is None:
        return ""
    if spec.type == "units" and isinstance(value, list):
        return "、".join(str(code) for code in value)
    if spec.type == "action_items" and isinstance(value, list):
        return "\n".join(f"{item.get('unit', '')}；{item.get('task', '')}；{item.get('due_on', '')}"
                         for item in value if isinstance(item, dict))
    if spec.type == "attachments" and isinstance(value, list):
        return ",".join(str(attachment_id) for attachment_id in value)
    if spec.type == "boolean":
        return "true" if value in (True, "true", "on", "1", "是") else ""
    return str(value)
