"""Where one notifier's CPU goes per webhook delivery, and the bound that sets its rate (issue 18).

One `redress notifier` is one interpreter: whatever it overlaps, it delivers at most
1 / (its CPU seconds per delivery) deliveries a second. This measures, in one run and against
one receiver (benchmarks.webhooks_bench's: its own process, verifying every signature):

- the plain sender: signed POSTs from an aiohttp client, 64 in flight, in this process
  (its CPU per request, from `time.process_time`), and the receiver's CPU per request;
- the notifier, fed the webhooks bench's queue (1,000 cases, 5,000 events, all logged before
  it starts): its process CPU per delivery from /proc/<pid>/stat, from the moment it is up and
  idle to the moment every delivery is recorded as delivered, split by thread (the event loop
  that claims, signs, sends and records; the thread that follows the log) and, from py-spy
  samples of the thread holding the GIL (`--gil --nonblocking`: the notifier is not
  paused), by what it was doing; and the receiver's CPU per delivery over the same span.

The notifier is held at its start by a row lock on its tracked position (its fan-out waits
for it), so its start-up is not counted: the clock starts when the lock is let go. Its claim
loops meanwhile poll an empty due set, as an idle notifier's do before a burst.
`--custom-plans` makes the bench database plan every statement afresh (`plan_cache_mode`), to
compare with the notifier's own handling of its claim's plan.

python -m benchmarks.webhooks_cpu [--runs 3] [--no-profile] [--custom-plans]
(py-spy is taken from $PY_SPY, else from PATH; without it, no split by activity.)
Writes benchmarks/results/webhooks_cpu.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import psycopg

from benchmarks.harness import free_port, libpq_url, load_average, process_cpu, thread_cpu
from benchmarks.webhooks_bench import (
    RESULTS,
    _signed_post_rate,
    file_case,
    notifier_process,
    post_messages,
    receiver_process,
    stats,
    subscribe,
    world,
)
from services.notifier.settings import NotifierSettings

CASES, MESSAGES = 1000, 4
PLAIN = 5000  # signed POSTs from the plain sender
TARGET = 5000  # deliveries/s (issue 18)

# What a sample was doing: the first rule, walking from the innermost frame outwards, that
# matches one of its frames (a path fragment, and a function name or None for any).
ACTIVITIES: tuple[tuple[str, str | None, str], ...] = (
    ("notifier/signing.py", None, "signing"),
    ("standardwebhooks", None, "signing"),
    ("notifier/ssrf.py", None, "SSRF guard (per delivery)"),
    ("notifier/sender.py", None, "HTTP client"),
    ("notifier/recorder.py", None, "recording attempts and progress (database)"),
    ("notifier/delivery.py", "claim", "claiming deliveries (database)"),
    ("notifier/delivery.py", "_endpoints", "claiming deliveries (database)"),
    ("notifier/delivery.py", None, "delivery task (own code)"),
    ("", "to_domain_event", "fan-out: decoding events"),
    ("eventstore/log_pages.py", None, "fan-out: reading the log (query)"),
    ("notifier/envelope.py", None, "fan-out: building payloads (envelope, JSON)"),
    ("services/case_view.py", None, "fan-out: building payloads (envelope, JSON)"),
    ("notifier/fanout.py", None, "fan-out: scopes, subscriptions, inserting delivery rows"),
    ("projections/tracking.py", None, "fan-out: position and transaction"),
    ("notifier/runner.py", None, "notifier loops (notices, pruning, hand-offs)"),
    ("aiohttp/", None, "HTTP client"),
    ("yarl/", None, "HTTP client"),
    ("multidict/", None, "HTTP client"),
    # SQLAlchemy runs asyncpg inside greenlets, whose stacks do not show the coroutine that
    # asked: the event loop's claims, endpoint reads and recording, together.
    ("sqlalchemy/", None, "database, asyncpg under SQLAlchemy (claims, endpoints, recording)"),
    ("asyncpg/", None, "database, asyncpg under SQLAlchemy (claims, endpoints, recording)"),
    ("psycopg", None, "database, psycopg, not attributed"),
    ("asyncio/", None, "event loop and threads"),
    ("uvloop", None, "event loop and threads"),
    ("concurrent/futures", None, "event loop and threads"),
    ("threading.py", None, "event loop and threads"),
)


def activity(stack: str) -> str:
    frames = stack.split(";")
    for frame in reversed(frames):
        function, _, where = frame.partition(" (")
        for fragment, name, label in ACTIVITIES:
            if fragment in where and (name is None or name == function):
                return label
    return "other"


def split(raw: Path) -> dict[str, int]:
    """Samples by activity, from py-spy's raw output (`stack count` a line)."""
    found: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            found[activity(stack)] += int(count)
    return dict(found.most_common())


