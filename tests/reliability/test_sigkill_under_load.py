"""SIGKILL under load, on PostgreSQL: api, projector, scheduler and notifier run as real
processes while client threads send commands across every platform; each process type is
killed in turn (SIGKILL, mid-load) and restarted. Afterwards nothing promised is missing:

- every command answered 2xx is in the event store, at the version it was acknowledged with;
- the read models equal a replay of the log (a rebuild from scratch, and each case's state);
- each deadline fired exactly once in effect (one timeout event per deadline and type) and
  none that fell due was left behind;
- each event of the feed reached the webhook receiver at least once, signed, in order per case.

The sizes come from the environment so that benchmarks/soak_bench.py can run the same test
longer: REDRESS_SOAK_COMMANDS (acknowledged commands to reach) and REDRESS_SOAK_ROUNDS (times
each process type is killed).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from support.processes import REDRESS, Fleet, Service, wait_until
from support.reliability_report import Report
from support.traffic import Ledger, Traffic, World, client, feed, feed_head
from support.webhook_receiver import Receiver

from projections.registry import PROJECTIONS

COMMANDS = int(os.environ.get("REDRESS_SOAK_COMMANDS", "300"))
ROUNDS = int(os.environ.get("REDRESS_SOAK_ROUNDS", "1"))
ROLES = ("api", "projector", "scheduler", "notifier")
SECTION = "sigkill_under_load"


def test_killing_each_process_under_load_loses_nothing(
    postgres_database: str,
    fleet: Callable[..., Fleet],
    receiver: Receiver,
    report: Report,
) -> None:
    processes = fleet(
        postgres_database,
        REDRESS_WEBHOOK_TIMEOUT="3",
        REDRESS_NOTIFIER_LEASE="5",  # a killed notifier's deliveries are claimed again soon
        REDRESS_SCHEDULER_INTERVAL="0.5",
    )
    api = processes.api()
    services: dict[str, Service] = {"api": api}
    for role in ROLES[1:]:
        services[role] = processes.start(role)
    world = World.create(api.url)
    with client(world, world.store_agent) as store, client(world, world.staff) as staff:
        subscribed = store.post("/v1/webhooks", json={"url": receiver.url, "event_types": ["*"]})
        assert subscribed.status_code == 201, subscribed.text
        secret, since = subscribed.json()["secret"], feed_head(store)

        ledger = Ledger()
        kills = _kill_in_turn(services, ledger, Traffic(world, ledger).start())
        load_ended = datetime.now(UTC)
        report.add(
            SECTION,
            faults_injected=kills,
            commands_sent=ledger.sent,
            commands_acknowledged=ledger.acknowledged,
            outcomes=dict(ledger.outcomes),
            cases=len(ledger.cases),
        )
        unexpected = _unexpected(ledger.outcomes)
        assert unexpected == {}, "answers other than 2xx, 4xx and 503 problem+json"

        _wait_for_the_scheduler(staff, ledger, load_ended, processes)
        assert services["scheduler"].stop() == 0, services["scheduler"].logs()[-3000:]
        cases = {c.id for c in ledger.cases}
        expected = {e["id"] for e in feed(store, since) if e["subject"] in cases}
        report.add(SECTION, events_expected=len(expected))
        try:
            wait_until(
                lambda: expected <= _verified(receiver, secret).keys(),
                120,
                f"every event at the webhook:\n{processes.logs()[-5000:]}",
            )
        finally:
            delivered = expected & _verified(receiver, secret).keys()
            report.add(SECTION, events_delivered=len(delivered))
        wait_until(lambda: _behind(staff) == 0, 120, "the projector")
        for role in ("notifier", "projector"):
            assert services[role].stop() == 0, services[role].logs()[-3000:]

        histories = {case_id: _history(staff, case_id) for case_id in cases}
        lost = ledger.lost(histories.__getitem__)
        report.add(SECTION, commands_lost=len(lost))
        assert lost == [], "acknowledged commands missing from the event store"
        assert _deadlines_fired_twice(histories) == {}, "deadlines fired more than once"
        _assert_nothing_due_is_left(postgres_database, load_ended)
        for case_id in cases:
            assert staff.get(f"/v1/cases/{case_id}/verify").json()["valid"] is True
        _assert_read_models_equal_a_replay(postgres_database, staff, histories)
    _assert_delivered_in_order_per_case(receiver, secret, report)


def _unexpected(outcomes: Counter[str]) -> dict[str, int]:
    """Answers the kills may not cause: a 5xx other than 503, or any error that is not
    problem+json (`traffic.outcome` writes those with their content type). A transport error
    (no answer: the API was being killed) promises nothing and is expected."""
    return {
        outcome: n
        for outcome, n in outcomes.items()
        if outcome[0].isdigit() and (" " in outcome or (outcome[0] == "5" and outcome != "503"))
    }


def _kill_in_turn(services: dict[str, Service], ledger: Ledger, traffic: Traffic) -> int:
    """SIGKILL each process type in turn at even steps of the load, restart it, and let the
    load run to the end; returns the number of kills."""
    kills = 0
    with traffic:
        steps = len(ROLES) * ROUNDS + 1
        for n in range(1, steps):
            wait_until(lambda n=n: ledger.acknowledged >= COMMANDS * n // steps, 300, "load")
            role = ROLES[(n - 1) % len(ROLES)]
            services[role].kill()
            kills += 1
            if role != "api":  # work piles up while it is away
                target = ledger.acknowledged + COMMANDS // (steps * 3)
                wait_until(lambda target=target: ledger.acknowledged >= target, 300, "load")
            services[role].start()
        wait_until(lambda: ledger.acknowledged >= COMMANDS, 300, "the end of the load")
    return kills


def _history(staff: httpx.Client, case_id: str) -> list[dict[str, Any]]:
    answer = staff.get(f"/v1/cases/{case_id}/history")
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def _wait_for_the_scheduler(
    staff: httpx.Client, ledger: Ledger, until: datetime, processes: Fleet
) -> None:
    """Until no case has a deadline due before `until` (the scheduler fired them all)."""
    waiting = {case.id for case in ledger.cases}

    def caught_up() -> bool:
        for case_id in sorted(waiting):
            deadlines = staff.get(f"/v1/cases/{case_id}").json()["deadlines"]
            if any(datetime.fromisoformat(d["due_at"]) <= until for d in deadlines):
                return False
            waiting.discard(case_id)
        return True

    wait_until(caught_up, 180, f"the scheduler:\n{processes.logs()[-5000:]}")


def _behind(staff: httpx.Client) -> int:
    answer = staff.get("/v1/stats/overview")
    assert answer.status_code == 200, answer.text
    behind: int = answer.json()["behind"]
    return behind


def _deadlines_fired_twice(histories: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """(case, deadline, event type) recorded more than once by the scheduler."""
    fired: Counter[str] = Counter()
    for case_id, events in histories.items():
        for event in events:
            deadline = event["data"].get("deadline_id")
            if event["actor"]["role"] == "system" and deadline is not None:
                fired[f"{case_id} {deadline} {event['type']}"] += 1
    assert fired, "the load made no deadline fire"
    return {key: n for key, n in fired.items() if n > 1}


def _assert_nothing_due_is_left(database_url: str, load_ended: datetime) -> None:
    """A scheduler run now, as of the end of the load, finds nothing left to fire."""
    env = {**os.environ, "REDRESS_DATABASE_URL": database_url, "REDRESS_DB_POOL_SIZE": "2"}
    argv = [str(REDRESS), "scheduler", "run-due", "--now", load_ended.isoformat()]
    ran = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "fired 0"


def _snapshot(database_url: str) -> dict[str, list[dict[str, Any]]]:
    """Every read model's rows, in primary-key order."""
    with psycopg.connect(database_url, row_factory=dict_row) as connection:
        return {
            table.name: connection.execute(
                f"SELECT * FROM {table.name} ORDER BY "  # our own table names
                + ", ".join(c.name for c in table.primary_key.columns)
            ).fetchall()
            for projection in PROJECTIONS
            for table in projection.tables
        }


