"""Redress as a production fleet on one machine: 2 `redress api`, 2 `redress scheduler`,
2 `redress notifier` and 1 `redress projector` processes on one PostgreSQL.

5,000 commands are driven over HTTP from a thread pool, spread across both API processes, on
every platform: filings, staff imports filed weeks ago (their overdue deadlines are the
schedulers' to fire: reminders, warnings and escalations, automatic approvals, protection
refunds), responses, messages, closings, approvals and rejections, decisions, returns,
full and partial refunds, staff rulings, suspensions, withdrawals. Then, once the fleet is quiet:

- every case's history: versions contiguous, hash chain verified, every acknowledged command
  in it (recorded for its sender) and no event that no command was acknowledged for;
- every deadline fired once, at its due time, and none due before the drive ended is left
  (the running schedulers left `redress scheduler run-due` nothing to fire);
- every event of the webhook's scope in the feed was delivered, signed, as the feed has it,
  in order per case;
- each case ended at most once, in one resolution, and changed no more after it;
- /v1/stats/overview and /v1/stats/platforms (cases by status and by resolution) and the case
  list equal a replay of the histories.

No timing is asserted; the phases' durations are printed (`pytest -s`).
"""

from __future__ import annotations

import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.fleet_checks import check_case, check_case_list, check_stats, check_webhooks
from support.fleet_run import (
    ADMIN,
    SCHEDULER_STEPS,
    WORKERS,
    ConnectionWatch,
    Phases,
    all_running,
    certificates,
    errors,
    keys_and_stores,
    read_back,
    settle,
    tail,
)
from support.fleet_workload import (
    CALENDARS,
    Budget,
    Driver,
    Http,
    utc_now,
)
from support.processes import REDRESS, ApiService, Fleet
from support.webhook_receiver import Receiver

COMMANDS = 5000
# The seven processes' connections at once, LISTEN sessions included: each holds one pool per
# driver (REDRESS_DB_POOL_SIZE each, a scheduler its workers + 3), well inside the server's
# max_connections (100) that other clients share.
MOST_CONNECTIONS = 40


# -- the fleet and the webhook receiver --------------------------------------------------------


@pytest.fixture
def phases() -> Phases:
    return Phases()


