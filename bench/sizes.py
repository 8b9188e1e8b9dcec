"""How big a run is: the city (`full`) or a few rows that prove every figure is still produced (`smoke`)."""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Scale:
    name: str
    districts: int             # copies of the plan's projects, one per district
    projects: int | None       # projects of the plan each district plays (None: all 55)
    human_tasks: int           # rows in human_task after the bulk insert
    open_tasks: int            # ready tasks in the inbox unit's inbox
    consultations: int
    timers: int                # due timers the two workers fire
    inbox_queries: int         # inbox queries timed


SCALES = {
    "full": Scale("full", districts=16, projects=None, human_tasks=1_000_000, open_tasks=1_000,
                  consultations=20_000, timers=10_000, inbox_queries=200),
    "smoke": Scale("smoke", districts=2, projects=3, human_tasks=200, open_tasks=20,
                   consultations=20, timers=20, inbox_queries=5),
}


def scale_for(name: str, **overrides) -> Scale:
    """The named scale with any sizes given on the command line."""
    given = {key: value for key, value in overrides.items() if value is not None}
    return replace(SCALES[name], **given)
