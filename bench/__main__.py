"""`python -m bench --database sqlite|postgresql --scale full|smoke`: run, print the table, update bench/results.md."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from .report import table
from .run import Run, run
from .sizes import SCALES, scale_for

RESULTS = Path(__file__).resolve().parent / "results.md"
TITLE = "# Benchmark results (`make bench`)\n\nWritten by `python -m bench`; the findings below the tables are written by hand.\n"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes for figures 5 (timers) and 4 (activation)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown file to update")
    parser.add_argument("--figures", choices=("all", "1"), default="all",
                        help="1: only one district's year through the API (figures 1, 2 and 7), printed, not written")
    for size in ("districts", "projects", "human-tasks", "open-tasks", "consultations", "timers", "inbox-queries"):
        parser.add_argument(f"--{size}", type=int, default=None, help=f"override the scale's {size}")
    return parser.parse_args()


def section(result: Run) -> str:
    scale = result.scale
    counts = ", ".join(f"{value:,} {name}" for name, value in result.counts.items())
    notes = [f"Command: `python -m bench --database {result.database} --scale {scale.name}`; {scale.districts} "
             f"district(s); rows at the end: {counts}.", "",
             "Build phases: " + "; ".join(f"{name} {seconds:.0f} s" for name, seconds in result.phases.items()) + "."]
    return table(f"{result.database} ({scale.name})", notes, result.figures)


def update_results(path: Path, database: str, text: str) -> None:
    """Replace this database's section, keep the other database's and the findings written below."""
    begin, end = f"<!-- bench:{database} -->", f"<!-- /bench:{database} -->"
    block = f"{begin}\n{text}{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if begin in current:
        current = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: block, current, flags=re.S)
    else:
        head, marker, rest = current.partition("\n## Findings")
        current = f"{head.rstrip()}\n\n{block}\n{marker}{rest}"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    args = arguments()
    scale = scale_for(args.scale, districts=args.districts, projects=args.projects, human_tasks=args.human_tasks,
                      open_tasks=args.open_tasks, consultations=args.consultations, timers=args.timers,
                      inbox_queries=args.inbox_queries)
    print(f"bench on {args.database}, scale {scale}", flush=True)
    result = run(args.database, scale, args.workers, only_year=args.figures == "1")
    text = section(result)
    print(text)
    if args.figures == "all":
        update_results(args.output, args.database, text)


if __name__ == "__main__":
    main()
