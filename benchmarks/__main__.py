"""`make bench`: every figure beside its baseline from the same run; one table, one JSON file.

python -m benchmarks [--only rest,audit,...] [--workers N]

The exit code is 1 when a figure missed its target or a section could not run (its row in the
table says why), else 0.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks import baselines, rest
from benchmarks.harness import Figure, to_json

RESULTS = Path(__file__).resolve().parent / "results"
# Sections other modules contribute: each has `run() -> list[Figure]`.
EXTRA_SECTIONS = (
    "scheduler_bench",
    "projections_bench",
    "webhooks_bench",
    "soak_bench",
    "translation_bench",
    "checkpoints_bench",
    "sealing_bench",
    "serve_bench",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated section names")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    args = parser.parse_args()
    only = {s for s in args.only.split(",") if s}
    RESULTS.mkdir(exist_ok=True)
    console = Console(width=180)
    started = time.perf_counter()
    figures = _measure(console, only, args.workers)
    console.print(_table(figures))
    report = {
        "at": datetime.now(UTC).isoformat(),
        "machine": _machine(),
        "seconds": round(time.perf_counter() - started, 1),
        "figures": to_json(figures),
    }
    path = RESULTS / "latest.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    console.print(f"written to {path}")
    failed = [f for f in figures if f.failed]
    if failed:
        console.print(f"[red]{len(failed)} figure(s) missed their target or were not measured[/]")
        sys.exit(1)


def _measure(console: Console, only: set[str], workers: int) -> list[Figure]:
    figures: list[Figure] = []
    known = {"rest", "audit", *(name.removesuffix("_bench") for name in EXTRA_SECTIONS)}
    for unknown in sorted(only - known):
        figures.append(Figure.could_not_run(unknown, LookupError(f"no section {unknown!r}")))
    with console.status("baselines: raw PostgreSQL and the eventsourcing library"):
        figures += _section("baselines", baselines.run)
    library = next((f.value for f in figures if f.name.startswith("eventsourcing")), None)
    if not only or {"rest", "audit"} & only:
        with console.status("REST and audit against `redress api`"):
            if library is None:
                figures.append(Figure.could_not_run("rest", LookupError("no library baseline")))
            else:
                figures += _section("rest", lambda: rest.run(library, workers=workers))
    for name in EXTRA_SECTIONS:
        if only and name.removesuffix("_bench") not in only:
            continue
        with console.status(name):
            figures += _section(name, lambda name=name: _module_run(name))
    return figures


def _module_run(name: str) -> list[Figure]:
    module = importlib.import_module(f"benchmarks.{name}")
    figures: list[Figure] = module.run()
    return figures


def _section(name: str, run: Callable[[], list[Figure]]) -> list[Figure]:
    """The section's figures; if it cannot run (a module missing, a server that would not
    start, a failed check), one row saying so, and the traceback on stderr."""
    try:
        return run()
    except Exception as error:
        traceback.print_exc()
        return [Figure.could_not_run(name, error)]


def _table(figures: list[Figure]) -> Table:
    table = Table("section", "figure", "value", "baseline (same run)", "ratio", "target", "met")
    for f in figures:
        baseline = f"{f.baseline_value:,.0f} ({f.baseline})" if f.baseline_value else ""
        ratio = f"{f.ratio:.2f}×" if f.ratio else ""
        met = "" if f.met is None else ("[green]yes[/]" if f.met else "[red]no[/]")
        extra = ", ".join(
            f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in f.extra.items()
        )
        value = f"{f.value:,.1f} {f.unit}" + (f"  ({extra})" if extra else "")
        if f.error is not None:
            value = f"[red]{f.error}[/]"
        table.add_row(f.section, f.name, value, baseline, ratio, f.target or "", met)
    return table


def _machine() -> dict[str, object]:
    import os

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


if __name__ == "__main__":
    main()