@pytest.fixture
def fleet(postgres_database: str, tmp_path: Path, phases: Phases) -> Iterator[Fleet]:
    env = {
        "REDRESS_DATABASE_URL": postgres_database,
        "REDRESS_ADMIN_TOKEN": ADMIN,
        "REDRESS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1:*",
        "REDRESS_DB_POOL_SIZE": "2",  # the server's connections are shared with other tests
        "REDRESS_SCHEDULER_WORKERS": "2",
        "REDRESS_SCHEDULER_INTERVAL": "0.5",
        "REDRESS_NOTIFIER_POLL_INTERVAL": "0.1",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    with Fleet(logs, env) as running:  # leaving it kills every process group still there
        migrated = subprocess.run(
            [str(REDRESS), "migrate"], env=running.env, capture_output=True, text=True, timeout=120
        )
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        running.start("projector")
        for _ in range(2):
            running.start("scheduler")
            running.start("notifier")
        running.api()
        running.api()
        phases.done("start")
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def test_a_fleet_on_one_postgresql_takes_5000_commands_and_loses_nothing(
    phases: Phases, fleet: Fleet, receiver: Receiver, postgres_database: str
) -> None:
    apis = [s for s in fleet.services if isinstance(s, ApiService)]
    http = Http([s.url for s in apis], connections=WORKERS * 2)
    watch = ConnectionWatch(postgres_database)
    db = psycopg.connect(postgres_database, autocommit=True)
    try:
        keys, inbox, webhook = keys_and_stores(http, receiver)
        phases.done("set-up")

        ledger = Driver(http, keys, Budget(COMMANDS)).run(WORKERS)
        drive_ended = utc_now()
        phases.done("drive")
        all_running(fleet)
        assert not ledger.errors, "\n".join(ledger.errors[:20]) + "\n" + tail(fleet)
        assert sum(ledger.sent.values()) == COMMANDS
        assert {party.platform for party in ledger.cases.values()} == set(CALENDARS)
        certificates(http, keys)

        for _attempt in range(3):  # again if a deadline fell due and fired while reading
            head = settle(db, drive_ended, inbox, fleet)
            phases.done("settle")
            read = read_back(http, keys, webhook, ledger, db, head)
            phases.done("read back")
            if read is not None:
                break
        else:
            pytest.fail("the event log kept moving while the results were read")
        read.receipts = inbox.receipts()

        acks: dict[str, list[Any]] = {case_id: [] for case_id in ledger.cases}
        for ack in ledger.acks:
            acks[ack.case_id].append(ack)
        problems = [p for c in read.cases for p in check_case(c, acks[c.case_id], drive_ended)]
        assert not problems, "\n".join(problems[:30])
        fired = Counter(
            e["type"] for c in read.cases for e in c.events if e["actor"]["role"] == "system"
        )
        assert set(SCHEDULER_STEPS) <= set(fired), fired  # the chains ran, on every path

        ran = subprocess.run(
            [str(REDRESS), "scheduler", "run-due", "--now", drive_ended.isoformat()],
            env=fleet.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (ran.returncode, ran.stdout.strip()) == (0, "fired 0"), ran.stdout + ran.stderr

        assert not inbox.refused, inbox.refused[:10]
        problems = check_webhooks(read.feed, read.receipts, read.deliveries, read.cases)
        assert not problems, "\n".join(problems[:30])

        problems = check_stats(read.overview, read.platforms, read.cases, read.stores)
        problems += check_case_list(read.listed, read.cases)
        assert not problems, "\n".join(problems[:30])
        ended = Counter(c.state["resolution"] for c in read.cases if c.state["resolution"])
        assert {"ruled_for_store", "ruled_for_consumer", "agreed"} <= set(ended), ended
        # Three warnings by hand, and a protection payout without a settlement, cost two stores
        # their certificates, the stores' aggregates say (and the stats agreed with them
        # above); the schedulers' warnings on overdue imports cost nothing.
        warned, protected = read.stores["biggrey-warned"], read.stores["biggrey-protected"]
        assert (warned["certified"], protected["certified"]) == (False, False), read.stores
        assert (warned["warnings"], warned["revocation_reason"]) == (3, "three_warnings")
        assert warned["reapply_after"] is None, warned  # it may re-apply at once
        assert protected["revocation_reason"] == "protection_payout_without_settlement"
        assert protected["reapply_after"] is not None, protected
        all_running(fleet)
        phases.done("checks")
    finally:
        db.close()
        http.close()
        connections = watch.stop()

    assert connections <= MOST_CONNECTIONS, f"the fleet held {connections} connections at once"
    stopped = fleet.stop()  # SIGTERM: each drains and exits
    phases.done("stop")
    events = sum(len(c.events) for c in read.cases)
    print(
        f"\nfleet: {phases.total()} s in all {phases.took}; {sum(ledger.sent.values())} commands "
        f"({len(ledger.acks)} answered 2xx) on "
        f"{len(ledger.cases)} cases; {events} case events, the schedulers' {dict(fired)}; "
        f"{len(read.feed)} feed events, {len(read.receipts)} webhooks received "
        f"({len({i for i, _ in read.receipts})} distinct), {len(read.deliveries)} deliveries; "
        f"{http.requests} HTTP requests, retries {dict(http.retries)}; scripts waited "
        f"{ledger.waited:.0f} s on the schedulers; at most {connections} database connections; "
        f"{sum(len(errors(s)) for s in fleet.services)} error lines logged; "
        f"resolutions {dict(ended.most_common())}; "
        f"commands {dict(Counter(ledger.sent).most_common())}"
    )
    # uvicorn drains, then re-raises the SIGTERM it caught: the API's graceful exit is -15.
    drained = {name: -signal.SIGTERM if name.startswith("api") else 0 for name in stopped}
    assert stopped == drained, f"{stopped}\n{tail(fleet)}"
    for api in apis:
        assert "Application shutdown complete" in api.logs(), tail(fleet)
