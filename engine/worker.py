"""The timer worker: fire every due timer by the engine's clock, one instance per transaction.

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


def sweep(new_session: Callable[[], Session], new_engine: Callable[[Session], BpmnEngine],
          limit: int | None = None) -> SweepResult:
    """Lock one due instance (others skip it), fire its timers, commit; repeat until none is due.

    Each instance is served at most once per sweep. A failed step is rolled back and recorded as an incident;
    a database error (``UNAVAILABLE``) is raised for :func:`run_forever` to back off."""
    result, served = SweepResult(), []
    while limit is None or result.fired + len(result.failed) < limit:
        with new_session() as session:
            engine = new_engine(session)
            instance_id = engine.due_timer_instance_id(skip=served)
            if instance_id is None:
                session.rollback()
                return result
            served.append(instance_id)
            try:
                engine.fire_timers(instance_id)
                session.commit()
                result.fired += 1
            except UNAVAILABLE:
                raise
            except NotFound:
                session.rollback()
            except Exception as error:  # noqa: BLE001 — any fault of one instance is its incident, not the worker's
                session.rollback()
                failure = describe(error, StepTrace())
                engine.record_incident(instance_id, failure)
                session.commit()
                log.error("instance %s failed: %s", instance_id, failure.message)
                result.failed.append((instance_id, failure.message))
    return result


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
