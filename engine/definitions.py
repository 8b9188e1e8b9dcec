"""The definitions part of the engine: deploying diagrams as versioned process definitions and finding them
(Camunda's repository service). A mixin of :class:`engine.engine.BpmnEngine`, which gives it ``session``,
``clock`` and ``bounds``."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from . import timer_starts
from .clock import to_db
from .errors import NotFound
from .models import ProcessDefinition
from .parser import ParsedProcess, checksum, parse_processes
from .storage import serializer


class Definitions:
    """Deploy, parse and look up process definitions (each deployed process is a new version of its key)."""

    def deploy(self, bpmn_xml: bytes | str, *, deployed_by: str, source: str = "diagram.bpmn") -> list[ProcessDefinition]:
        """Each executable process of the file becomes a new version of the definition with its id; its
        ``deployed_at`` is the wall clock's time (naive UTC), not the process clock's."""
        raw = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
        return self.deploy_many([(source, raw)], deployed_by=deployed_by)

    def deploy_many(self, documents: list[tuple[str, bytes]], *, deployed_by: str) -> list[ProcessDefinition]:
        """Deploy files that may call each other; a process identical to its newest version is kept as it is."""
        deployed, added = [], []
        for process in self.parse(documents):
            latest = self.latest_definition(process.key, required=False)
            if latest is not None and latest.checksum == checksum(process.bpmn_xml):
                deployed.append(latest)
                continue
            added.append(self._add_definition(process, latest, deployed_by))
            deployed.append(added[-1])
        self.session.flush()
        timer_starts.schedule(self.session, added, self.clock.now())
        return deployed

    def parse(self, documents: list[tuple[str, bytes]]) -> list[ParsedProcess]:
        """What deploying the files would store, stored nowhere; call activities may use deployed processes."""
        library = [(f"{d.key} v{d.version}", d.bpmn_xml.encode("utf-8")) for d in self.latest_definitions()]
        return parse_processes(documents, library, bounds=self.bounds)

    def _add_definition(self, process, latest: ProcessDefinition | None, deployed_by: str) -> ProcessDefinition:
        codec = serializer()
        definition = ProcessDefinition(
            key=process.key,
            version=(latest.version + 1) if latest else 1,
            name=process.name,
            bpmn_xml=process.bpmn_xml.decode("utf-8"),
            checksum=checksum(process.bpmn_xml),
            spec_state={
                "spec": codec.to_dict(process.spec),
                "subprocess_specs": {k: codec.to_dict(v) for k, v in process.subprocess_specs.items()},
            },
            # The wall clock, never the (possibly simulated) process clock: a deployment happens now, in real
            # time, and versions must list in the order they were made whatever the simulated date.
            deployed_at=to_db(datetime.now(timezone.utc)),
            deployed_by=deployed_by,
        )
        self.session.add(definition)
        return definition

    def latest_definition(self, key: str, *, required: bool = True) -> ProcessDefinition | None:
        definition = self.session.scalar(
            select(ProcessDefinition).where(ProcessDefinition.key == key).order_by(ProcessDefinition.version.desc()).limit(1)
        )
        if definition is None and required:
            raise NotFound(f"没有已部署的流程：{key}")
        return definition

    def latest_definitions(self) -> list[ProcessDefinition]:
        newest = select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version")).group_by(
            ProcessDefinition.key).subquery()
        return list(self.session.scalars(select(ProcessDefinition).join(
            newest, (ProcessDefinition.key == newest.c.key) & (ProcessDefinition.version == newest.c.version))))

    def definitions(self) -> list[ProcessDefinition]:
        return list(self.session.scalars(select(ProcessDefinition).order_by(ProcessDefinition.key, ProcessDefinition.version)))
