"""The yardstick: the same diagrams and the same step on a bare in-memory SpiffWorkflow workflow.

The diagrams are parsed by SpiffWorkflow's CamundaParser (through engine.parser.parse_processes, which adds
only deploy-time checks), run by SpiffWorkflow's own PythonScriptEngine with the same functions the diagrams
call, and written by SpiffWorkflow's default Camunda serializer (specs included, as a bare user would have it).
"""
from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from uuid import UUID

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG

from engine.parser import parse_processes
from engine.sandbox import clock_functions


class BareSpiff:
    def __init__(self, bpmn_dir: Path, functions: dict, local_tz):
        documents = [(path.name, path.read_bytes()) for path in sorted(bpmn_dir.glob("*.bpmn"))]
        self.codec = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(CAMUNDA_CONFIG))
        self.specs = {process.key: (self.codec.to_dict(process.spec),
                                    {name: self.codec.to_dict(spec) for name, spec in process.subprocess_specs.items()})
                      for process in parse_processes(documents)}
        self.script_engine = PythonScriptEngine(environment=TaskDataEnvironment(clock_functions(local_tz) | functions))

    def workflow(self, key: str, state: dict, serializer_version: str) -> BpmnWorkflow:
        """A live workflow from an instance's stored state and this parse of its diagram (not timed)."""
        spec, subprocess_specs = self.specs[key]
        whole = copy.deepcopy(state) | {"spec": copy.deepcopy(spec), "subprocess_specs": copy.deepcopy(subprocess_specs),
                                        BpmnWorkflowSerializer.VERSION_KEY: serializer_version}
        self.codec.migrate(whole)
        workflow = self.codec.from_dict(whole)
        workflow.script_engine = self.script_engine
        return workflow

    def step(self, workflow: BpmnWorkflow, task_guid: str, data: dict) -> float:
        """Seconds to complete the task, run to the next wait, and write and read the workflow as JSON."""
        started = time.perf_counter()
        task = workflow.get_task_from_id(UUID(task_guid))
        task.set_data(**copy.deepcopy(data))
        task.run()
        workflow.do_engine_steps()
        restored = self.codec.from_dict(json.loads(json.dumps(self.codec.to_dict(workflow))))
        seconds = time.perf_counter() - started
        assert restored.spec.name == workflow.spec.name
        return seconds
