"""Figures, their targets and the Markdown table written to bench/results.md."""
from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    value: str
    target: str = ""
    met: bool | None = None  # None: no target, only measured
    number: float = 0.0       # the headline number, for the smoke test to check


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    if not ordered:
        return 0.0, 0.0
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def verdict(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "–"}[met]


def table(title: str, notes: list[str], figures: list[Figure]) -> str:
    lines = [f"### {title}", "", *notes, "", "| figure | value | target | met? |", "|---|---|---|---|"]
    lines += [f"| {f.name} | {f.value} | {f.target or '–'} | {verdict(f.met)} |" for f in figures]
    return "\n".join(lines) + "\n"
