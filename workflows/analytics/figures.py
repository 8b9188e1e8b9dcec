"""Each step's figures for one process definition: tasks waiting now, tasks finished, median and 90th-percentile
time in working days (office calendar), overall and per unit; timers fired. Read with SQL from human_task and
history_event (a called process's tasks live in its caller's instance, so its callers' instances are read too).

A task's time is the working days from the local day it arrived (exclusive) to the local day it was finished
(inclusive), workflows/workdays.workdays_between: finished the day it arrived is 0. The 90th percentile is the
nearest rank (the smallest time at least 90 % of the finished tasks did not exceed)."""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine import HistoryEvent, HumanTask, NotFound, ProcessDefinition, ProcessInstance

from ..directory.models import Unit
from ..holidays import book as calendar_book
from ..plan.models import Plan, Project, TaskArea
from ..processes.models import InstanceStart
from ..workdays import workdays_between
from . import diagram

SLOWEST = 5
NO_UNIT = "未分派单位"


@dataclass(frozen=True)
class Filters:
    """``year``: tasks that arrived (timers that fired) in that calendar year, local time; ``area_id``: instances
    of the projects of that task area (their lifecycle, supervision and the processes started for them);
    ``version``: instances of that version of the definition itself (a called process's tasks are not
    filtered by version: their instances belong to the caller)."""

    year: int | None = None
    area_id: int | None = None
    version: int | None = None


@dataclass
class Figures:
    """Counts and times of one step, or of one unit at one step; times in working days, None when none
    finished."""

    waiting: int = 0
    finished: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass
class StepFigures:
    step: diagram.Step
    figures: Figures
    units: dict[str, Figures] = field(default_factory=dict)  # unit name → figures (user tasks only)


@dataclass
class ProcessFigures:
    """``steps`` in diagram order; ``slowest`` the five user tasks with the longest median (then 90th
    percentile); ``unit_rows`` (step, unit name, figures) slowest first."""

    key: str
    name: str
    version: int
    versions: list[int]
    steps: list[StepFigures]
    slowest: list[StepFigures]
    unit_rows: list[tuple[StepFigures, str, Figures]]


def percentile_90(times: list[int]) -> int:
    """The nearest-rank 90th percentile of a non-empty list."""
    ordered = sorted(times)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def summarise(waiting: int, times: list[int]) -> Figures:
    if not times:
        return Figures(waiting, 0)
    return Figures(waiting, len(times), float(statistics.median(times)), float(percentile_90(times)))


def process_figures(session: Session, key: str, filters: Filters, local_tz: ZoneInfo) -> ProcessFigures:
    """The figures of process ``key`` drawn on version ``filters.version`` (else the newest); raises NotFound
    for a key (or version) never deployed."""
    versions = list(session.scalars(select(ProcessDefinition.version).where(ProcessDefinition.key == key)
                                    .order_by(ProcessDefinition.version)))
    if not versions or (filters.version is not None and filters.version not in versions):
        raise NotFound(f"没有流程“{key}”" + (f"的第 {filters.version} 版" if filters.version else ""))
    drawn = session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == key,
                                                            ProcessDefinition.version == (filters.version or versions[-1])))
    calls = _calls(session)
    own = diagram.steps(drawn.bpmn_xml, key)
    covers = _covered_tasks(session, own, calls)
    scope = _Scope(session, key, diagram.hosts(key, calls), filters, local_tz)
    calendar_book.refresh(session)
    by_spec = scope.task_times({spec for specs in covers.values() for spec in specs})
    fired = scope.timers_fired()
    steps = [_step_figures(step, covers[step.element_id], by_spec, fired) for step in own]
    return ProcessFigures(key, drawn.name or key, drawn.version, versions, steps, _slowest(steps), _unit_rows(steps))


