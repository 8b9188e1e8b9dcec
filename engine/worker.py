"""The timer worker: fire every due timer by the engine's clock, a batch of instances per transaction.

It must outlive every fault. A step that fails becomes that instance's incident (committed in its own
transaction) and the sweep moves on; a database that is locked, read-only or gone makes the whole sweep wait and
try again, longer each time (exponential, capped). Nothing an instance does makes the worker exit: under honcho
an exiting worker would take the web server down with it.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from .engine import BpmnEngine
from .errors import NotFound
from .incidents import UNAVAILABLE, StepTrace, describe

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 300.0


@dataclass
class SweepResult:
    """What one sweep did: how many instances' timers fired, and (instance id, message) for each that failed."""

    fired: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


BATCH = 100  # instances claimed and fired per transaction


def sweep(new_session: Callable[[], Session], new_engine: Callable[[Session], BpmnEngine],
          limit: int | None = None, batch: int = BATCH) -> SweepResult:
    """Claim a batch of due instances (others skip them), fire their timers, commit; repeat until none is due.

    One engine and one transaction serve a batch, so the per-timer cost is the step and its writes, not a
    session, an engine and a commit. Each instance is served at most once per sweep. A failed step rolls the
    batch back; the failed instance gets its incident (committed on its own) and the others are claimed again.
    A database error (``UNAVAILABLE``) is raised for :func:`run_forever` to back off."""
    result, served = SweepResult(), set()
    while limit is None or result.fired + len(result.failed) < limit:
        size = batch if limit is None else min(batch, limit - result.fired - len(result.failed))
        with new_session() as session:
            engine = new_engine(session)
            claimed = engine.due_timer_instance_ids(size, skip=served)
            if not claimed:
                session.rollback()
                return result
            fired, failure, waiting = _fire_batch(engine, claimed)
            if failure is None:
                session.commit()
                served.update(waiting)
                result.fired += fired
                continue
            session.rollback()
            instance_id, error = failure
            if instance_id is None:  # the batch's writes were refused, by whose fault is not known: one by one
                batch = 1
                continue
            served.add(instance_id)
            _record_failure(engine, instance_id, error, result)
    return result


def _fire_batch(engine: BpmnEngine, claimed: list[int]) -> tuple[int, tuple[int | None, BaseException] | None,
                                                                 list[int]]:
    """Fire each claimed instance in the engine's transaction and write them all in one flush: how many were
    fired, the first (instance id, error) that failed, after which the rest are left for the caller's rollback
    (the id is None when the flush failed: a batch of one names it), and the fired ones that still wait for a
    timer. Only those could be claimed again in this sweep (the others have no due instant), so only those need
    skipping: a sweep's skip list no longer grows with every instance it fired, which PostgreSQL compared each due
    row against, one by one, once the claim's statement was prepared."""
    fired, session, waiting = 0, engine.session, []
    engine.read_locked(claimed)
    with session.no_autoflush:  # the rows go in one flush, after the last step of the batch
        for instance_id in claimed:
            try:
                instance = engine.fire_timers(instance_id, flush=False)
                fired += 1
            except UNAVAILABLE:
                raise
            except NotFound:  # gone since it was claimed (deleted with its process definition)
                continue
            except Exception as error:  # noqa: BLE001 — any fault of one instance is its incident, not the worker's
                return fired, (instance_id, error), waiting
            if instance.row.next_timer_at is not None or instance.row.status == "running":
                waiting.append(instance_id)
    try:
        session.flush()
    except UNAVAILABLE:
        raise
    except Exception as error:  # noqa: BLE001 — see above
        return fired, (claimed[0] if len(claimed) == 1 else None, error), waiting
    return fired, None, waiting


def _record_failure(engine: BpmnEngine, instance_id: int, error: BaseException, result: SweepResult) -> None:
    """The failed instance's incident, unless another worker served it after the rollback released it (it
    failed there too and has its incident, or fired: then it is no longer due)."""
    failure = describe(error, StepTrace())
    if engine.due_timer_instance_ids(1, only=instance_id, wait=True) != [instance_id]:
        engine.session.rollback()
        return
    engine.record_incident(instance_id, failure)
    engine.session.commit()
    log.error("instance %s failed: %s", instance_id, failure.message)
    result.failed.append((instance_id, failure.message))


def backoff_seconds(failures: int, interval_seconds: float, cap: float = MAX_BACKOFF_SECONDS) -> float:
    """The wait after ``failures`` sweeps in a row failed: the interval doubled each time, at most ``cap``."""
    return min(cap, max(interval_seconds, 1.0) * 2 ** min(failures, 30))


def run_forever(new_session, new_engine, interval_seconds: float, should_stop: Callable[[], bool] = lambda: False,
                wait: Callable[[float], None] | None = None, after_sweep: Callable[[], None] = lambda: None) -> None:
    """Sweep every ``interval_seconds`` until ``should_stop()``; a sweep that raises is logged and retried after
    an exponential back-off. Only ``should_stop`` ends the loop. ``wait(seconds)`` pauses between sweeps (by
    default in slices of a second, so a stop request is honoured quickly). ``after_sweep()`` runs after each
    sweep (the caller's other periodic work, e.g. sending queued notifications); what it raises counts as a
    failed sweep."""
    wait = wait or (lambda seconds: _sleep_unless_stopped(seconds, should_stop))
    failures = 0
    while not should_stop():
        try:
            result = sweep(new_session, new_engine)
            after_sweep()
        except Exception:  # noqa: BLE001 — the worker must not exit; the log says what went wrong
            failures += 1
            delay = backoff_seconds(failures, interval_seconds)
            log.exception("timer sweep failed (%s in a row); retrying in %.0f s", failures, delay)
            wait(delay)
            continue
        failures = 0
        if result.fired or result.failed:
            log.info("timers fired for %s instances, %s failed", result.fired, len(result.failed))
        wait(interval_seconds)


def _sleep_unless_stopped(seconds: float, should_stop: Callable[[], bool]) -> None:
    end = time.monotonic() + seconds
    while not should_stop() and (remaining := end - time.monotonic()) > 0:
        time.sleep(min(remaining, 1.0))