@contextlib.contextmanager
def fan_out_held(settings: NotifierSettings) -> Iterator[psycopg.Connection[Any]]:
    """The notifier's tracked position locked in an open transaction: its fan-out waits at
    its first step until the transaction ends (`release`)."""
    with psycopg.connect(libpq_url(settings.database_url)) as connection:
        connection.execute(
            "INSERT INTO projection_positions (name, position) VALUES ('notifier', 0) "
            "ON CONFLICT DO NOTHING"
        )
        connection.execute(
            "SELECT position FROM projection_positions WHERE name = 'notifier' FOR UPDATE"
        )
        yield connection


def wait_for_count(settings: NotifierSettings, query: str, count: int, timeout: float) -> None:
    """Until `query` (one count) reaches `count`; RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as connection:
        while True:
            row = connection.execute(query).fetchone()
            found = row[0] if row else 0
            if found >= count:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{found} of {count} after {timeout:g} s: {query}")
            time.sleep(0.05)


def wait_until_blocked(settings: NotifierSettings, pid: int, timeout: float = 60) -> None:
    """Until the notifier waits on the lock and its CPU time stands still (it is up)."""
    wait_for_count(
        settings,
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'",
        1,
        timeout,
    )
    before, deadline = process_cpu(pid), time.monotonic() + timeout
    while True:
        time.sleep(0.5)
        now = process_cpu(pid)
        if now - before < 0.02 or time.monotonic() > deadline:
            return
        before = now


def wait_delivered(settings: NotifierSettings, count: int, timeout: float = 600) -> None:
    """Until `count` deliveries are recorded as delivered (not merely received)."""
    query = "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'"
    wait_for_count(settings, query, count, timeout)


@contextlib.contextmanager
def sampled(pid: int, out: Path, enabled: bool) -> Iterator[None]:
    """py-spy recording `pid` without pausing it, until the block ends."""
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if not enabled or spy is None:
        yield
        return
    command = [spy, "record", "--pid", str(pid), "--nonblocking", "--gil", "-r", "250"]
    process = subprocess.Popen(
        [*command, "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached
    try:
        yield
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(60)


def attempt_summary(settings: NotifierSettings) -> dict[str, Any]:
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT coalesce(error, 'ok'), count(*), min(at), max(at) FROM webhook_attempts "
            "GROUP BY 1"
        ).fetchall()
    return {error: [count, str(first), str(last)] for error, count, first, last in rows}


def thread_names(pid: int) -> dict[int, str]:
    """Python's names of the threads of `pid`, by thread id (from `py-spy dump`)."""
    spy = os.environ.get("PY_SPY") or shutil.which("py-spy")
    if spy is None:
        return {pid: "main"}
    dump = subprocess.run(
        [spy, "dump", "--pid", str(pid), "--nonblocking"], capture_output=True, text=True
    ).stdout
    return {int(tid): name for tid, name in re.findall(r'Thread (\d+) \(\w+\): "([^"]+)"', dump)}


def by_thread(
    before: dict[int, float], after: dict[int, float], names: dict[int, str]
) -> dict[str, float]:
    """CPU seconds between two `thread_cpu` readings, by thread name."""
    found: Counter[str] = Counter()
    for tid, cpu in after.items():
        found[names.get(tid, "threads started later")] += cpu - before.get(tid, 0.0)
    return {name: cpu for name, cpu in found.most_common()}


def plain_sender(url: str, secret: str, receiver: int) -> dict[str, float]:
    """The plain aiohttp sender (this process): rate, its CPU and the receiver's, a request."""

    async def fire() -> float:
        async with aiohttp.ClientSession() as session:

            async def post(headers: dict[str, str]) -> int:
                async with session.post(url, data=b"{}", headers=headers) as response:
                    return response.status

            return await _signed_post_rate(post, secret, "plain", PLAIN, 64)

    ours, theirs = time.process_time(), process_cpu(receiver)
    rate = asyncio.run(fire())
    return {
        "rate_per_s": rate,
        "sender_cpu_us": (time.process_time() - ours) / PLAIN * 1e6,
        "receiver_cpu_us": (process_cpu(receiver) - theirs) / PLAIN * 1e6,
    }


