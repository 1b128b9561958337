"""The fleet past one database server: PgBouncer in transaction mode in front of a primary
capped at max_connections 50, and a streaming replica (pg_basebackup -R) serving the reads
that may lag (case lists, stats, dashboard, event feed, delivery logs), all started here from
the installed binaries.

The fleet of test_fleet.py (2 api, 2 scheduler, 2 notifier, 1 projector) takes a smaller share
of its workload through PgBouncer (REDRESS_DATABASE_URL), with the schedulers' LISTEN and the
migrations on the primary directly (REDRESS_SESSION_DATABASE_URL) and the reads on the replica
(REDRESS_READ_DATABASE_URL). Meanwhile a reader polls the replica's reads and a follower walks
the event feed by its cursor, whichever server serves each page. Then:

- no "too many clients", and the primary never held 50 connections;
- every acknowledged command is in its case's history, and the webhooks are as the feed says;
- once the replica has caught up, the lists and stats it serves agree with a replay;
- pausing the replica's replay (pg_wal_replay_pause) sends the reads to the primary, as
  /readyz and the metrics show, and a case filed meanwhile is listed at once;
- stopping the replica sends them to the primary too, starting it again brings them back, and
  no read ever answered 5xx;
- the follower's feed is the whole feed: no event skipped or repeated across the switches.

No timing is asserted.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from support.fleet_checks import check_case, check_stats, check_webhooks
from support.fleet_run import (
    ADMIN,
    ConnectionWatch,
    all_running,
    errors,
    keys_and_stores,
    read_back,
    read_feed,
    settle,
    tail,
)
from support.fleet_workload import CALENDARS, Budget, Driver, Http, Keys, Party, submit, utc_now
from support.processes import REDRESS, ApiService, Fleet, wait_until
from support.replication import Bouncer, Primary, Replica
from support.webhook_receiver import Receiver

COMMANDS = 1500  # a share of the fleet test's: enough load to need the pooler, in minutes
WORKERS = 16
MAX_CONNECTIONS = 50
SERVER_CONNECTIONS = 30  # PgBouncer's to the primary; the rest of the 50 is for sessions
MAX_LAG = 2.0  # seconds (REDRESS_READ_MAX_LAG), short for the pause to trip soon
SWITCH_WITHIN = 60.0  # seconds for the reads to move (generous: a busy 2-core machine)
DATABASE = "redress"


@pytest.fixture
def servers() -> Iterator[tuple[Primary, Replica, Bouncer]]:
    root = Path(tempfile.mkdtemp(prefix="redress-replica-"))
    if os.geteuid() == 0:  # the servers run as the postgres OS user
        shutil.chown(root, user="postgres")
    try:
        with Primary(root, MAX_CONNECTIONS) as primary:
            with psycopg.connect(primary.url, autocommit=True) as db:
                db.execute(f"CREATE DATABASE {DATABASE}")
            with (
                Replica(primary, root) as replica,
                Bouncer(primary, root, DATABASE, SERVER_CONNECTIONS) as bouncer,
            ):
                yield primary, replica, bouncer
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fleet(servers: tuple[Primary, Replica, Bouncer], tmp_path: Path) -> Iterator[Fleet]:
    primary, replica, bouncer = servers
    env = {
        "REDRESS_DATABASE_URL": bouncer.url,
        "REDRESS_SESSION_DATABASE_URL": primary.database_url(DATABASE),
        "REDRESS_READ_DATABASE_URL": replica.database_url(DATABASE),
        "REDRESS_READ_MAX_LAG": str(MAX_LAG),
        "REDRESS_ADMIN_TOKEN": ADMIN,
        "REDRESS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1:*",
        "REDRESS_SCHEDULER_WORKERS": "2",
        "REDRESS_SCHEDULER_INTERVAL": "0.5",
        "REDRESS_NOTIFIER_POLL_INTERVAL": "0.1",
    }
    logs = tmp_path / "logs"
    logs.mkdir()
    with Fleet(logs, env) as running:
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
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


# -- the readers beside the drive --------------------------------------------------------------


class Reader:
    """Polls the replica-tolerant reads (case list, stats, event feed) on every API process
    without retries, and counts the answers by status: a 5xx here is a client-visible error."""

    def __init__(self, urls: list[str], token: str) -> None:
        self.urls, self.token = urls, token
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, name="reader", daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        paths = ["/v1/cases?limit=20", "/v1/stats/overview", "/v1/stats/platforms"]
        paths.append("/v1/events?limit=20")
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=60, headers=headers) as client:
            n = 0
            while not self._stop.wait(0.1):
                url = self.urls[n % len(self.urls)] + paths[n % len(paths)]
                n += 1
                try:
                    answer = client.get(url)
                except httpx.TransportError as failed:
                    self.failures.append(f"{url}: {failed!r}")
                    continue
                self.statuses[answer.status_code] += 1
                if answer.status_code >= 500 and len(self.failures) < 20:
                    self.failures.append(f"{url}: {answer.status_code} {answer.text[:300]}")

    def stop(self) -> Counter[int]:
        self._stop.set()
        self._thread.join(60)
        return self.statuses


class Follower:
    """Walks the event feed by its cursor, page after page, as a client polling it would, on
    whichever server the API routes each page to; keeps every event it was given."""

    def __init__(self, urls: list[str], token: str) -> None:
        self.urls, self.token = urls, token
        self.items: list[dict[str, Any]] = []
        self.cursor = "0"
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="follower", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(timeout=60, headers=headers) as client:
            n = 0
            while not self._stop.is_set():
                n += 1
                params = {"after": self.cursor, "limit": 50}
                try:
                    answer = client.get(f"{self.urls[n % len(self.urls)]}/v1/events", params=params)
                except httpx.TransportError as failed:
                    self.failures.append(repr(failed))
                    continue
                if answer.status_code != 200:
                    self.failures.append(f"{answer.status_code} {answer.text[:300]}")
                    self._stop.wait(0.5)
                    continue
                page = answer.json()
                self.items += page["items"]
                self.cursor = page["next_cursor"]
                if not page["has_more"]:
                    self._stop.wait(0.2)

    def catch_up(self, head_ids: set[str]) -> None:
        """Wait until the follower has every event of the feed read at the end."""
        wait_until(lambda: head_ids <= {i["id"] for i in self.items}, SWITCH_WITHIN, "the follower")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(60)


# -- looking at where the reads go -------------------------------------------------------------


def reads_of(api: ApiService) -> dict[str, Any]:
    answer = httpx.get(f"{api.url}/readyz", timeout=30)
    assert answer.status_code == 200, answer.text
    reads: dict[str, Any] = answer.json()["reads"]
    return reads


def served_by(apis: list[ApiService], server: str, reason: str | None = None) -> bool:
    views = [reads_of(api) for api in apis]
    return all(v["served_by"] == server and v["fallback_reason"] == reason for v in views)


def fallbacks(apis: list[ApiService], reason: str) -> float:
    """The reads the API processes sent to the primary for `reason` (their metrics)."""
    total = 0.0
    pattern = re.compile(
        rf'^redress_read_replica_fallbacks_total{{reason="{reason}"}} (\S+)$', re.M
    )
    for api in apis:
        found = pattern.search(httpx.get(f"{api.url}/metrics", timeout=30).text)
        total += float(found.group(1)) if found else 0.0
    return total


def list_all(http: Http, token: str) -> dict[str, str]:
    """Every case in the list (status by id), page by page."""
    found: dict[str, str] = {}
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = http("GET", "/v1/cases", token, params=params)
        assert page.status_code == 200, page.text
        found.update({item["id"]: item["status"] for item in page.json()["items"]})
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return found


def file_one(http: Http, keys: Keys) -> str:
    """A new case, as a consumer; its id."""
    token, consumer = keys.consumers[0]
    cmd = submit(Party("biggrey", "biggrey-plain", consumer), "warranty_claim")
    answer = http("POST", "/v1/cases", token, cmd.body)
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    return case_id


# -- the test ----------------------------------------------------------------------------------


def test_the_fleet_through_pgbouncer_with_a_read_replica_fits_50_connections_and_reads_move(
    servers: tuple[Primary, Replica, Bouncer], fleet: Fleet, receiver: Receiver
) -> None:
    primary, replica, bouncer = servers
    apis = [s for s in fleet.services if isinstance(s, ApiService)]
    urls = [api.url for api in apis]
    direct = primary.database_url(DATABASE)
    http = Http(urls, connections=WORKERS * 2)
    watch = ConnectionWatch(direct)
    db = psycopg.connect(direct, autocommit=True)
    try:
        keys, inbox, webhook = keys_and_stores(http, receiver)
        wait_until(lambda: served_by(apis, "replica"), SWITCH_WITHIN, "replica reads")
        reader, follower = Reader(urls, keys.ops), Follower(urls, keys.hub)

        # The drive, through PgBouncer, with the readers on the replica beside it.
        ledger = Driver(http, keys, Budget(COMMANDS)).run(WORKERS)
        drive_ended = utc_now()
        all_running(fleet)
        assert not ledger.errors, "\n".join(ledger.errors[:20]) + "\n" + tail(fleet)
        assert {party.platform for party in ledger.cases.values()} == set(CALENDARS)
        assert http.retries["503"] == 0, http.retries  # the database never turned one away

        # Quiet and caught up: the replica's lists and stats agree with a replay.
        for _attempt in range(3):
            head = settle(db, drive_ended, inbox, fleet)
            wait_until(lambda: replica.caught_up_with(primary), SWITCH_WITHIN, "the replica")
            wait_until(lambda: served_by(apis, "replica"), SWITCH_WITHIN, "replica reads")
            sent_back = fallbacks(apis, "lag") + fallbacks(apis, "unreachable")
            read = read_back(http, keys, webhook, ledger, db, head)
            if read is not None:
                break
        else:
            pytest.fail("the event log kept moving while the results were read")
        # Every replica-tolerant read of the read-back came from the replica.
        assert fallbacks(apis, "lag") + fallbacks(apis, "unreachable") == sent_back
        read.receipts = inbox.receipts()
        acks: dict[str, list[Any]] = {case_id: [] for case_id in ledger.cases}
        for ack in ledger.acks:
            acks[ack.case_id].append(ack)
        problems = [p for c in read.cases for p in check_case(c, acks[c.case_id], drive_ended)]
        problems += check_webhooks(read.feed, read.receipts, read.deliveries, read.cases)
        problems += check_stats(read.overview, read.platforms, read.cases, read.stores)
        listed = list_all(http, keys.ops)
        states = {c.case_id: c.state["status"] for c in read.cases}
        if listed != states:
            problems.append(f"the list differs from the cases: {set(listed) ^ set(states)}")
        assert not problems, "\n".join(problems[:30])

        # Replay paused: the lag grows past REDRESS_READ_MAX_LAG and the primary serves.
        replica.pause_replay()
        paused_case = file_one(http, keys)
        wait_until(lambda: served_by(apis, "primary", "lag"), SWITCH_WITHIN, "the lag fallback")
        assert paused_case in list_all(http, keys.ops)  # the replica does not have it yet
        assert fallbacks(apis, "lag") > 0
        replica.pause_replay(False)
        wait_until(lambda: served_by(apis, "replica"), SWITCH_WITHIN, "the replica's return")

        # The replica stopped: the primary serves, and nobody sees an error.
        replica.stop()
        wait_until(lambda: served_by(apis, "primary", "unreachable"), SWITCH_WITHIN, "no replica")
        assert paused_case in list_all(http, keys.ops)
        replica.start()  # and back: it streams again from where it stopped
        wait_until(lambda: served_by(apis, "replica"), SWITCH_WITHIN, "the replica's restart")
        settle(db, utc_now(), inbox, fleet)
        wait_until(lambda: replica.caught_up_with(primary), SWITCH_WITHIN, "the replica")
        final_feed = [i["id"] for i in read_feed(http, keys.hub)]
        follower.catch_up(set(final_feed))
        statuses = reader.stop()
        follower.stop()

        assert not reader.failures, reader.failures
        assert statuses[200] > 0 and not [s for s in statuses if s >= 500], statuses
        assert not follower.failures, follower.failures[:10]
        assert [i["id"] for i in follower.items] == final_feed  # nothing skipped or repeated
        all_running(fleet)
    finally:
        db.close()
        http.close()
        most = watch.stop()

    logged = fleet.logs() + bouncer.log()
    assert "too many clients" not in logged, [e for s in fleet.services for e in errors(s)][:10]
    assert most < MAX_CONNECTIONS, most
    print(
        f"\nreplica: {len(ledger.acks)} commands acknowledged on {len(ledger.cases)} cases; "
        f"at most {most} connections on the primary (max_connections {MAX_CONNECTIONS}, "
        f"PgBouncer's {SERVER_CONNECTIONS}); reader answers {dict(statuses)}; follower "
        f"{len(follower.items)} events; {sum(len(errors(s)) for s in fleet.services)} error lines"
    )
