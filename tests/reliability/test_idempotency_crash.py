"""An `Idempotency-Key` survives a crash between the commit and the reply, on both backends.

The API process that takes the request is killed (SIGKILL) the moment its command returns from
the event store: the events are committed, the client has no answer. A retry with the same key,
to a fresh API process, must get the original answer (replayed), and the case must hold the
command's event once. The kill is injected from outside the product: a `sitecustomize` module
on the crashing process's PYTHONPATH wraps the service layer's use cases.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.processes import Fleet
from support.reliability_report import Report
from support.traffic import World, client

CRASH_AFTER_COMMIT = """
import os, signal
from services.application import Redress

def _crashing(use_case):
    def run(*args, **kwargs):
        result = use_case(*args, **kwargs)  # the events are committed when this returns
        os.kill(os.getpid(), signal.SIGKILL)
        return result
    return run

Redress.submit_case = _crashing(Redress.submit_case)
Redress.act = _crashing(Redress.act)
"""


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_a_retry_after_a_crash_between_commit_and_reply_gets_the_original_answer(
    backend: str,
    request: pytest.FixtureRequest,
    fleet: Callable[..., Fleet],
    tmp_path: Path,
    report: Report,
) -> None:
    url = request.getfixturevalue("postgres_database" if backend == "postgres" else "sqlite_url")
    (tmp_path / "crash").mkdir()
    (tmp_path / "crash" / "sitecustomize.py").write_text(CRASH_AFTER_COMMIT)
    processes = fleet(url)
    api = processes.api()
    world = World.create(api.url, consumers=1)
    token = next(iter(world.consumers.values()))
    store_id = next(s for s, platform in world.stores if platform == "biggrey")

    def crash_then_retry(path: str, body: dict[str, Any], key: str) -> httpx.Response:
        # Before, not instead of, the inherited path: a checkout run with PYTHONPATH (a git
        # worktree beside an editable install) must crash its own code.
        inherited = [os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []
        crashing = processes.api(PYTHONPATH=os.pathsep.join([str(tmp_path / "crash"), *inherited]))
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        with pytest.raises(httpx.TransportError):  # the process died before it answered
            httpx.post(f"{crashing.url}{path}", json=body, headers=headers, timeout=60)
        crashing.process.wait(timeout=30)  # type: ignore[union-attr]
        with client(world, token) as retry:
            return retry.post(path, json=body, headers={"Idempotency-Key": key})

    filed = crash_then_retry("/v1/cases", _complaint(store_id), "crash-file")
    assert filed.status_code == 201, filed.text
    assert filed.headers["idempotent-replayed"] == "true"
    assert filed.headers["location"] == f"/v1/cases/{filed.json()['id']}"
    case_id = filed.json()["id"]

    posted = crash_then_retry(f"/v1/cases/{case_id}/messages", {"body": "Any news?"}, "crash-msg")
    assert posted.status_code == 200, posted.text
    assert posted.headers["idempotent-replayed"] == "true"
    assert posted.json()["version"] == 2 and posted.headers["etag"] == '"2"'

    with client(world, token) as alice:
        history = alice.get(f"/v1/cases/{case_id}/history").json()["events"]
        cases = alice.get("/v1/cases").json()["items"]
    assert [e["type"] for e in history] == ["Submitted", "MessagePosted"]
    assert [c["id"] for c in cases] == [case_id]
    report.add(
        f"idempotency_crash_{backend}",
        faults_injected=2,
        commands_acknowledged=2,
        commands_lost=0,
        duplicates=len(history) - 2,
    )


def _complaint(store_id: str) -> dict[str, Any]:
    return {
        "platform": "biggrey",
        "store_id": store_id,
        "kind": "warranty_claim",
        "order": {"reference": "C-1", "amount": "20.00", "currency": "GBP"},
        "description": "Broken.",
    }
