"""`python -m bench --database sqlite|postgresql --scale full|smoke`: run, print the table, update bench/results.md.

`python -m bench --load`: the peak day's load test (bench/load.py) on PostgreSQL with 2 and 4 gunicorn workers
and on SQLite with 2, or only the `--database` and `--load-workers` given."""
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
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default=None, help="default: sqlite "
                        "(with --load: PostgreSQL, then SQLite)")
    parser.add_argument("--scale", choices=tuple(SCALES), default="full")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes for figures 5 (timers) and 4 (activation)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the Markdown file to update")
    parser.add_argument("--figures", choices=("all", "1", "5"), default="all",
                        help="1: only one district's year through the API (figures 1, 2 and 7); 5: only the timers "
                             "(figures 5 and 7's worker memory); both printed, not written")
    parser.add_argument("--load", action="store_true", help="the peak day's load test instead of the figures")
    parser.add_argument("--load-workers", type=lambda text: [int(n) for n in text.split(",")], default=None,
                        help="gunicorn workers, e.g. 2,4 (default: 2 and 4 on PostgreSQL, 2 on SQLite)")
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


def load_configurations(args: argparse.Namespace) -> list[tuple[str, int]]:
    databases = [args.database] if args.database else ["postgresql", "sqlite"]
    return [(database, workers) for database in databases
            for workers in (args.load_workers or ([2, 4] if database == "postgresql" else [2]))]


def main_load(args: argparse.Namespace) -> None:
    from .load import LOAD_SIZES, run_load
    from .load_report import section as load_section, summary

    runs = []
    for database, workers in load_configurations(args):
        runs.append(run_load(database, workers, LOAD_SIZES[args.scale]))
        text = load_section(runs[-1])
        print(text, flush=True)
        update_results(args.output, f"load-{database}-{workers}", text)
    if len(runs) > 1:
        print(summary(runs))
        update_results(args.output, "load-summary", summary(runs))


def main() -> None:
    args = arguments()
    if args.load:
        main_load(args)
        return
    args.database = args.database or "sqlite"
    scale = scale_for(args.scale, districts=args.districts, projects=args.projects, human_tasks=args.human_tasks,
                      open_tasks=args.open_tasks, consultations=args.consultations, timers=args.timers,
                      inbox_queries=args.inbox_queries)
    print(f"bench on {args.database}, scale {scale}", flush=True)
    result = run(args.database, scale, args.workers, only_year=args.figures == "1",
                 only_timers=args.figures == "5")
    text = section(result)
    print(text)
    if args.figures == "all":
        update_results(args.output, args.database, text)


if __name__ == "__main__":
    main()
