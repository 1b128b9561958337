"""PostgreSQL taken away under load: `redress api` answers 503 problem+json instead of hanging
while the database is away, serves again soon after it is back, and loses no acknowledged
command.

The database is a throwaway cluster of this test's own (the shared server is not ours to
stop), stopped with `pg_ctl stop -m fast` and started again on the same port.

Callers seen in the last 30 s are known to the API (their keys are cached), so their commands
reach the event store and wait there for a connection: about 12 s, then 503. Callers it has
not seen must be looked up, which fails at once: 503. A restart of a few seconds is over before
the first kind gives up; a longer outage is not. Either way the API serves again within 10 s
of the database's return.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable

import httpx
from support.postgres import fresh_database
from support.processes import Fleet, Outages, wait_until
from support.reliability_report import Report
from support.traffic import ADMIN_TOKEN, Ledger, Traffic, World, client, outcome

HANGING = 30.0  # a request unanswered for this long is hanging (it ought to be a 503)
RESTART = 5.0  # seconds the database is away in a restart
# Longer than a request waits for the event store; benchmarks/soak_bench.py makes it longer.
LONG_OUTAGE = float(os.environ.get("REDRESS_SOAK_OUTAGE", "15"))
RECOVERY = 10.0  # seconds from the database's return to the next acknowledged command
ANSWERS = ("200", "201", "422", "503")
SECTION = "postgres_outages"  # 503s are problem+json (traffic.outcome says if not)


def test_the_api_answers_503_while_postgres_is_away_and_loses_nothing(
    postgres_cluster: str, fleet: Callable[..., Fleet], report: Report
) -> None:
    server = postgres_cluster
    with fresh_database(server) as url, Outages(server) as db:
        api = fleet(url).api()
        world = World.create(api.url)
        newcomers = _keys(api.url, 40)  # never used before the outage: not cached
        ledger = Ledger()
        with Traffic(world, ledger, timeout=HANGING).start():
            # A restart: new callers get 503 at once; the API serves again soon after.
            wait_until(lambda: ledger.acknowledged >= 40, 120, "load")
            db.stop()
            away = time.monotonic()
            answers = _call_while_away(api.url, newcomers, until=away + RESTART)
            db.start()
            back = time.monotonic()
            report.add(
                SECTION,
                faults_injected=1,
                new_callers_answered=dict(Counter(answers)),
                restart_seconds=round(back - away, 1),
            )
            _wait_for_acknowledgements(ledger, after=back)
            recovered = _seconds_after(ledger.first_ack_after(back), back)
            report.add(SECTION, recovery_after_restart_seconds=recovered)
            assert answers and set(answers) == {"503"}, answers
            assert recovered is not None and recovered <= RECOVERY

            # A longer outage: known callers' commands give up waiting and answer 503 too.
            before = ledger.outcomes["503"]
            db.stop()
            long_away = time.monotonic()
            report.add(SECTION, faults_injected=2)
            wait_until(lambda: ledger.outcomes["503"] >= before + 4, HANGING, "503 answers")
            wait_until(lambda: time.monotonic() - long_away >= LONG_OUTAGE, 60, "the outage")
            db.start()
            long_back = time.monotonic()
            report.add(SECTION, long_outage_seconds=round(long_back - long_away, 1))
            _wait_for_acknowledgements(ledger, after=long_back)
        long_recovered = _seconds_after(ledger.first_ack_after(long_back), long_back)
        report.add(
            SECTION,
            recovery_after_long_outage_seconds=long_recovered,
            commands_sent=ledger.sent + len(answers),
            commands_acknowledged=ledger.acknowledged,
            outcomes=dict(ledger.outcomes),
        )
        assert long_recovered is not None and long_recovered <= RECOVERY

        unexpected = {k: n for k, n in ledger.outcomes.items() if k not in ANSWERS}
        assert unexpected == {}, "answers other than 2xx, 422 and 503 problem+json, or none"
        with client(world, world.staff) as staff:
            lost = ledger.lost(
                lambda case_id: staff.get(f"/v1/cases/{case_id}/history").json()["events"]
            )
        report.add(SECTION, commands_lost=len(lost))
        assert lost == [], "acknowledged commands missing after the outages"


def _seconds_after(moment: float | None, start: float) -> float | None:
    """Seconds from `start` to `moment`, rounded; None when it never came."""
    return None if moment is None else round(moment - start, 2)


def _keys(url: str, count: int) -> list[str]:
    with httpx.Client(base_url=url, timeout=60) as admin:
        admin.headers["Authorization"] = f"Bearer {ADMIN_TOKEN}"
        return [
            admin.post("/v1/api-keys", json={"role": "staff", "subject": f"s{n}"}).json()["token"]
            for n in range(count)
        ]


def _call_while_away(url: str, tokens: list[str], until: float) -> list[str]:
    """New callers send a command each while the database is away; their answers."""
    answers = []
    with httpx.Client(base_url=url, timeout=HANGING) as newcomer:
        for token in tokens:
            if time.monotonic() >= until:
                break
            answer = newcomer.post(
                "/v1/cases/00000000-0000-4000-8000-000000000000/escalate",
                json={},
                headers={"Authorization": f"Bearer {token}"},
            )
            answers.append(outcome(answer))
            time.sleep(0.1)
    wait_until(lambda: time.monotonic() >= until, RESTART + 1, "the end of the outage")
    return answers


def _wait_for_acknowledgements(ledger: Ledger, after: float) -> None:
    """The first acknowledgement after the return, then 40 more (the load goes on)."""
    wait_until(lambda: ledger.first_ack_after(after) is not None, 120, "recovery")
    target = ledger.acknowledged + 40
    wait_until(lambda: ledger.acknowledged >= target, 120, "load")
