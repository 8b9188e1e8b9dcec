"""The business rule task: ``camunda:decisionRef`` names a deployed decision, evaluated when the task runs.

SpiffWorkflow's Camunda parser copies the decision table into the process spec when the diagram is parsed (the
DMN file must be parsed with it). Camunda binds to the newest deployed version when the task runs instead
(``camunda:decisionRefBinding="latest"``, its default), so a table the office publishes applies to instances
already running. ``DecisionTask`` keeps only the reference; the script engine's ``decide`` (set by
:class:`engine.dmn_definitions.Decisions`) finds the newest version and engine/dmn.py evaluates it in the sandbox.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins import BpmnSpecMixin
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser
from SpiffWorkflow.util.deep_merge import DeepMerge

from .errors import ScriptError, element_label

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries")


class DecisionTask(BpmnSpecMixin):
    """A business rule task: its decision's outputs go into the task data (each output by its name), or, with
    ``result_variable``, the decision result shaped by ``map_decision_result`` into that one variable."""

    def __init__(self, wf_spec, name, decision_ref: str, result_variable: str | None = None,
                 map_decision_result: str | None = None, **kwargs):
        super().__init__(wf_spec, name, **kwargs)
        self.decision_ref = decision_ref
        self.result_variable = result_variable
        self.map_decision_result = map_decision_result

    def _run_hook(self, my_task):
        evaluate = getattr(my_task.workflow.script_engine, "decide", None)
        if evaluate is None:
            raise ScriptError(f"{self._label()}：本引擎没有决策表", element=self.bpmn_id)
        try:
            changes = evaluate(self.decision_ref, my_task, self.result_variable, self.map_decision_result)
            my_task.data = DeepMerge.merge(my_task.data, changes)
        except ScriptError as error:
            raise ScriptError(f"{self._label()}：{error.message}", element=self.bpmn_id) from error
        return super()._run_hook(my_task)

    def _label(self) -> str:
        return element_label(self.bpmn_id, self.bpmn_name)


class DecisionTaskParser(CamundaTaskParser):
    """Reads ``camunda:decisionRef``, ``camunda:resultVariable`` and ``camunda:mapDecisionResult``; the decision
    itself is found when the task runs."""

    def create_task(self):
        attribute = lambda name: self.node.get(f"{{{CAMUNDA_NS}}}{name}")  # noqa: E731
        return DecisionTask(self.spec, self.bpmn_id, decision_ref=attribute("decisionRef"),
                            result_variable=attribute("resultVariable"),
                            map_decision_result=attribute("mapDecisionResult"), **self.bpmn_attributes)

    @staticmethod
    def get_decision_ref(node):
        """SpiffWorkflow's parser lists each process's decisions by this (BpmnDmnParser._find_dependencies)."""
        return node.get(f"{{{CAMUNDA_NS}}}decisionRef")


class DecisionTaskConverter(BpmnTaskSpecConverter):
    """Stores the reference and the result mapping (never a table: the table is looked up when the task runs)."""

    def to_dict(self, spec):
        return self.get_default_attributes(spec) | {
            "decision_ref": spec.decision_ref, "result_variable": spec.result_variable,
            "map_decision_result": spec.map_decision_result}

    def from_dict(self, dct):
        return self.task_spec_from_dict(dct)


def decision_refs(tree) -> list[tuple[str | None, str | None, str | None]]:
    """(element id, decisionRef, mapDecisionResult) of each business rule task of a BPMN tree."""
    return [(task.get("id"), task.get(f"{{{CAMUNDA_NS}}}decisionRef"), task.get(f"{{{CAMUNDA_NS}}}mapDecisionResult"))
            for task in tree.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}businessRuleTask")]
