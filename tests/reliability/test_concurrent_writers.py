"""Fifty writers at once on one case lose no update: each command either lands (200, at a
version of its own) or is refused whole (409 after the server's retries, 412 for a stale
If-Match). The case's final version is 1 + the number of 200s, and its messages are exactly
the acknowledged ones. On PostgreSQL behind two API worker processes, and on SQLite."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from conftest import Report
from support.processes import Fleet
from traffic import World, client

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
        case_id = filed.json()["id"]
        start = threading.Barrier(WRITERS, timeout=60)

        def write(n: int) -> tuple[int, str, Any]:
            headers = {"Authorization": f"Bearer {consumer}"}
            if n % 2:  # half of them pin the version they read, as a careful client does
                headers["If-Match"] = alice.get(f"/v1/cases/{case_id}").headers["etag"]
            body = f"message {n}"
            with httpx.Client(base_url=api.url, timeout=120) as own:
                start.wait()
                answer = own.post(
                    f"/v1/cases/{case_id}/messages", json={"body": body}, headers=headers
                )
            return answer.status_code, body, answer.json()

        with ThreadPoolExecutor(WRITERS) as pool:
            answers = list(pool.map(write, range(WRITERS)))
        final = alice.get(f"/v1/cases/{case_id}").json()

    statuses = Counter(status for status, _, _ in answers)
    assert set(statuses) <= {200, 409, 412}, answers
    landed = [(body, state["version"]) for status, body, state in answers if status == 200]
    assert final["version"] == 1 + len(landed)
    assert sorted(v for _, v in landed) == list(range(2, 2 + len(landed)))  # one version each
    assert sorted(m["body"] for m in final["messages"]) == sorted(b for b, _ in landed)
    for status, _, problem in answers:
        if status != 200:
            assert problem["status"] == status and "/problems/" in problem["type"]
    report.add(
        f"concurrent_writers_{backend}",
        writers=WRITERS,
        commands_acknowledged=len(landed),
        commands_lost=final["version"] - 1 - len(landed),
        statuses={str(k): v for k, v in statuses.items()},
    )


def _complaint(store_id: str) -> dict[str, Any]:
    return {
        "platform": "biggrey",
        "store_id": store_id,
        "kind": "complaint",
        "order": {"reference": "A-1", "amount": "20.00", "currency": "GBP"},
        "description": "Broken.",
    }
