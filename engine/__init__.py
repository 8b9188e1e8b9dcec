"""A small BPMN engine over SpiffWorkflow with SQLAlchemy persistence. Knows nothing of any customer."""
from .clock import Clock, parse_step
from .engine import BpmnEngine
from .errors import (EngineError, InstanceNotRunning, InvalidDiagram, MigrationRefused, NotFound, ScriptError,
                     TaskNotReady)
from .instance import Assignment, Instance, TaskView
from .incidents import StepFailed
from .models import Base, ClockSetting, HistoryEvent, HumanTask, Incident, ProcessDefinition, ProcessInstance
from .storage import serializer

__all__ = [
    "Assignment", "Base", "BpmnEngine", "Clock", "ClockSetting", "EngineError", "HistoryEvent", "HumanTask",
    "Incident", "Instance", "InstanceNotRunning", "InvalidDiagram", "MigrationRefused", "NotFound", "ProcessDefinition",
    "ProcessInstance", "ScriptError", "StepFailed", "TaskNotReady", "TaskView", "parse_step", "serializer",
]
