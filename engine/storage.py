"""How instances and definitions are stored: the serializer (an instance's state without its specs) and the
specs of each deployed definition, restored once per process."""
from __future__ import annotations

import copy
import json
from functools import lru_cache

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG

from .dmn_task import DecisionTask, DecisionTaskConverter
from .event_subprocesses import mark_interrupting
from .models import ProcessDefinition
from .parser import PassThroughServiceTask


class StoredState(dict):
    """An instance's state (the serializer's dict) with the JSON text it was checked as (``text``): the database
    is sent that text (:func:`json_text`) instead of a second serialization of the same dict. Not to be changed
    in place: the text would no longer be its own."""

    def __init__(self, state: dict, text: str):
        super().__init__(state)
        self.text = text


def json_text(value) -> str:
    """The JSON serializer the database engines use (engine.database): a StoredState's own text, else json.dumps."""
    return value.text if isinstance(value, StoredState) else json.dumps(value)


class _StateOnlyConverter(BpmnWorkflowConverter):
    """Writes an instance without its specs: they are stored once, with the process definition."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


@lru_cache(maxsize=1)
def serializer() -> BpmnWorkflowSerializer:
    """The codec of specs and instance states: SpiffWorkflow's Camunda configuration (a superset of the plain BPMN
    one, whose four other classes share the Camunda ones' type names, so they cannot be registered beside them:
    engine/parser.py makes receive and send tasks with Camunda's message definitions instead), our state-only
    instance converter, the pass-through service task and the business rule task (engine/dmn_task.py)."""
    config = CAMUNDA_CONFIG | {BpmnWorkflow: _StateOnlyConverter, PassThroughServiceTask: BpmnTaskSpecConverter,
                            DecisionTask: DecisionTaskConverter}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SPECS: dict[tuple[int, str], tuple] = {}


def restored_specs(definition: ProcessDefinition) -> tuple:
    """A definition's specs, restored once per process and shared by its instances (they are read-only)."""
    key = (definition.id, definition.checksum)
    if key not in _SPECS:
        codec = serializer()
        state = copy.deepcopy(definition.spec_state)
        _SPECS[key] = (codec.from_dict(state["spec"]),
                       {name: codec.from_dict(spec) for name, spec in state["subprocess_specs"].items()})
        mark_interrupting(*_SPECS[key], definition.bpmn_xml)
    return _SPECS[key]
