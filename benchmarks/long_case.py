"""What a command costs as its case grows: one case takes a message at a time (through
`Redress.act`, as the API's command routes do, with its personal text sealed), and each
hundred of them is reported as the median wall time and process CPU a command. A command
works on a copy of the cached case, so whatever it copies grows with the case.

On PostgreSQL (REDRESS_BENCH_POSTGRES). python -m benchmarks.long_case [EVENTS]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime
from functools import partial
from uuid import UUID

from benchmarks.harness import fresh_database
from benchmarks.sealing_bench import _app_with_shop, _filing
from domain.actors import Actor, By
from domain.case import Case
from domain.policies.schema import Policy

EVENTS, BUCKET = 600, 100
CONSUMER = Actor("consumer", "c-long")


def run(events: int = EVENTS) -> list[tuple[int, float, float]]:
    """(events in the case before the bucket, median wall ms, median CPU ms) a bucket."""
    with fresh_database("long_case") as url:
        app = _app_with_shop(url)
        case_id = UUID(app.submit_case(By.at(CONSUMER, datetime.now(UTC)), _filing())["id"])
        buckets, walls, cpus = [], [], []
        for n in range(1, events):
            by = By.at(CONSUMER, datetime.now(UTC))
            wall, cpu = time.perf_counter(), time.process_time()
            app.act(case_id, by, partial(_message, by=by, text=f"#{n}"))
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            if len(walls) == BUCKET:
                buckets.append((n + 1 - BUCKET, _ms(walls), _ms(cpus)))
                walls, cpus = [], []
        app.close()
    return buckets


def _message(case: Case, policy: Policy, *, by: By, text: str) -> None:
    case.post_message(policy, by, text)


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 2)


if __name__ == "__main__":
    for size, wall, cpu in run(int(sys.argv[1]) if len(sys.argv) > 1 else EVENTS):
        print(f"case at {size:>5} events: {wall:6.2f} ms a command, {cpu:6.2f} ms CPU")
