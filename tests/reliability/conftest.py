"""Fixtures of the reliability suite: fleets of real `redress` processes (always ended, even
when a test fails), a webhook receiver, and the run's report (artifacts/reliability.json)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.processes import Fleet
from traffic import ADMIN_TOKEN

from services.notifier.receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
REPORT = Path(os.environ.get("REDRESS_RELIABILITY_REPORT", ROOT / "artifacts" / "reliability.json"))


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """What every process of a test shares: its database, small pools (the test server's
    connections are shared), no rate limit (the load is ours), loopback receivers allowed."""
    return {
        "REDRESS_DATABASE_URL": database_url,
        "REDRESS_ADMIN_TOKEN": ADMIN_TOKEN,
        "REDRESS_DB_POOL_SIZE": "2",
        "REDRESS_RATE_LIMIT_PER_SECOND": "0",
        "REDRESS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1:*",
        "REDRESS_SCHEDULER_WORKERS": "2",
        "REDRESS_NOTIFIER_POLL_INTERVAL": "0.1",
        **extra,
    }


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Callable[..., Fleet]]:
    """`fleet(database_url, **env)`: a Fleet whose processes end with the test."""
    made: list[Fleet] = []

    def make(database_url: str, **env: str) -> Fleet:
        logs = tmp_path / f"fleet-{len(made)}"
        logs.mkdir()
        made.append(Fleet(logs, process_env(database_url, **env)))
        return made[-1]

    yield make
    for each in made:
        each.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


class Report:
    """Figures the tests record, written to artifacts/reliability.json at the end of the run,
    whatever its outcome (the README's Reliability section quotes it). Tests record each figure
    as soon as it is measured, before asserting on it, so a failing test's figures show what
    went wrong; the run's failures are listed beside them, and `outcome` says whether every
    test passed (if not, the totals cover only what was measured)."""

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, Any]] = {}
        self.failures: list[dict[str, str]] = []

    def add(self, section: str, **figures: Any) -> None:
        self.sections.setdefault(section, {}).update(figures)

    def fail(self, test: str, phase: str, error: str) -> None:
        self.failures.append({"test": test, "phase": phase, "error": error})

    def totals(self) -> dict[str, int]:
        def total(key: str) -> int:
            return sum(int(s.get(key) or 0) for s in self.sections.values())

        return {
            key: total(key) for key in ("faults_injected", "commands_acknowledged", "commands_lost")
        }

    def write(self) -> None:
        if not self.sections and not self.failures:
            return
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "outcome": "failed" if self.failures else "passed",
            **self.totals(),
            "failures": self.failures,
            "tests": self.sections,
        }
        REPORT.write_text(json.dumps(body, indent=2, default=str) + "\n")


REPORTED = pytest.StashKey[Report]()


@pytest.fixture(scope="session")
def report(pytestconfig: pytest.Config) -> Report:
    """The run's report; written by `pytest_sessionfinish`, after every test has ended."""
    return pytestconfig.stash.setdefault(REPORTED, Report())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Every failure of a reliability test goes into the report, whichever phase it was in."""
    outcome: pytest.TestReport = yield
    if outcome.failed:
        error = call.excinfo.exconly() if call.excinfo else outcome.longreprtext
        report = item.config.stash.setdefault(REPORTED, Report())
        report.fail(item.nodeid, outcome.when, error[:2000])
    return outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    if (report := session.config.stash.get(REPORTED, None)) is not None:
        report.write()
