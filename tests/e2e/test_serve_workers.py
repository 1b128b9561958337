"""`redress serve --workers 2`: one command, one supervisor, two API processes and one more that
runs every background role, at a lower CPU priority than theirs; on PostgreSQL and on SQLite.

The scheduler's and the projector's intervals are an hour, so only a wake-up from the API's
processes can make them act within the test (LISTEN/NOTIFY on PostgreSQL; on SQLite the roles'
process watches the file's commits). A filing reaches the stats (the projector) and a webhook
receiver (the notifier); a case imported weeks after its filing has its overdue deadline fired
(the scheduler). The roles' process killed with SIGKILL is replaced and the work goes on;
SIGTERM to the supervisor alone ends every process within the grace period. Roles that cannot
start stop the supervisor, as an API worker that cannot start does.
"""

from __future__ import annotations

import os
import random
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from support.postgres import free_port
from support.processes import Fleet, Service, sockets_on, spawned_children, wait_until
from support.traffic import World, case_body, client, process_env
from support.webhook_receiver import Receiver
from uvicorn.config import STARTUP_FAILURE

from services.entrypoints.api_workers import GRACE_SECONDS

AN_HOUR = "3600"
WAIT = 120.0  # seconds: far beyond what any step needs on a loaded machine


def test_serve_with_two_workers_runs_the_roles_in_one_more_process(
    database_url: str, tmp_path: Path
) -> None:
    env = process_env(
        database_url, REDRESS_SCHEDULER_INTERVAL=AN_HOUR, REDRESS_PROJECTOR_INTERVAL=AN_HOUR
    )
    port = free_port()
    with Receiver() as receiver, Fleet(tmp_path, env) as fleet:
        serve = fleet.start("serve", "--port", str(port), "--workers", "2")
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _ready(url, serve), WAIT, f"redress serve:\n{serve.logs()}")
        workers, roles = _tree(serve, port)
        # The roles yield the cores to the API (REDRESS_ROLES_NICE, 10 by default).
        assert serve.process is not None
        supervisor = _nice(serve.process.pid)
        assert {_nice(pid) for pid in workers} == {supervisor}
        yields = min(19, supervisor + 10)
        wait_until(lambda: _nice(roles) == yields, WAIT, "the roles' process yielding the cores")
        world = World.create(url, consumers=1)
        store_id = next(s for s, platform in world.stores if platform == "biggrey")
        with client(world, world.store_agent) as store, client(world, world.staff) as staff:
            subscribed = store.post(
                "/v1/webhooks", json={"url": receiver.url, "event_types": ["*"]}
            )
            assert subscribed.status_code == 201, subscribed.text
            _roles_work(world, staff, receiver, store_id, serve)

            os.kill(roles, signal.SIGKILL)
            wait_until(lambda: _tree(serve, port)[1] != roles, WAIT, "another roles process")
            assert _tree(serve, port)[0] == workers  # the API processes were left alone
            replaced = _tree(serve, port)[1]
            wait_until(lambda: _nice(replaced) == yields, WAIT, "the new roles' process yielding")
            _roles_work(world, staff, receiver, store_id, serve)

        assert serve.process is not None
        children = spawned_children(serve.process.pid)
        serve.process.send_signal(signal.SIGTERM)  # the supervisor alone, not its group
        assert serve.process.wait(timeout=GRACE_SECONDS + 5) == 0, serve.logs()[-3000:]
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 30)


def test_roles_that_cannot_start_stop_the_supervisor(sqlite_url: str, tmp_path: Path) -> None:
    # A translator named without its engine's URL: the roles' settings refuse it.
    env = process_env(sqlite_url, REDRESS_TRANSLATOR="libretranslate")
    with Fleet(tmp_path, env) as fleet:
        serve = fleet.start("serve", "--port", str(free_port()), "--workers", "2")
        assert serve.process is not None
        assert serve.process.wait(timeout=WAIT) == STARTUP_FAILURE, serve.logs()[-3000:]
    assert "the background roles could not run" in serve.logs()


def _ready(url: str, serve: Service) -> bool:
    assert serve.running, f"redress serve exited:\n{serve.logs()}"
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def _tree(serve: Service, port: int) -> tuple[set[int], int]:
    """The supervisor's API processes (listening on `port`) and its roles' process, once it
    has exactly one of the latter and two of the former."""
    assert serve.process is not None
    found: dict[str, Any] = {}

    def complete() -> bool:
        assert serve.process is not None
        children = spawned_children(serve.process.pid)
        listening = {pid for pid in children if sockets_on(pid, port, "0A")}
        found.update(workers=listening, others=children - listening)
        return len(listening) == 2 and len(children) == 3

    wait_until(complete, WAIT, f"two API processes and one roles process:\n{serve.logs()}")
    (roles,) = found["others"]
    return found["workers"], roles


def _nice(pid: int) -> int:
    """A process's niceness, from /proc (the field after its priority)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[16])


def _roles_work(
    world: World, staff: httpx.Client, receiver: Receiver, store_id: str, serve: Service
) -> None:
    """A filing is projected and delivered, and an imported case's overdue deadline fires."""
    consumer = next(iter(world.consumers.values()))
    with client(world, consumer) as alice:
        filed = _file(alice, store_id, datetime.now(UTC))
    imported = _file(staff, store_id, datetime.now(UTC) - timedelta(days=20), imported=True)
    logs = serve.logs

    wait_until(lambda: _projected(staff, filed, imported), WAIT, f"the projector:\n{logs()}")
    wait_until(lambda: _fired(staff, imported), WAIT, f"the scheduler:\n{logs()}")
    wait_until(lambda: filed in _delivered(receiver), WAIT, f"the notifier:\n{logs()}")


def _file(api: httpx.Client, store_id: str, submitted: datetime, *, imported: bool = False) -> str:
    body = case_body("biggrey", store_id, random.Random(), submitted) | {"kind": "warranty_claim"}
    if imported:
        body |= {"consumer_id": "someone", "submitted_at": submitted.isoformat()}
    answer = api.post("/v1/cases", json=body)
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    return case_id


def _projected(staff: httpx.Client, *case_ids: str) -> bool:
    """The case list shows these cases, and the stats (which only the projector keeps) are
    behind nothing logged."""
    overview = staff.get("/v1/stats/overview").json()
    listed = staff.get("/v1/cases", params={"limit": 200}).json()["items"]
    return overview["behind"] == 0 and set(case_ids) <= {case["id"] for case in listed}


def _fired(staff: httpx.Client, case_id: str) -> bool:
    history = staff.get(f"/v1/cases/{case_id}/history").json()["events"]
    return any(event["actor"]["role"] == "system" for event in history)


def _delivered(receiver: Receiver) -> set[str]:
    """The cases whose events reached the receiver."""
    return {event["subject"] for event in receiver.events()}