def _assert_read_models_equal_a_replay(
    database_url: str, staff: httpx.Client, histories: dict[str, list[dict[str, Any]]]
) -> None:
    """The read models the killed-and-restarted projector left equal (1) what each case's
    history says and (2) a rebuild of every read model from the whole log."""
    live = _snapshot(database_url)
    listed = {row["case_id"]: row for row in live["case_list"]}
    counted = {row["case_id"]: row for row in live["case_stats"]}
    for case_id, events in histories.items():
        state = staff.get(f"/v1/cases/{case_id}").json()
        types = Counter(e["type"] for e in events)
        assert (listed[case_id]["status"], listed[case_id]["version"]) == (
            state["status"],
            state["version"],
        )
        stats = counted[case_id]
        assert (stats["status"], stats["reminders"], stats["warnings"]) == (
            state["status"],
            types["Reminded"],
            types["Warned"],
        )
        assert (stats["escalations"], stats["auto_approvals"]) == (
            types["Escalated"],
            types["AutoApproved"],
        )

    env = {**os.environ, "REDRESS_DATABASE_URL": database_url, "REDRESS_DB_POOL_SIZE": "2"}
    rebuilt = subprocess.run(
        [str(REDRESS), "projections", "rebuild"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _snapshot(database_url) == live


def _verified(receiver: Receiver, secret: str) -> dict[str, list[dict[str, Any]]]:
    """The events of the requests that verify (standardwebhooks), by id; and under "" the
    requests that did not. Only a request cut short by a SIGKILLed notifier may fail (as it
    would at any receiver; it is sent again)."""
    verified: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for request in receiver.wait_for(0):
        try:
            event = Webhook(secret).verify(request.body, request.headers)
        except WebhookVerificationError:
            with pytest.raises(json.JSONDecodeError):  # only a truncated body may fail
                json.loads(request.body)
            verified[""].append({"cut_short": request.headers["webhook-id"]})
            continue
        verified[event["id"]].append(event)
    return verified


def _assert_delivered_in_order_per_case(receiver: Receiver, secret: str, report: Report) -> None:
    """Each case's events first arrived in order of version (the requests counted first)."""
    first_arrivals: dict[str, list[int]] = defaultdict(list)
    seen: set[str] = set()
    cut_short = 0
    for request in receiver.wait_for(0):
        try:
            event = Webhook(secret).verify(request.body, request.headers)
        except WebhookVerificationError:
            cut_short += 1
            continue
        if event["id"] not in seen:
            seen.add(event["id"])
            originator, version = event["id"].rsplit(":", 1)  # cases and stores alike
            first_arrivals[originator].append(int(version))
    out_of_order = {s: v for s, v in first_arrivals.items() if v != sorted(v)}
    report.add(
        SECTION,
        webhook_requests=receiver.count(),
        webhook_requests_cut_short=cut_short,
        subjects_delivered_out_of_order=len(out_of_order),
    )
    assert out_of_order == {}, f"delivered out of order: {out_of_order}"
