"""Fixtures of the reliability suite: fleets of real `redress` processes (always ended, even
when a test fails), a webhook receiver, and the run's report (artifacts/reliability.json)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
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
    """Figures the tests record, written to artifacts/reliability.json at the end of the run
    (the README's Reliability section quotes them)."""

    def __init__(self) -> None:
        self.sections: dict[str, dict[str, Any]] = {}

    def add(self, section: str, **figures: Any) -> None:
        self.sections.setdefault(section, {}).update(figures)

    def totals(self) -> dict[str, int]:
        def total(key: str) -> int:
            return sum(int(s.get(key, 0)) for s in self.sections.values())

        return {
            key: total(key) for key in ("faults_injected", "commands_acknowledged", "commands_lost")
        }

    def write(self) -> None:
        if not self.sections:
            return
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            **self.totals(),
            "tests": self.sections,
        }
        REPORT.write_text(json.dumps(body, indent=2) + "\n")


@pytest.fixture(scope="session")
def report() -> Iterator[Report]:
    collected = Report()
    yield collected
    collected.write()
