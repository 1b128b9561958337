"""The cost of sealing personal data (issue 21), each beside the unsealed figure of the same run.
The issue's two targets are measured as make bench measures the figures they name:

- `POST /v1/cases` through `redress api --workers 2`, 64 connections, closed loop (the rest
  section's figure): one server sealing, one with sealing switched off (a sitecustomize module
  on its PYTHONPATH), each on a fresh database; rounds interleaved, median of each, with the
  CPU each filing cost the API's processes and PostgreSQL (from /proc) beside the rate.
  Target: sealed ≥ 0.85× unsealed (≤ 15 % cost).
- the audit through the API, as the rest section's audit figure is measured (the history, then
  the state at half the case's versions, median from one client) on a 300-event case, sealed vs
  filed with sealing off, read by `redress api` in turn. Target: ≤ 1.10× unsealed.

Two stricter views, reported beside them without a target of their own:

- filings in process: `submit_case` from 8 threads (the group commit, as the API drives it),
  each filing a new consumer (a new subject key per case: the dearest case); no HTTP around it,
  so sealing's share is larger.
- the audit as `redress audit case` reads (the state as of a time, the history, the chain
  check) from a fresh application opened as that command opens it (`open_for_command`:
  nothing cached, the key looked up), without the command's start-up and printing; also
  timed a second time in the same application, where nothing is decrypted or fetched.

On PostgreSQL (REDRESS_BENCH_POSTGRES). python -m benchmarks --only sealing, or
python -m benchmarks.sealing_bench
"""

from __future__ import annotations

import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any
from uuid import UUID

import httpx

from benchmarks.harness import Figure, admin_post, api_server, fresh_database, load
from benchmarks.request_cpu import _api_processes, _cpu_seconds
from benchmarks.rest import CONNECTIONS, _import_body, _setup
from benchmarks.tails import _postgres_pids
from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.bootstrap import open_for_command, open_redress
from services.db import migrate
from services.settings import Settings

SECTION = "sealing"
THREADS, FILINGS, ROUNDS = 8, 400, 5
AUDIT_EVENTS, AUDITS = 300, 15
API_AUDITS = 60  # a few ms each: more of them steady the median
FIRST_READS = 6  # pairs of cases read once each through the API
POST_ROUNDS, POST_SECONDS = 6, 5.0  # per server, interleaved
SEALED_SHARE, AUDIT_RATIO = 0.85, 1.10  # issue 21: ≤ 15 % of POST throughput, ≤ 10 % of audit
# Put on the PYTHONPATH of the server measured with sealing off: the domain then records
# personal data as given, as before sealing.
NO_SEALING = """
import contextlib
from services.eventstore import subject_keys


@contextlib.contextmanager
def _no_sealing(*_args, **_kwargs):
    yield []


subject_keys.Keyring.sealing = _no_sealing
"""
ADMIN = Actor("admin", "bench")
_consumers = count()


@contextlib.contextmanager
def _no_sealing(*_args: Any, **_kwargs: Any) -> Iterator[list[Any]]:
    yield []  # the domain then records plaintext, as before sealing


def _app(url: str, *, command: bool = False) -> Redress:
    settings = Settings(database_url=url, db_pool_size=10)
    migrate(settings)  # no process creates tables: migrations own them (0008, 0010)
    return open_for_command(settings) if command else open_redress(settings)


def _filing() -> NewCase:
    now = datetime.now(UTC)
    order = Order(f"O-{next(_consumers)}", Decimal("40"), "EUR", completed_at=now)
    consumer = f"c-{next(_consumers)}"
    return NewCase("biggrey", "shop", consumer, "warranty_claim", order, "my phone, 0601 020304")


def _filings_per_second(app: Redress) -> float:
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        by = By.at(Actor("consumer", "bench"), datetime.now(UTC))
        list(pool.map(lambda _: app.submit_case(by, _filing()), range(FILINGS)))
    return FILINGS / (time.perf_counter() - started)


def _app_with_shop(url: str) -> Redress:
    """The application with the store every `_filing` is filed at."""
    app = _app(url)
    app.register_store(
        By.at(ADMIN, datetime.now(UTC)), store_id="shop", platform="biggrey", name="Shop",
        certified=False, country="GB", timezone="Europe/London",
    )  # fmt: skip
    return app


