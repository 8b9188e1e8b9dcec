"""Figures 1 and 2: one district's year played through the HTTP API, each step beside the bare yardstick.

tests/year_support.YearPlayer answers the tasks (quarterly reports, some late, some returned, completions,
year-end evaluations); this driver sends each answer as `POST /api/tasks/<id>/complete` with the unit's token.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from engine import ProcessDefinition, ProcessInstance
from tests.process_support import Driver

from .bare import BareSpiff
from .report import Figure, median_p95, ms
from .server import ApiClient

REVIEW = "审核季度报告"  # the office's review: every project has one in Q2 and again in its last quarter


class BenchError(Exception):
    pass


@dataclass
class Step:
    instance_id: int
    task_name: str
    day: date
    seconds: float
    bare_seconds: float
    state_bytes: int


class HttpDriver(Driver):
    def __init__(self, session, client: ApiClient, bare: BareSpiff):
        super().__init__(session)
        self.client, self.bare = client, bare
        self.steps: list[Step] = []

    def complete(self, task, data: dict, *, as_unit: str | None = None):
        state, version, key = self.session.execute(
            select(ProcessInstance.state, ProcessInstance.serializer_version, ProcessDefinition.key)
            .join(ProcessDefinition).where(ProcessInstance.id == task.instance_id)).one()
        guid, name, day = task.task_guid, task.name, self.today
        status, answer, seconds = self.client.post(f"/api/tasks/{task.id}/complete", as_unit or task.assigned_unit, data)
        if status != 200:
            raise BenchError(f"completing {name} ({task.id}) gave {status}: {answer}")
        self.session.commit()  # the server committed in its own session: read afresh
        self.steps.append(Step(task.instance_id, name, day, seconds, self._bare_step(key, state, version, guid, data),
                               len(json.dumps(state))))
        return answer

    def _bare_step(self, key: str, state: dict, version: str, guid: str, data: dict) -> float:
        workflow = self.bare.workflow(key, state, version)
        with self.engine.clock.frozen():  # SpiffWorkflow's timers read the same simulated day as ours did
            return self.bare.step(workflow, guid, data)


def overhead_figures(steps: list[Step]) -> list[Figure]:
    ours, ours_p95 = median_p95([s.seconds for s in steps])
    bare, bare_p95 = median_p95([s.bare_seconds for s in steps])
    ratio = ours / bare if bare else 0.0
    return [
        Figure(f"1. task completion via HTTP API ({len(steps)} steps), median / p95", f"{ms(ours)} / {ms(ours_p95)}",
               number=ours),
        Figure("1. same step, bare SpiffWorkflow + serializer JSON round trip, median / p95",
               f"{ms(bare)} / {ms(bare_p95)}", number=bare),
        Figure("1. overhead: ours / bare (medians)", f"{ratio:.1f}×", "≤ 2× (issue 20; ≤ 3× issue 14)", ratio <= 2,
               number=ratio),
    ]


def growth_figures(steps: list[Step]) -> list[Figure]:
    """The same step (the office's review) at the first and at the last quarter of each project's year."""
    reviews: dict[int, list[Step]] = {}
    for step in steps:
        if step.task_name == REVIEW:
            reviews.setdefault(step.instance_id, []).append(step)
    pairs = [(found[0], found[-1]) for found in reviews.values() if len(found) > 1]
    first, _ = median_p95([p[0].seconds for p in pairs])
    last, _ = median_p95([p[1].seconds for p in pairs])
    first_size, _ = median_p95([p[0].state_bytes for p in pairs])
    last_size, _ = median_p95([p[1].state_bytes for p in pairs])
    bare_first, _ = median_p95([p[0].bare_seconds for p in pairs])
    bare_last, _ = median_p95([p[1].bare_seconds for p in pairs])
    ratio = last / first if first else 0.0
    return [
        Figure(f"2. step at the start of the year ({REVIEW}, first quarter, {len(pairs)} projects), median",
               f"{ms(first)} (state {first_size / 1024:.0f} KiB; bare {ms(bare_first)})", number=first),
        Figure("2. same step at the end of the year (last quarter), median",
               f"{ms(last)} (state {last_size / 1024:.0f} KiB; bare {ms(bare_last)})", number=last),
        Figure("2. growth: last / first", f"{ratio:.2f} (bare: {bare_last / bare_first if bare_first else 0:.2f})",
               "≤ 1.2", ratio <= 1.2, number=ratio),
    ]
