"""The engine: deploy diagrams, start instances, complete tasks, fire timers, cancel; save after each step."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Text, cast, func, select, update
from sqlalchemy.orm import Session, lazyload
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState

from . import bounds as engine_bounds
from . import chain, events, join, timers
from .bounds import BoundedScriptEngine, EngineBounds
from .clock import Clock, install_spiff_clock, simulated_now_column, to_db
from .clock import seed as seed_clock
from .data import storable
from .errors import InstanceNotRunning, MigrationRefused, NotFound, TaskNotReady
from .incidents import UNAVAILABLE, StepFailed, StepTrace, describe, find_unstorable
from .instance import Assignment, Instance, TaskView, task_view
from .models import HistoryEvent, HumanTask, ProcessDefinition, ProcessInstance
from .definitions import Definitions
from .delivery import Deliveries
from .dmn_definitions import Decisions
from .incident_ops import Incidents
from .timer_ops import Timers
from .migration import move_state, predict_again
from .steps import check_storable, drop_finished_subprocesses, quiet_spiff_logs, run_engine_steps
from .storage import restored_specs, serializer

Router = Callable[[ProcessInstance, TaskView], Assignment]


def _no_routing(row: ProcessInstance, task: TaskView) -> Assignment:
    return Assignment(unit=None)


class BpmnEngine(Definitions, Decisions, Incidents, Timers, Deliveries):
    """One engine per unit of work: it reads the clock once per step and never commits."""

    def __init__(self, session: Session, *, local_tz: tzinfo, router: Router | None = None,
                 script_functions: dict[str, Callable] | None = None, bounds: EngineBounds | None = None):
        self.session = session
        self.clock = Clock(session, local_tz)
        self.router = router or _no_routing
        self.bounds = bounds or EngineBounds()
        self.script_engine = BoundedScriptEngine(local_tz, script_functions or {}, self.bounds.script)
        self._install_decisions()
        install_spiff_clock(local_tz)
        engine_bounds.install()
        timers.install()
        join.install()
        events.install()
        quiet_spiff_logs()

    # -- instances -----------------------------------------------------------------------------

    def start_instance(self, key: str, *, business_key: str | None = None, data: dict[str, Any] | None = None,
                       actor: str | None = None) -> Instance:
        return self.start_instances(self.latest_definition(key), [(business_key, data)], actor=actor)[0]

    def start_instances(self, definition: ProcessDefinition, starts: Iterable[tuple[str | None, dict[str, Any] | None]],
                        *, actor: str | None = None) -> list[Instance]:
        """Start an instance of ``definition`` for each (business key, data): the way to start many at once.

        The clock is read once for them all and the rows are written by one flush, so starting a thousand costs
        a few round trips to the database, not a few per instance. The instances have their ids on return."""
        with self.clock.frozen():
            instances = [self._start(definition, business_key, data, actor) for business_key, data in starts]
        self.session.flush()
        return instances

    def _start(self, definition: ProcessDefinition, business_key: str | None, data: dict[str, Any] | None,
               actor: str | None, prepare: Callable[[BpmnWorkflow], None] | None = None) -> Instance:
        spec, subprocess_specs = restored_specs(definition)
        workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
        if prepare is not None:  # e.g. the start event that fired (engine/delivery.py)
            prepare(workflow)
        workflow.get_next_task(state=TaskState.READY).set_data(**storable(data or {}))
        now = to_db(self.clock.now())
        row = ProcessInstance(definition=definition, definition_id=definition.id, business_key=business_key,
                              status="running", started_at=now, updated_at=now)
        self.session.add(row)
        instance = Instance(row, workflow)
        self._record(instance, "started", actor=actor, data={"business_key": business_key})
        self._run(instance, lambda: None)
        return instance

    def get_instance(self, instance_id: int, *, for_update: bool = False) -> Instance:
        """The instance with its workflow restored. ``for_update``: locked until the transaction ends and read
        afresh under the lock (what this session read before may be older), with its history chain's head, the
        number of its event subscriptions and the clock read in the same statement (PostgreSQL: one round trip for
        the lock, the row, the head, what the step needs to know of its subscriptions, and the time).

        The state is read as the JSON text the database holds and parsed once, into the workflow: the row's own
        ``state`` stays unloaded (a driver's dict, copied for the restore that consumes it, cost two parses and a
        dump)."""
        found = self.locked_row(instance_id) if for_update else None  # read with its batch (timer_ops)
        if found is None:
            query = select(ProcessInstance, cast(ProcessInstance.state, Text)).where(ProcessInstance.id == instance_id)
            found = self._read_locked(query, instance_id) if for_update else self.session.execute(query).first()
        if found is None:
            raise NotFound(f"流程实例 {instance_id} 不存在")
        row, text, *subscriptions = found
        instance = Instance(row, self._restore(row, text))
        if for_update:
            instance.known_subscriptions = events.known_subscriptions(instance.workflow, subscriptions[0])
        return instance

    def _read_locked(self, query, instance_id: int) -> tuple[ProcessInstance, str, int] | None:
        """(row, state text, number of stored event subscriptions) of ``query``'s instance, locked, or None."""
        if self._on_sqlite():
            self._lock_instance(instance_id)
        else:
            query = query.with_for_update(of=ProcessInstance)
        query = (query.add_columns(chain.last_hash(ProcessInstance.id), events.stored_count(ProcessInstance.id),
                                   simulated_now_column())
                 .execution_options(populate_existing=True))
        found = self.session.execute(query).first()
        if found is None:
            return None
        row, text, last, subscriptions, simulated_now = found
        chain.seed(self.session, instance_id, last)
        seed_clock(self.session, simulated_now)
        return row, text, subscriptions

    def _on_sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    def _lock_instance(self, instance_id: int) -> None:
        """Hold the instance row until the transaction ends, so two workers (or requests) cannot both step it.

        PostgreSQL: ``SELECT … FOR UPDATE``. SQLite ignores FOR UPDATE and reads outside a transaction: a no-op
        write on the row takes its database write lock before the instance is read."""
        if self._on_sqlite():
            table = ProcessInstance.__table__
            self.session.execute(update(table).where(table.c.id == instance_id).values(id=table.c.id))
        else:
            self.session.execute(select(ProcessInstance.id).where(ProcessInstance.id == instance_id).with_for_update())

    def _restore(self, row: ProcessInstance, text: str) -> BpmnWorkflow:
        """The workflow of ``row`` from its state's JSON ``text`` (parsed here, so the restore, which consumes the
        dict, owns it)."""
        return self._workflow(json.loads(text), row.serializer_version, row.definition)

    def _workflow(self, state: dict, serializer_version: str, definition: ProcessDefinition) -> BpmnWorkflow:
        # Already restored specs pass through the serializer unchanged.
        state["spec"], state["subprocess_specs"] = restored_specs(definition)
        state[BpmnWorkflowSerializer.VERSION_KEY] = serializer_version
        codec = serializer()
        codec.migrate(state)
        workflow = codec.from_dict(state)
        workflow.script_engine = self.script_engine
        return workflow

    def complete_task(self, human_task_id: int, data: dict[str, Any] | None = None, *, actor: str,
                      validate: Callable[[TaskView, dict[str, Any]], dict[str, Any]] | None = None) -> Instance:
        """Complete one ready human task with the submitted data, then run the engine to the next wait.

        ``validate`` sees the task (its form) and the submission under the instance's lock and returns the
        data to store, or raises; nothing is changed then.
        """
        human_task = self.session.get(HumanTask, human_task_id)
        if human_task is None:
            raise NotFound(f"任务 {human_task_id} 不存在")
        instance = self.get_instance(human_task.instance_id, for_update=True)
        # The instance's ready rows, read afresh under its lock: whether this task is still one of them, and
        # (without it) what the step's sync compares against, in one statement instead of two.
        ready_rows = self._read_ready_rows(instance, afresh=True)
        if ready_rows.pop(human_task.task_guid, None) is not human_task or instance.row.status != "running":
            self.session.refresh(human_task)
            raise TaskNotReady(f"任务“{human_task.name}”已不在待办状态（{human_task.state}）")
        instance.stored_ready_rows = ready_rows
        task = instance.task(human_task.task_guid)
        if task is None or task.state != TaskState.READY:
            raise TaskNotReady(f"任务“{human_task.name}”已不在待办状态")
        if validate is not None:
            data = validate(task_view(task), data or {})
        data = storable(data or {}, element=task.task_spec.bpmn_id)

        def step():
            task.set_data(**copy.deepcopy(data or {}))
            task.run()
            instance.completed_task = task_view(task)

        now = to_db(self.clock.now())
        human_task.state, human_task.completed_at, human_task.completed_by = "completed", now, actor
        self._record(instance, "task_completed", actor=actor, task_name=human_task.name,
                     data={"task_id": human_task.id, "spec": human_task.spec_name, "unit": human_task.assigned_unit,
                           "data": data or {}})
        self._run(instance, step)
        self.session.flush()
        return instance

    def task_view(self, human_task: HumanTask) -> TaskView | None:
        """The live view (form, data, properties) of a stored human task, or None if it is gone."""
        task = self.get_instance(human_task.instance_id).task(human_task.task_guid)
        return task_view(task) if task is not None else None

    def reassign_task(self, human_task_id: int, unit: str, *, actor: str, reason: str = "") -> HumanTask:
        """Hand an open task to another unit (Camunda's setAssignee, for a unit); a claim does not survive it."""
        human_task = self._open_task(human_task_id)
        previous = human_task.assigned_unit
        human_task.assigned_unit, human_task.claimed_by = unit, None
        self.record_event(human_task.instance_id, "task_reassigned", actor=actor, task_name=human_task.name,
                          data={"task_id": human_task.id, "from": previous, "to": unit, "reason": reason})
        return human_task

    def set_task_due(self, human_task_id: int, due_on: date, *, actor: str, reason: str = "") -> HumanTask:
        """Move an open task's deadline (Camunda's setDueDate)."""
        human_task = self._open_task(human_task_id)
        previous = human_task.due_on
        human_task.due_on = due_on
        self.record_event(human_task.instance_id, "task_due_changed", actor=actor, task_name=human_task.name,
                          data={"task_id": human_task.id, "from": previous.isoformat() if previous else None,
                                "to": due_on.isoformat(), "reason": reason})
        return human_task

    def _open_task(self, human_task_id: int) -> HumanTask:
        """The ready task, with its instance locked as complete_task locks it, so the two cannot interleave."""
        human_task = self.session.get(HumanTask, human_task_id)
        if human_task is None:
            raise NotFound(f"任务 {human_task_id} 不存在")
        self._lock_instance(human_task.instance_id)
        self.session.refresh(human_task)
        if human_task.state != "ready":
            raise TaskNotReady(f"任务“{human_task.name}”已不在待办状态（{human_task.state}）")
        return human_task

    def migrate_instance(self, instance_id: int, definition: ProcessDefinition, *, actor: str) -> Instance:
        """Move a running instance to another version of its process; what it waits on must exist there."""
        instance = self.get_instance(instance_id, for_update=True)
        row, previous = instance.row, instance.row.definition
        if row.status not in ("running", "error"):
            raise InstanceNotRunning(f"流程实例 {instance_id} 不在运行中（{row.status}），不能迁移")
        if definition.key != previous.key or definition.id == previous.id:
            raise MigrationRefused(f"流程实例 {instance_id} 已是 {previous.key} 版本 {previous.version}，"
                                   f"不能迁移到 {definition.key} 版本 {definition.version}")
        codec = serializer()
        state = codec.to_dict(instance.workflow)
        spec, subprocess_specs = restored_specs(definition)
        reopened = move_state(state, spec, subprocess_specs)
        try:
            workflow = self._workflow(state, codec.VERSION, definition)
            predict_again(workflow, reopened)
        except (WorkflowException, TypeError, ValueError, KeyError, AttributeError) as error:
            raise MigrationRefused(f"无法迁移到版本 {definition.version}：{error}") from error
        row.definition, row.definition_id = definition, definition.id
        migrated = Instance(row, workflow)
        self._record(migrated, "migrated", actor=actor,
                     data={"from_version": previous.version, "to_version": definition.version})
        self._save(migrated, status=row.status)
        self._rename_open_tasks(migrated)
        self.session.flush()
        return migrated

    def _rename_open_tasks(self, instance: Instance) -> None:
        """Open human tasks keep their rows (same task ids); their names and lanes follow the new version."""
        views = {str(task.id): task_view(task) for task in instance.ready_human_tasks()}
        for row in self.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id,
                                                                 HumanTask.state == "ready")):
            view = views.get(row.task_guid)
            if view is not None:
                row.name, row.lane, row.spec_name = view.name, view.lane, view.spec_name

    def cancel_instance(self, instance_id: int, *, actor: str, reason: str = "") -> Instance:
        """Cancel a running instance, or one in error (its incident is resolved with it)."""
        instance = self.get_instance(instance_id, for_update=True)
        if instance.row.status not in ("running", "error"):
            raise InstanceNotRunning(f"流程实例 {instance_id} 不在运行中（{instance.row.status}）")
        self._resolve_incidents(instance_id, actor)
        instance.workflow.cancel()
        self._record(instance, "cancelled", actor=actor, data={"reason": reason})
        self._save(instance, status="cancelled")
        self.session.flush()
        return instance

    def history(self, instance_id: int) -> list[HistoryEvent]:
        return list(self.session.scalars(
            select(HistoryEvent).where(HistoryEvent.instance_id == instance_id).order_by(HistoryEvent.id)))

    def count_instances(self, key: str | None = None) -> int:
        query = select(func.count(ProcessInstance.id))
        if key:
            query = query.join(ProcessDefinition).where(ProcessDefinition.key == key)
        return self.session.scalar(query)

    # -- one step ------------------------------------------------------------------------------

    def _run(self, instance: Instance, step: Callable[[], None]) -> None:
        """Apply a step and the engine steps after it under one frozen clock, and save under it too (the clock is
        read once, not again by each event and by the save). The caller flushes.

        Whatever fails inside (diagram code, SpiffWorkflow, data JSON cannot hold, a script raising SystemExit)
        raises StepFailed naming the element; the caller rolls back. A database that cannot be reached is not
        the instance's fault: those errors pass unchanged, for the caller to retry."""
        trace = StepTrace()
        bounds_token = engine_bounds.activate(self.bounds)
        try:
            with self.clock.frozen():
                self._step(instance, step, trace)
        except UNAVAILABLE:
            raise
        except (TypeError, ValueError, RecursionError) as error:
            # Raised outside diagram code (those errors arrive wrapped): SpiffWorkflow copying or serializing
            # data it cannot hold. Name the variable when one is found.
            raise (find_unstorable(trace, instance.workflow.data) or describe(error, trace)) from error
        except (Exception, SystemExit, KeyboardInterrupt) as error:
            # SystemExit and KeyboardInterrupt here come from diagram code: the worker turns its own signals
            # into a stop flag (web/cli/worker.py), so they never surface inside a step.
            raise describe(error, trace) from error
        finally:
            engine_bounds.deactivate(bounds_token)

    def _step(self, instance: Instance, step: Callable[[], None], trace: StepTrace) -> None:
        step()
        self._engine_steps(instance, trace)
        thrown = events.outgoing(instance.workflow)
        status = "completed" if instance.workflow.is_completed() else "running"
        if status == "completed":
            self._record(instance, "completed")
        drop_finished_subprocesses(instance.workflow)
        self._save(instance, status=status, trace=trace)
        if thrown:
            # Delivery finds and reads its receivers in the database: what this session holds unflushed (a worker's
            # batch steps without autoflush) goes there first, or a receiver stepped earlier in the batch would be
            # restored as it was before that step, and stepped again from there.
            self.session.flush()
            self.deliver_thrown(instance, thrown)

    def _engine_steps(self, instance: Instance, trace: StepTrace) -> None:
        def timer_fired(task):
            self._record(instance, "timer_fired", task_name=task.task_spec.bpmn_name or task.task_spec.bpmn_id)

        for error in run_engine_steps(instance.workflow, trace, self.bounds, self.clock.now(), timer_fired):
            self._record(instance, "error_thrown", task_name=error.element_name or error.element,
                         data=error.history_data())

    def _save(self, instance: Instance, *, status: str, trace: StepTrace | None = None) -> None:
        codec = serializer()
        state = codec.to_dict(instance.workflow)
        row = instance.row
        row.state = check_storable(instance.workflow, state, trace or StepTrace())
        row.serializer_version = codec.VERSION
        row.status = status
        now = to_db(self.clock.now())
        row.updated_at = now
        row.next_timer_at = instance.next_timer_at() if status == "running" else None
        if status in ("completed", "cancelled"):
            row.ended_at = now
        self._sync_human_tasks(instance, now)
        events.sync_subscriptions(self.session, instance.id, row, instance.workflow, status == "running", now,
                                  instance.known_subscriptions)

    def _stored_ready_tasks(self, instance: Instance) -> dict[str, HumanTask]:
        if instance.stored_ready_rows is not None:  # read under the lock already (complete_task)
            return instance.stored_ready_rows
        if instance.id is None or getattr(instance, "stored_human_tasks", True) is False:
            return {}  # started in a batch and not flushed yet, or none ready when it was read: nothing to look up
        return self._read_ready_rows(instance)

    def _read_ready_rows(self, instance: Instance, *, afresh: bool = False) -> dict[str, HumanTask]:
        """The instance's stored ready human tasks by task guid; ``afresh``: their attributes read over what the
        session held (as a refresh would)."""
        query = (select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.state == "ready")
                 .options(lazyload(HumanTask.instance)))  # the instance is in the session: no join to read it again
        return {t.task_guid: t for t in self.session.scalars(query.execution_options(populate_existing=afresh))}

    def _sync_human_tasks(self, instance: Instance, now: datetime) -> None:
        rows = self._stored_ready_tasks(instance)
        ready = {str(t.id): t for t in instance.ready_human_tasks()} if instance.row.status == "running" else {}
        for guid, row in rows.items():
            if guid not in ready:
                row.state = "cancelled"
        for guid, task in ready.items():
            if guid in rows:
                continue
            view = task_view(task)
            assignment = self.router(instance.row, view)
            self.session.add(HumanTask(
                instance=instance.row, task_guid=guid, spec_name=view.spec_name, name=view.name, lane=view.lane,
                assigned_unit=assignment.unit, due_on=assignment.due_on, priority=assignment.priority, state="ready",
                created_at=now,
            ))

    def record_event(self, instance_id: int, kind: str, *, actor: str | None = None, task_name: str | None = None,
                     data: dict[str, Any] | None = None) -> HistoryEvent:
        """Append one event to an instance's history (the engine's own steps and what the domain adds)."""
        event = HistoryEvent(instance_id=instance_id, at=to_db(self.clock.now()), kind=kind, task_name=task_name,
                             actor=actor, data=data or {})
        return chain.append(self.session, event, instance_id)

    def _record(self, instance: Instance, kind: str, *, actor: str | None = None, task_name: str | None = None,
                data: dict[str, Any] | None = None) -> None:
        # An instance started in a batch has no id until the batch is flushed: its events are tied to its row.
        # Others only by id: setting the relationship costs a cascade through the row at each event and add.
        event = HistoryEvent(instance_id=instance.id, at=to_db(self.clock.now()), kind=kind, task_name=task_name,
                             actor=actor, data=data or {})
        if instance.id is None:
            event.instance = instance.row
        chain.append(self.session, event, instance.row)
