"""Lane-aware automatic layout: adds BPMN diagram interchange (shapes and edges) to a document without it.

Columns come from longest-path layering along the sequence flows (flows that close a loop, found by a
depth-first search, are left out); rows come from lanes: each lane is a horizontal band and nodes that share
a band and a column are stacked. An embedded subprocess is laid out the same way inside its own box, which
its parent then treats as one wide node. Flows are drawn with horizontal and vertical segments only; a loop
runs below the nodes it passes. Text annotations and data objects are not drawn.

Usage: ``python -m engine.layout FILE [FILE ...] [--replace]`` rewrites the files in place.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import EngineError
from .document import BPMNDI, DC, DI, add_layout, add_missing_planes
from .geometry import Box
from .graph import BPMN, GATEWAYS, SUBPROCESSES, TASKS

__all__ = ["BPMN", "BPMNDI", "DC", "DI", "GATEWAYS", "SUBPROCESSES", "TASKS", "Box", "add_layout", "add_missing_planes",
           "main"]


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(prog="python -m engine.layout", description=__doc__.split("\n")[0])
    arguments.add_argument("files", nargs="+", type=Path, help="BPMN files, rewritten in place")
    arguments.add_argument("--replace", action="store_true", help="lay out again files that have a diagram")
    options = arguments.parse_args(argv)
    for path in options.files:
        before = path.read_bytes()
        try:
            after = add_layout(before, replace=options.replace)
        except EngineError as error:
            print(f"{path}: {error.message}", file=sys.stderr)
            return 1
        if after == before:
            hint = "" if options.replace else ", it has a diagram (--replace lays it out again)"
            print(f"{path}: unchanged{hint}")
            continue
        path.write_bytes(after)
        print(f"{path}: laid out")
    return 0
