"""Incidents on instances (Camunda's word): recording one when a step failed, finding the open one, retrying the
failed step, resolving them. A mixin of :class:`engine.engine.BpmnEngine`, which gives it ``session``, ``clock``,
``get_instance``, ``_record``, ``record_event`` and ``_run``; what a failure is, is engine/incidents.py's."""
from __future__ import annotations

from sqlalchemy import select

from .clock import to_db
from .errors import InstanceNotRunning
from .incidents import StepFailed
from .instance import Instance
from .models import Incident, ProcessInstance


def _clip(text: str | None, length: int) -> str | None:
    return text if text is None or len(text) <= length else text[:length - 1] + "…"


class Incidents:
    """Record, find, retry and resolve an instance's incidents."""

    def record_incident(self, instance_id: int, failure: StepFailed) -> Incident:
        """Put the instance in ``error`` with an incident (after the failed step was rolled back): it is no
        longer due, so a restarted worker does not stumble on it again. It waits for retry_instance or cancel."""
        row = self.session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                                  .with_for_update(of=ProcessInstance))
        now = to_db(self.clock.now())
        row.status, row.error_message, row.next_timer_at, row.updated_at = "error", failure.message, None, now
        # Clipped to the columns: an over-long id must not make the incident itself fail (and the sweep retry it).
        incident = Incident(instance_id=instance_id, element=_clip(failure.element, 200),
                            element_name=_clip(failure.element_name, 300), variable=_clip(failure.variable, 200),
                            message=failure.message, created_at=now)
        self.session.add(incident)
        self.record_event(instance_id, "incident", task_name=failure.element_name or failure.element,
                          data={"element": failure.element, "variable": failure.variable, "message": failure.message})
        return incident

    def open_incident(self, instance_id: int) -> Incident | None:
        """The instance's unresolved incident, the newest if several."""
        return self.session.scalar(select(Incident).where(Incident.instance_id == instance_id,
                                                          Incident.resolved_at.is_(None))
                                   .order_by(Incident.id.desc()).limit(1))

    def retry_instance(self, instance_id: int, *, actor: str) -> Instance:
        """Run again the step that failed (Camunda's "retry" of an incident), after the cause was fixed, e.g. by
        migrating the instance to a corrected version. Raises StepFailed if it fails again (the caller rolls
        back: the instance stays in error with its incident), InstanceNotRunning if it is not in error."""
        instance = self.get_instance(instance_id, for_update=True)
        if instance.row.status != "error":
            raise InstanceNotRunning(f"流程实例 {instance_id} 没有待处理的故障（{instance.row.status}），无需重试")
        self._resolve_incidents(instance_id, actor)
        self._record(instance, "retried", actor=actor)
        instance.row.status, instance.row.error_message = "running", None
        self._run(instance, lambda: None)
        self.session.flush()
        return instance

    def _resolve_incidents(self, instance_id: int, actor: str | None) -> None:
        now = to_db(self.clock.now())
        for incident in self.session.scalars(select(Incident).where(Incident.instance_id == instance_id,
                                                                    Incident.resolved_at.is_(None))):
            incident.resolved_at, incident.resolved_by = now, actor