def one_run(n: int, profile: bool, custom_plans: bool = False) -> dict[str, Any]:
    expected = CASES * (MESSAGES + 1)
    with world() as (settings, app):
        if custom_plans:
            with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as connection:
                connection.execute(
                    "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = "
                    "force_custom_plan', current_database()); END $$"
                )
        port = free_port()
        secret = subscribe(settings, f"http://127.0.0.1:{port}/hooks")
        with receiver_process(port, secret) as (url, receiver):
            plain = plain_sender(url, secret, receiver.pid)
            for case in range(CASES):
                post_messages(app, file_case(app, case), MESSAGES)
            raw = RESULTS / f"webhooks_cpu_{n}.raw.txt"
            raw.unlink(missing_ok=True)
            with fan_out_held(settings) as lock, notifier_process(settings) as notifier:
                pid = notifier.pid
                wait_until_blocked(settings, pid)
                idle = process_cpu(pid)
                time.sleep(1.0)
                idle_per_s = process_cpu(pid) - idle
                names = thread_names(pid)
                with sampled(pid, raw, profile):
                    load = load_average()
                    threads, cpu = thread_cpu(pid), process_cpu(pid)
                    received, started = process_cpu(receiver.pid), time.perf_counter()
                    lock.rollback()  # the fan-out goes
                    wait_delivered(settings, expected)
                    seconds = time.perf_counter() - started
                    cpu = process_cpu(pid) - cpu
                    received = process_cpu(receiver.pid) - received
                    after = thread_cpu(pid)
            attempts = attempt_summary(settings)
            arrivals, _, unverified = stats(url)
    times = sorted(t for k, t in arrivals.items() if not k.startswith("plain-"))
    threads_us = {k: v / expected * 1e6 for k, v in by_thread(threads, after, names).items()}
    samples = split(raw) if raw.exists() else {}
    total = sum(samples.values()) or 1
    return {
        "run": n,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average": load,
        "plain": plain,
        "deliveries": expected,
        "seconds": seconds,
        "rate_per_s": expected / seconds,
        "notifier_cpu_us": cpu / expected * 1e6,
        "notifier_threads_cpu_us": threads_us,
        "notifier_idle_cpu_per_s": idle_per_s,
        "notifier_cpu_share_of_a_core": cpu / seconds,
        "receiver_cpu_us": received / expected * 1e6,
        "bound_per_s": expected / cpu,
        "split_percent": {k: round(100 * v / total, 1) for k, v in samples.items()},
        "samples": sum(samples.values()),
        "receiver_rate_per_s": (len(times) - 1) / (times[-1] - times[0]),
        "unverified": unverified,
        "attempts": attempts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-profile", action="store_true", help="no py-spy sampling")
    parser.add_argument(
        "--custom-plans",
        action="store_true",
        help="the bench database plans every statement afresh (plan_cache_mode)",
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    runs = []
    for n in range(1, args.runs + 1):
        found = one_run(n, not args.no_profile, args.custom_plans)
        runs.append(found)
        print(json.dumps(found, indent=1))
    print(f"target {TARGET}/s needs <= {1e6 / TARGET:.0f} µs of notifier CPU a delivery")
    for r in runs:
        print(
            f"run {r['run']} (load {r['load_average']}): notifier {r['notifier_cpu_us']:.0f} µs"
            f" a delivery -> bound {r['bound_per_s']:,.0f}/s; "
            f"achieved {r['rate_per_s']:,.0f}/s; receiver {r['receiver_cpu_us']:.0f} µs; "
            f"plain sender {r['plain']['sender_cpu_us']:.0f} µs at "
            f"{r['plain']['rate_per_s']:,.0f}/s (receiver {r['plain']['receiver_cpu_us']:.0f} µs)"
        )
    (RESULTS / "webhooks_cpu.json").write_text(json.dumps(runs, indent=2))


if __name__ == "__main__":
    main()
