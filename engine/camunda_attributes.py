"""The Camunda attributes SpiffWorkflow's parser drops, read from a definition's XML: who may start a process
and with which form, and whom a user task is for, by when and how urgent.

Pure functions over the BPMN text (``bytes``/``str``); results are cached per definition checksum, since a
deployed version never changes. Nothing here knows units or users: values are passed on as the diagram writes
them (``"zuzhibu, office"``, ``"${initiator}"``, ``"P3D"``) for the domain to resolve.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.specs.user_task import EnumFormField, FormField

from .models import ProcessDefinition
from .parser import BPMN_NS, CAMUNDA_NS, safe_tree

_BPMN = f"{{{BPMN_NS}}}"
_CAMUNDA = f"{{{CAMUNDA_NS}}}"


@dataclass(frozen=True)
class StartAttributes:
    """A process's start: ``starter_groups``/``starter_users`` as listed (empty: not said), the start event's
    form fields (SpiffWorkflow FormField objects, as user tasks carry them) and the ``camunda:initiator`` name."""

    starter_groups: tuple[str, ...] = ()
    starter_users: tuple[str, ...] = ()
    form_fields: tuple = ()
    initiator: str | None = None
    documentation: str = ""


@dataclass(frozen=True)
class TaskAttributes:
    """One user task's ``camunda:assignee``, ``candidateUsers``, ``candidateGroups``, ``dueDate``, ``priority``
    and ``formKey``, as written (None or empty when absent)."""

    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_date: str | None = None
    priority: str | None = None
    form_key: str | None = None


@dataclass(frozen=True)
class DiagramAttributes:
    """What a document says beyond the parser: per process id its start, per user task id its attributes."""

    starts: dict[str, StartAttributes] = field(default_factory=dict)
    tasks: dict[str, TaskAttributes] = field(default_factory=dict)


def split_list(value: str | None) -> tuple[str, ...]:
    """Camunda's comma-separated lists (``"a, b"``) → ``("a", "b")``; an expression stays whole."""
    if not value:
        return ()
    if value.strip().startswith("${"):
        return (value.strip(),)
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _form_field(element) -> FormField:
    form_field = EnumFormField() if element.get("type") == "enum" else FormField()
    form_field.id, form_field.type = element.get("id"), element.get("type")
    form_field.label, form_field.default_value = element.get("label"), element.get("defaultValue")
    for child in element:
        if child.tag == f"{_CAMUNDA}value" and isinstance(form_field, EnumFormField):
            form_field.add_option(child.get("id"), child.get("name"))
        elif child.tag == f"{_CAMUNDA}properties":
            for prop in child:
                form_field.add_property(prop.get("id"), prop.get("value"))
        elif child.tag == f"{_CAMUNDA}validation":
            for constraint in child:
                form_field.add_validation(constraint.get("name"), constraint.get("config"))
    return form_field


def _start(process) -> StartAttributes:
    start = next((event for event in process.iterchildren(f"{_BPMN}startEvent")
                  if not len(event.xpath("./*[contains(local-name(), 'EventDefinition')]"))), None)
    fields = tuple(_form_field(f) for f in start.iter(f"{_CAMUNDA}formField")) if start is not None else ()
    documentation = process.find(f"{_BPMN}documentation")
    return StartAttributes(
        starter_groups=split_list(process.get(f"{_CAMUNDA}candidateStarterGroups")),
        starter_users=split_list(process.get(f"{_CAMUNDA}candidateStarterUsers")),
        form_fields=fields,
        initiator=start.get(f"{_CAMUNDA}initiator") if start is not None else None,
        documentation=(documentation.text or "").strip() if documentation is not None else "",
    )


def _task(element) -> TaskAttributes:
    def attribute(name):
        return element.get(f"{_CAMUNDA}{name}")
    return TaskAttributes(assignee=attribute("assignee"), candidate_users=split_list(attribute("candidateUsers")),
                          candidate_groups=split_list(attribute("candidateGroups")), due_date=attribute("dueDate"),
                          priority=attribute("priority"), form_key=attribute("formKey"))


def read_attributes(bpmn_xml: bytes | str) -> DiagramAttributes:
    """Every process's start and every user task's attributes in one document. Raises InvalidDiagram (bad XML)."""
    raw = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
    tree = safe_tree(raw, "流程图")
    return DiagramAttributes(
        starts={process.get("id"): _start(process) for process in tree.iter(f"{_BPMN}process")},
        tasks={task.get("id"): _task(task) for task in tree.iter(f"{_BPMN}userTask")},
    )


_by_checksum: dict[str, DiagramAttributes] = {}
_MAX_CACHED = 256


def definition_attributes(definition: ProcessDefinition) -> DiagramAttributes:
    """The attributes of a deployed version, read once per version (by its checksum). The diagram's XML (a
    deferred column) is loaded only then: a step that routes its new tasks costs no query for it."""
    found = _by_checksum.get(definition.checksum)
    if found is None:
        if len(_by_checksum) >= _MAX_CACHED:
            _by_checksum.clear()
        found = _by_checksum[definition.checksum] = read_attributes(definition.bpmn_xml)
    return found


def start_of(definition: ProcessDefinition) -> StartAttributes:
    return definition_attributes(definition).starts.get(definition.key, StartAttributes())


def lane_names(bpmn_xml: bytes | str) -> list[str]:
    """The named lanes of a document, in order, each once."""
    raw = bpmn_xml.encode("utf-8") if isinstance(bpmn_xml, str) else bpmn_xml
    tree = safe_tree(raw, "流程图")
    return list(dict.fromkeys(lane.get("name").strip() for lane in tree.iter(f"{_BPMN}lane")
                              if (lane.get("name") or "").strip()))


def role_names(bpmn_xml: bytes | str) -> list[str]:
    """The names a document routes tasks by: its lanes and the candidate groups that are not expressions."""
    groups = [group for task in read_attributes(bpmn_xml).tasks.values() for group in task.candidate_groups
              if not group.startswith("${")]
    return list(dict.fromkeys([*lane_names(bpmn_xml), *groups]))


def due_on(value: str, today: date) -> date | None:
    """A ``camunda:dueDate`` that is already a value: an ISO date or date-time (its day), or an ISO 8601
    duration counted from ``today`` (``P3D``, ``P2W``, ``P1M``; hours count as part of a day). None otherwise."""
    text = value.strip()
    if text[:1].upper() == "P":
        try:
            parsed = TimerEventDefinition.parse_iso_duration(text)
        except Exception:  # SpiffWorkflow raises a bare Exception for a malformed duration
            return None
        start = datetime.combine(today, time(), timezone.utc)
        return (start + TimerEventDefinition.get_timedelta_from_start(parsed, start)).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