def _filing_figure(url: str) -> Figure:
    app = _app_with_shop(url)
    sealing = app.keyring.sealing
    _filings_per_second(app)  # warm up: connections, caches
    sealed: list[float] = []
    plain: list[float] = []
    for round_ in range(ROUNDS * 2):
        # Alternating which goes first: the log grows as it runs, so the later one of a
        # pair is a little slower.
        seal = round_ % 2 == (round_ // 2) % 2
        app.keyring.sealing = sealing if seal else _no_sealing  # type: ignore[method-assign]
        (sealed if seal else plain).append(_filings_per_second(app))
    app.close()
    value, baseline = statistics.median(sealed), statistics.median(plain)
    return Figure(
        SECTION,
        "filings per second (submit_case, 8 threads), personal data sealed",
        round(value, 1),
        "/s",
        baseline="the same, sealing off",
        baseline_value=round(baseline, 1),
        extra={"rounds": ROUNDS, "filings per round": FILINGS, "no HTTP": "stricter view"},
    )


def _api_filing_figure() -> Figure:
    """`POST /v1/cases` as the rest section measures it, against a server sealing and one with
    sealing off, rounds interleaved."""
    rates: dict[bool, list[float]] = {True: [], False: []}
    p99s: dict[bool, list[float]] = {True: [], False: []}
    cpu: dict[bool, list[float]] = {True: [], False: []}  # seconds a filing
    with contextlib.ExitStack() as stack:
        scratch = stack.enter_context(tempfile.TemporaryDirectory())
        with open(os.path.join(scratch, "sitecustomize.py"), "w") as module:
            module.write(NO_SEALING)
        path = os.pathsep.join(p for p in (scratch, os.environ.get("PYTHONPATH")) if p)
        servers = {}
        for sealed in (True, False):
            db = stack.enter_context(fresh_database("sealing_api"))
            env = None if sealed else {"PYTHONPATH": path}
            url = stack.enter_context(api_server(db, workers=2, extra_env=env))
            servers[sealed] = (url, _setup(url))
        for url, token in servers.values():  # warm up: connections, caches
            load(url, method="POST", path="/v1/cases", token=token, body=_import_body(0), seconds=2)
        for round_ in range(POST_ROUNDS * 2):
            sealed = round_ % 2 == (round_ // 2) % 2  # each goes first as often
            url, token = servers[sealed]
            busy = _api_processes(url.rsplit(":", 1)[1]) + _postgres_pids()
            before = _cpu_seconds(busy)
            post = load(
                url, method="POST", path="/v1/cases", token=token, body=_import_body(round_),
                connections=CONNECTIONS, seconds=POST_SECONDS,
            )  # fmt: skip
            cpu[sealed].append((_cpu_seconds(busy) - before) / (post["rps"] * POST_SECONDS))
            rates[sealed].append(post["rps"])
            p99s[sealed].append(post["p99_ms"])
    value, baseline = statistics.median(rates[True]), statistics.median(rates[False])
    cpu_sealed, cpu_plain = (statistics.median(cpu[sealed]) * 1e6 for sealed in (True, False))
    return Figure(
        SECTION,
        f"POST /v1/cases, redress api --workers 2, {CONNECTIONS} connections, personal data sealed",
        round(value, 1),
        "req/s",
        baseline="the same, sealing off",
        baseline_value=round(baseline, 1),
        target=f"≥ {SEALED_SHARE:g}× unsealed",
        met=value >= SEALED_SHARE * baseline,
        extra={
            "rounds": POST_ROUNDS,
            "seconds a round": POST_SECONDS,
            "p99 sealed (ms)": round(statistics.median(p99s[True]), 1),
            "p99 unsealed (ms)": round(statistics.median(p99s[False]), 1),
            # Steadier than a rate on a shared machine: what each filing cost the server.
            "CPU a filing, API and PostgreSQL, sealed (µs)": round(cpu_sealed),
            "CPU a filing, API and PostgreSQL, unsealed (µs)": round(cpu_plain),
        },
    )


def _long_case(app: Redress, *, sealed: bool) -> UUID:
    sealing = app.keyring.sealing
    if not sealed:
        app.keyring.sealing = _no_sealing  # type: ignore[method-assign]
    by = By.at(Actor("consumer", "c-audit"), datetime.now(UTC))
    case_id = UUID(app.submit_case(by, _filing())["id"])
    for n in range(AUDIT_EVENTS - 1):
        text = f"message {n}: my bank is FR76 3000 6000 0112 3456 7890 189"
        app.act(case_id, by, lambda case, policy, text=text: case.post_message(policy, by, text))
    app.keyring.sealing = sealing  # type: ignore[method-assign]
    return case_id


def _audit_seconds(url: str, case_id: UUID) -> tuple[float, float]:
    """The audit in a fresh `redress audit case` (nothing cached), then once more in the same
    application: the second pays no decryption and no key lookup, the rest of sealing's cost."""
    app = _app(url, command=True)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        app.get_case(case_id, at=datetime.now(UTC))
        app.history(case_id)
        assert app.verify(case_id)["valid"]
        times.append(time.perf_counter() - started)
    app.close()
    return times[0], times[1]


def _audit_figure(url: str, sealed_case: UUID, plain_case: UUID) -> Figure:
    runs: dict[UUID, list[tuple[float, float]]] = {sealed_case: [], plain_case: []}
    for run in range(AUDITS):
        for case_id in (plain_case, sealed_case) if run % 2 else (sealed_case, plain_case):
            runs[case_id].append(_audit_seconds(url, case_id))
    (value, again), (baseline, plain_again) = (
        (statistics.median(t[0] for t in runs[c]), statistics.median(t[1] for t in runs[c]))
        for c in (sealed_case, plain_case)
    )
    return _audit(
        f"audit of a {AUDIT_EVENTS}-event case as `redress audit case` reads it, from a fresh "
        "application (state at a time, history, verify), sealed",
        value,
        baseline,
        None,
        {
            "runs": AUDITS,
            "again in the same process, sealed (ms)": round(again * 1000, 1),
            "again in the same process, unsealed (ms)": round(plain_again * 1000, 1),
        },
    )


def _api_audit_seconds(client: httpx.Client, case_id: UUID) -> float:
    started = time.perf_counter()
    history = client.get(f"/v1/cases/{case_id}/history")
    past = client.get(f"/v1/cases/{case_id}", params={"version": AUDIT_EVENTS // 2})
    elapsed = time.perf_counter() - started
    assert history.status_code == past.status_code == 200
    return elapsed


def _api_audit_figure(url: str, pair: tuple[UUID, UUID], fresh: list[tuple[UUID, UUID]]) -> Figure:
    """Repeated reads of `pair` (sealed, unsealed), as the rest section measures; and the
    first read of each case of `fresh`, which nothing was cached for (median of each kind)."""
    repeated: dict[UUID, list[float]] = {pair[0]: [], pair[1]: []}
    first: dict[bool, list[float]] = {True: [], False: []}  # sealed?
    with api_server(url) as api:
        token = admin_post(api, "/v1/api-keys", {"role": "staff", "subject": "bench"})["token"]
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=api, headers=headers, timeout=60) as client:
            for n, (sealed_case, plain_case) in enumerate(fresh):
                order = [(True, sealed_case), (False, plain_case)]
                for sealed, case_id in order if n % 2 else order[::-1]:  # each first as often
                    first[sealed].append(_api_audit_seconds(client, case_id))
            for run in range(API_AUDITS + 5):  # the first five rounds are not counted
                for case_id in pair if run % 2 else pair[::-1]:
                    seconds = _api_audit_seconds(client, case_id)
                    if run >= 5:
                        repeated[case_id].append(seconds)
    value, baseline = (statistics.median(repeated[case_id]) for case_id in pair)
    cold = {sealed: round(statistics.median(first[sealed]) * 1000, 1) for sealed in first}
    return _audit(
        f"audit of a {AUDIT_EVENTS}-event case through the API (history, state at a version), "
        "sealed",
        value,
        baseline,
        AUDIT_RATIO,
        {
            "runs": API_AUDITS,
            "first read of a case, sealed (ms)": cold[True],
            "first read of a case, unsealed (ms)": cold[False],
            "first reads": len(fresh),
        },
    )


def _audit(
    name: str, sealed: float, unsealed: float, ratio: float | None, extra: dict[str, Any]
) -> Figure:
    """An audit figure: sealed seconds against unsealed, in ms; `ratio`: the target, if any."""
    return Figure(
        SECTION,
        name,
        round(sealed * 1000, 2),
        "ms",
        baseline="the same case, unsealed",
        baseline_value=round(unsealed * 1000, 2),
        target=None if ratio is None else f"≤ {ratio:.2f}× unsealed",
        met=None if ratio is None else sealed <= ratio * unsealed,
        extra=extra,
    )


def run() -> list[Figure]:
    with fresh_database("sealing") as url:
        filings = _filing_figure(url)
        app = _app(url)
        pairs = [
            (_long_case(app, sealed=True), _long_case(app, sealed=False))
            for _ in range(1 + FIRST_READS)
        ]
        app.close()
        audits = [_api_audit_figure(url, pairs[0], pairs[1:]), _audit_figure(url, *pairs[0])]
    return [_api_filing_figure(), filings, *audits]


if __name__ == "__main__":
    for figure in run():
        ratio = figure.value / figure.baseline_value if figure.baseline_value else None
        print(
            f"{figure.name}: {figure.value} {figure.unit} vs {figure.baseline_value} "
            f"({figure.baseline}) = {ratio:.3f}× target {figure.target} met={figure.met} "
            f"{figure.extra}"
        )