def _calls(session: Session) -> dict[str, set[str]]:
    """Process key → the keys its newest version calls."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")).group_by(
        ProcessDefinition.key).subquery()
    rows = session.execute(select(ProcessDefinition.key, ProcessDefinition.bpmn_xml).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version)))
    return {key: diagram.called_keys(xml, key) for key, xml in rows}


def _covered_tasks(session: Session, own: list[diagram.Step], calls: dict[str, set[str]]) -> dict[str, set[str]]:
    """Element id → the user-task ids whose human tasks count for it: a user task itself; a call activity every
    user task of the processes it reaches."""
    covers = {}
    for step in own:
        if step.kind == "user":
            covers[step.element_id] = {step.element_id}
        elif step.kind == "call" and step.called:
            covers[step.element_id] = _user_tasks_of(session, diagram.reachable(step.called, calls))
        else:
            covers[step.element_id] = set()
    return covers


def _user_tasks_of(session: Session, keys: set[str]) -> set[str]:
    newest = {}
    for definition in session.scalars(select(ProcessDefinition).where(ProcessDefinition.key.in_(keys))
                                      .order_by(ProcessDefinition.version)):
        newest[definition.key] = definition
    return {step.element_id for key, definition in newest.items()
            for step in diagram.steps(definition.bpmn_xml, key) if step.kind == "user"}


@dataclass
class _TaskTimes:
    waiting: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # unit → tasks waiting
    times: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # unit → working days


class _Scope:
    """The instances and time window the filters select, as SQL conditions."""

    def __init__(self, session: Session, key: str, host_keys: set[str], filters: Filters, local_tz: ZoneInfo):
        self.session, self.local_tz = session, local_tz
        self.conditions = [ProcessDefinition.key.in_(host_keys)]
        if filters.version is not None:
            self.conditions.append(or_(ProcessDefinition.key != key, ProcessDefinition.version == filters.version))
        if filters.area_id is not None:
            self.conditions.append(_in_area(session, filters.area_id))
        self.window = _year_window(filters.year, local_tz) if filters.year else None

    def task_times(self, specs: set[str]) -> dict[str, _TaskTimes]:
        """User-task id → waiting counts and finished times per unit name. The database groups the tasks by
        step, unit, state and local arrival and finishing day, so Python sees one row per distinct day pair."""
        created, completed = self._local_day(HumanTask.created_at), self._local_day(HumanTask.completed_at)
        query = (select(HumanTask.spec_name, HumanTask.assigned_unit, HumanTask.state, created, completed, func.count())
                 .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
                 .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
                 .where(HumanTask.spec_name.in_(specs), HumanTask.state.in_(("ready", "completed")), *self.conditions)
                 .group_by(HumanTask.spec_name, HumanTask.assigned_unit, HumanTask.state, created, completed))
        if self.window:
            query = query.where(HumanTask.created_at >= self.window[0], HumanTask.created_at < self.window[1])
        names = dict(self.session.execute(select(Unit.code, Unit.name)).all())
        found: dict[str, _TaskTimes] = defaultdict(_TaskTimes)
        for spec, unit, state, arrived_on, finished_on, count in self.session.execute(query):
            entry, unit_name = found[spec], names.get(unit, NO_UNIT) if unit else NO_UNIT
            if state == "ready":
                entry.waiting[unit_name] += count
            elif finished_on is not None:
                entry.times[unit_name].extend([workdays_between(_as_date(arrived_on), _as_date(finished_on))] * count)
        return found

    def _local_day(self, column):
        """The local calendar day of a stored (naive UTC) instant, computed by the database: PostgreSQL converts
        with the time zone's rules; SQLite adds the zone's present offset (exact for zones without summer time,
        such as Asia/Shanghai)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return func.date(func.timezone(self.local_tz.key, func.timezone("UTC", column)))
        offset = datetime.now(self.local_tz).utcoffset()
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")

    def timers_fired(self) -> dict[str, int]:
        """Timer name (or id, as the engine records it) → times fired."""
        query = (select(HistoryEvent.task_name, func.count())
                 .join(ProcessInstance, HistoryEvent.instance_id == ProcessInstance.id)
                 .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
                 .where(HistoryEvent.kind == "timer_fired", *self.conditions).group_by(HistoryEvent.task_name))
        if self.window:
            query = query.where(HistoryEvent.at >= self.window[0], HistoryEvent.at < self.window[1])
        return {name: count for name, count in self.session.execute(query) if name}



