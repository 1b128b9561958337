"""The cost of sealing personal data (issue 21), each beside the unsealed figure of the same run:

- filing throughput: `submit_case` from 8 threads (the group commit, as the API drives it),
  each filing a new consumer (a new subject key per case: the dearest case), sealed vs with
  sealing switched off on the same application; rounds interleaved, median of each. Target:
  sealed ≥ 0.85× unsealed (≤ 15 % cost).
- audit: what `redress audit case` does (the state as of a time, the history, the chain
  check) on a 300-event case, from a fresh application opened as that command opens it
  (`open_for_command`: nothing cached, the key looked up), a sealed case vs one filed with
  sealing off; median of 15. Target: ≤ 1.10× unsealed.
- audit through the API, as the rest section's audit figure is measured (the history, then
  the state at half the case's versions, median of 20 from one client), on the same two
  cases, read by `redress api` in turn. Target: ≤ 1.10× unsealed.

On PostgreSQL (REDRESS_BENCH_POSTGRES). python -m benchmarks --only sealing, or
python -m benchmarks.sealing_bench
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from typing import Any
from uuid import UUID

import httpx

from benchmarks.harness import Figure, admin_post, api_server, fresh_database
from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.bootstrap import open_for_command, open_redress
from services.db import migrate
from services.settings import Settings

SECTION = "sealing"
THREADS, FILINGS, ROUNDS = 8, 400, 5
AUDIT_EVENTS, AUDITS = 300, 15
FIRST_READS = 6  # pairs of cases read once each through the API
ADMIN = Actor("admin", "bench")
_consumers = count()


@contextmanager
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


def _filing_figure(url: str) -> Figure:
    app = _app(url)
    sealing = app.keyring.sealing
    app.register_store(
        By.at(ADMIN, datetime.now(UTC)), store_id="shop", platform="biggrey", name="Shop",
        certified=False, country="GB", timezone="Europe/London",
    )  # fmt: skip
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
        target="≥ 0.85× unsealed",
        met=value >= 0.85 * baseline,
        extra={"rounds": ROUNDS, "filings per round": FILINGS},
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
        f"audit of a {AUDIT_EVENTS}-event case (state at a time, history, verify), sealed",
        value,
        baseline,
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
            for run in range(AUDITS + 5):  # the first five rounds are not counted
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
        {
            "runs": AUDITS,
            "first read of a case, sealed (ms)": cold[True],
            "first read of a case, unsealed (ms)": cold[False],
            "first reads": len(fresh),
        },
    )


def _audit(name: str, sealed: float, unsealed: float, extra: dict[str, Any]) -> Figure:
    """An audit figure: sealed seconds against unsealed, in ms."""
    return Figure(
        SECTION,
        name,
        round(sealed * 1000, 2),
        "ms",
        baseline="the same case, unsealed",
        baseline_value=round(unsealed * 1000, 2),
        target="≤ 1.10× unsealed",
        met=sealed <= 1.10 * unsealed,
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
        return [filings, _audit_figure(url, *pairs[0]), _api_audit_figure(url, pairs[0], pairs[1:])]


if __name__ == "__main__":
    for figure in run():
        ratio = figure.value / figure.baseline_value if figure.baseline_value else None
        print(
            f"{figure.name}: {figure.value} {figure.unit} vs {figure.baseline_value} "
            f"({figure.baseline}) = {ratio:.3f}× target {figure.target} met={figure.met} "
            f"{figure.extra}"
        )
