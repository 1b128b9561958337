"""Fifty writers at once on one case, none pinning a version (no If-Match), all succeed: honest
contention is the server's to absorb (commands on a case queue in each process; a race lost
to another process is retried), never a 409 for the client. Each lands at a version of its
own, the case's final version is its version once filed + 50, and its messages are exactly the
acknowledged ones. On PostgreSQL behind two API worker processes, and on SQLite. The p99 of
the answers goes to the run's report (recorded, not asserted)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from support.processes import Fleet
from support.reliability_report import Report
from support.traffic import World, client

WRITERS = 50


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_fifty_concurrent_writers_on_one_case_lose_no_update(
    backend: str, request: pytest.FixtureRequest, fleet: Callable[..., Fleet], report: Report
) -> None:
    url = request.getfixturevalue("postgres_database" if backend == "postgres" else "sqlite_url")
    workers = "2" if backend == "postgres" else "1"
    api = fleet(url, REDRESS_DB_POOL_SIZE="3").api("--workers", workers)
    world = World.create(api.url, consumers=1)
    consumer = world.consumers[next(iter(world.consumers))]
    store_id = next(s for s, platform in world.stores if platform == "biggrey")
    with client(world, consumer) as alice:
        filed = alice.post("/v1/cases", json=_complaint(store_id))
        assert filed.status_code == 201, filed.text
        case_id, filed_at = filed.json()["id"], filed.json()["version"]  # 2 if escalated at once
        start = threading.Barrier(WRITERS, timeout=60)

        def write(n: int) -> tuple[int, str, Any, float]:
            headers = {"Authorization": f"Bearer {consumer}"}
            body = f"message {n}"
            with httpx.Client(base_url=api.url, timeout=120) as own:
                start.wait()
                began = time.perf_counter()
                answer = own.post(
                    f"/v1/cases/{case_id}/messages", json={"body": body}, headers=headers
                )
            return answer.status_code, body, answer.json(), time.perf_counter() - began

        with ThreadPoolExecutor(WRITERS) as pool:
            answers = list(pool.map(write, range(WRITERS)))
        final = alice.get(f"/v1/cases/{case_id}").json()

    statuses = Counter(status for status, _, _, _ in answers)
    landed = [(body, state["version"]) for status, body, state, _ in answers if status == 200]
    kept = {m["body"] for m in final["messages"]}
    latencies = sorted(seconds for _, _, _, seconds in answers)
    # Every figure from the ledger first, then the asserts (a failure still reports them).
    report.add(
        f"concurrent_writers_{backend}",
        writers=WRITERS,
        commands_acknowledged=len(landed),
        commands_lost=sum(body not in kept for body, _ in landed),
        conflicts_409=statuses.get(409, 0),
        p99_ms=round(1000 * latencies[int(0.99 * (len(latencies) - 1))]),
        statuses={str(k): v for k, v in statuses.items()},
        final_version=final["version"],
    )
    assert statuses == {200: WRITERS}, answers
    assert final["version"] == filed_at + WRITERS
    assert sorted(v for _, v in landed) == list(range(filed_at + 1, filed_at + 1 + WRITERS))
    assert sorted(m["body"] for m in final["messages"]) == sorted(b for b, _ in landed)


def _complaint(store_id: str) -> dict[str, Any]:
    return {
        "platform": "biggrey",
        "store_id": store_id,
        "kind": "complaint",
        "order": {"reference": "A-1", "amount": "20.00", "currency": "GBP"},
        "description": "Broken.",
    }
