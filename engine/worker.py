"""The timer worker: fire every due timer by the engine's clock, one instance per transaction."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .engine import BpmnEngine
from .errors import EngineError
from .models import ProcessInstance

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    fired: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def sweep(new_session: Callable[[], Session], new_engine: Callable[[Session], BpmnEngine],
          limit: int | None = None) -> SweepResult:
    """Lock one due instance (others skip it), fire its timers, commit; repeat until none is due."""
    result = SweepResult()
    while limit is None or result.fired + len(result.failed) < limit:
        with new_session() as session:
            engine = new_engine(session)
            instance_id = engine.due_timer_instance_id()
            if instance_id is None:
                session.rollback()
                return result
            try:
                engine.fire_timers(instance_id)
                session.commit()
                result.fired += 1
            except EngineError as error:
                session.rollback()
                _mark_failed(session, engine, instance_id, error.message)
                result.failed.append((instance_id, error.message))
    return result


def _mark_failed(session: Session, engine: BpmnEngine, instance_id: int, message: str) -> None:
    """An instance whose diagram code fails is put in error, with the message, so the sweep moves on."""
    row = session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                         .with_for_update(of=ProcessInstance))
    row.status, row.error_message, row.next_timer_at = "error", message, None
    engine.record_event(instance_id, "error", data={"message": message})
    session.commit()
    log.error("instance %s failed: %s", instance_id, message)


def run_forever(new_session, new_engine, interval_seconds: float, should_stop: Callable[[], bool] = lambda: False):
    while not should_stop():
        result = sweep(new_session, new_engine)
        if result.fired or result.failed:
            log.info("timers fired for %s instances, %s failed", result.fired, len(result.failed))
        time.sleep(interval_seconds)
