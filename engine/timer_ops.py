"""Firing timers (a mixin of :class:`engine.engine.BpmnEngine`, which gives it ``session``, ``clock``,
``get_instance``, ``_run`` and ``_on_sqlite``): which instances are due, claimed and locked in batches, and the
step that wakes one. The worker (engine/worker.py) drives them."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ARRAY, Integer, Text, all_, any_, bindparam, cast, event, false, select, update
from sqlalchemy.orm import Session

from . import chain, events
from .clock import to_db
from .errors import NotFound
from .incidents import UNAVAILABLE, StepTrace, describe
from .instance import Instance
from .models import ProcessInstance

_LOCKED = "engine_locked_rows"  # session.info: instance id → (row, state text, subscriptions), read under the lock


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_locked(session: Session, *_transaction) -> None:
    session.info.pop(_LOCKED, None)


class Timers:
    """Due instances, claimed in batches, and the step that fires their timers."""

    def due_timer_instance_id(self, skip: Iterable[int] = ()) -> int | None:
        """One running instance whose timer is due, locked for this transaction (see due_timer_instance_ids)."""
        return next(iter(self.due_timer_instance_ids(1, skip)), None)

    def due_timer_instance_ids(self, limit: int, skip: Iterable[int] = (), *, only: int | None = None,
                               wait: bool = False) -> list[int]:
        """Up to ``limit`` running instances whose timers are due (or just ``only``, if it is), earliest first,
        locked for this transaction: other workers skip them (PostgreSQL's SKIP LOCKED; with ``wait`` this call
        waits for them instead), and so does this call for the ids in ``skip`` (a sweep's served ones). On
        SQLite the database's write lock is taken first, so a second worker waits, then sees what was fired."""
        if self._on_sqlite():
            table = ProcessInstance.__table__
            self.session.execute(update(table).where(false()).values(id=table.c.id))
        query = (select(ProcessInstance.id)
                 .where(ProcessInstance.status == "running", ProcessInstance.next_timer_at < to_db(self.clock.now()))
                 .order_by(ProcessInstance.next_timer_at).limit(limit).with_for_update(skip_locked=not wait))
        if skip := list(skip):
            query = query.where(self._ids_in(skip, among=False))
        if only is not None:
            query = query.where(ProcessInstance.id == only)
        return list(self.session.scalars(query))

    def _ids_in(self, instance_ids: list[int], *, among: bool = True):
        """``process_instance.id IN instance_ids`` (``NOT IN`` unless ``among``). On PostgreSQL one array parameter
        (``= ANY``, ``<> ALL``): the statement's text does not grow with the list, so psycopg, which parses a
        statement for its placeholders and caches that only up to 50 of them, parses the same short text each time
        (a sweep's skipped ids grow to thousands)."""
        if self._on_sqlite():
            return ProcessInstance.id.in_(instance_ids) if among else ProcessInstance.id.not_in(instance_ids)
        ids = bindparam(None, list(instance_ids), type_=ARRAY(Integer))
        return ProcessInstance.id == any_(ids) if among else ProcessInstance.id != all_(ids)

    def read_locked(self, instance_ids: list[int]) -> None:
        """Read the rows of instances this transaction has locked (:meth:`due_timer_instance_ids`), their states'
        JSON text, their history chains' heads and how many event subscriptions each has, in one statement, so
        that :meth:`get_instance` finds them without a query each."""
        query = (select(ProcessInstance, cast(ProcessInstance.state, Text), chain.last_hash(ProcessInstance.id),
                        events.stored_count(ProcessInstance.id))
                 .where(self._ids_in(instance_ids)).execution_options(populate_existing=True))
        if not self._on_sqlite():  # held already; SQLite's write lock is the database's
            query = query.with_for_update(of=ProcessInstance)
        locked = self.session.info.setdefault(_LOCKED, {})
        for row, text, last, subscriptions in self.session.execute(query):
            chain.seed(self.session, row.id, last)
            locked[row.id] = (row, text, subscriptions)

    def locked_row(self, instance_id: int) -> tuple[ProcessInstance, str, int] | None:
        """The row, state text and number of stored event subscriptions :meth:`read_locked` read (once: a second
        read goes to the database), or None."""
        return self.session.info.get(_LOCKED, {}).pop(instance_id, None)

    def fire_timers(self, instance_id: int, *, flush: bool = True) -> Instance:
        """Wake the instance's due timers by the clock and run on; the caller holds no other lock. Without
        ``flush`` the writes wait for the caller's flush (a worker's batch is written at once).

        Raises StepFailed (the caller rolls back and records it with :meth:`record_incident`)."""
        try:
            instance = self.get_instance(instance_id, for_update=True)
        except UNAVAILABLE + (NotFound,):
            raise
        except Exception as error:  # a stored state this version cannot restore is that instance's incident
            raise describe(error, StepTrace()) from error
        if instance.row.status == "running":
            # Its stored ready human tasks are those of the state just read: none there, none to look up.
            instance.stored_human_tasks = instance.may_have_ready_human_tasks()
            self._run(instance, lambda: None)
            if flush:
                self.session.flush()
        return instance