def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _year_window(year: int, local_tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The year's first and the next year's first instant, local time, as stored (naive UTC)."""
    def start(y: int) -> datetime:
        return datetime(y, 1, 1, tzinfo=local_tz).astimezone(timezone.utc).replace(tzinfo=None)
    return start(year), start(year + 1)


def _in_area(session: Session, area_id: int):
    """Instances of the area's projects: keyed by the project (lifecycle), by 督查-project, or started for it."""
    keys = [f"{year}-{number:02d}" for year, number in session.execute(
        select(Plan.year, Project.number).join(Plan, Project.plan_id == Plan.id).where(Project.area_id == area_id))]
    started = select(InstanceStart.instance_id).where(InstanceStart.project_key.in_(keys))
    return or_(ProcessInstance.business_key.in_(keys + [f"督查-{key}" for key in keys]),
               ProcessInstance.id.in_(started))


def _step_figures(step: diagram.Step, specs: set[str], by_spec: dict[str, _TaskTimes],
                  fired: dict[str, int]) -> StepFigures:
    if step.kind == "timer":
        return StepFigures(step, Figures(0, fired.get(step.name, 0)))  # the engine records name, else id
    entries = [by_spec[spec] for spec in specs if spec in by_spec]
    waiting = sum(sum(entry.waiting.values()) for entry in entries)
    times = [time for entry in entries for unit_times in entry.times.values() for time in unit_times]
    if step.kind == "call":
        return StepFigures(step, Figures(waiting, len(times)))
    entry = by_spec.get(step.element_id, _TaskTimes())
    units = {unit: summarise(entry.waiting.get(unit, 0), entry.times.get(unit, []))
             for unit in sorted(set(entry.waiting) | set(entry.times))}
    return StepFigures(step, summarise(waiting, times), units)


def _slowness(figures: Figures) -> tuple[float, float]:
    return (figures.median or 0.0, figures.p90 or 0.0)


def _slowest(steps: list[StepFigures]) -> list[StepFigures]:
    finished = [step for step in steps if step.step.kind == "user" and step.figures.finished]
    return sorted(finished, key=lambda step: _slowness(step.figures), reverse=True)[:SLOWEST]


def _unit_rows(steps: list[StepFigures]) -> list[tuple[StepFigures, str, Figures]]:
    rows = [(step, unit, figures) for step in steps for unit, figures in step.units.items() if figures.finished]
    return sorted(rows, key=lambda row: _slowness(row[2]), reverse=True)


@dataclass(frozen=True)
class DefinitionRow:
    key: str
    name: str
    version: int
    waiting: int  # tasks of this process's steps waiting now, in its own instances and its callers'


def definition_rows(session: Session) -> list[DefinitionRow]:
    """Every deployed process with its newest version and the tasks of its steps waiting now, by name."""
    newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")).group_by(
        ProcessDefinition.key).subquery()
    latest = session.execute(select(ProcessDefinition.key, ProcessDefinition.name, ProcessDefinition.version,
                                    ProcessDefinition.bpmn_xml).join(
        newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))).all()
    waiting = session.execute(
        select(ProcessDefinition.key, HumanTask.spec_name, func.count(HumanTask.id))
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(HumanTask.state == "ready").group_by(ProcessDefinition.key, HumanTask.spec_name)).all()
    calls = {key: diagram.called_keys(xml, key) for key, _, _, xml in latest}
    rows = []
    for key, name, version, xml in latest:
        hosts = diagram.hosts(key, calls)
        own = {step.element_id for step in diagram.steps(xml, key) if step.kind == "user"}
        count = sum(number for host, spec, number in waiting if host in hosts and spec in own)
        rows.append(DefinitionRow(key, name or key, version, count))
    return sorted(rows, key=lambda row: row.name)


def area_choices(session: Session) -> list[tuple[int, str]]:
    """(task area id, “2017年 heading”) for the area filter, newest plan first."""
    rows = session.execute(select(TaskArea.id, Plan.year, TaskArea.heading).join(Plan, TaskArea.plan_id == Plan.id)
                           .order_by(Plan.year.desc(), TaskArea.number))
    return [(area_id, f"{year}年 {heading}") for area_id, year, heading in rows]


def diagram_xml(session: Session, key: str, version: int | None) -> str:
    """The BPMN of ``key`` at ``version`` (else the newest); raises NotFound."""
    query = select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.key == key)
    if version is not None:
        query = query.where(ProcessDefinition.version == version)
    xml = session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
    if xml is None:
        raise NotFound(f"没有流程“{key}”")
    return xml
