"""A small BPMN engine over SpiffWorkflow with SQLAlchemy persistence. Knows nothing of any customer."""
from .clock import Clock, parse_step
from .engine import BpmnEngine
from .errors import (DataNotStorable, EngineError, InstanceNotRunning, InvalidDiagram, MigrationRefused, NotFound,
                     ScriptError, TaskNotReady)
from .instance import Assignment, Instance, TaskView
from .incidents import StepFailed
from .isolation import Bounds
from .models import Base, ClockSetting, DecisionDefinition, HistoryEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance
from .storage import serializer

__all__ = [
    "Assignment", "Base", "Bounds", "BpmnEngine", "Clock", "ClockSetting", "DataNotStorable", "DecisionDefinition", "EngineError",
    "HistoryEvent", "HumanTask", "Incident", "Instance", "InstanceNotRunning", "InvalidDiagram", "MigrationRefused",
    "NotFound", "ProcessDefinition", "ProcessInstance", "ScriptError", "StepFailed", "TaskNotReady", "TaskView",
    "parse_step", "serializer",
]
