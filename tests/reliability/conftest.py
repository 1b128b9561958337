"""Fixtures of the reliability suite: fleets of real `redress` processes (always ended, even
when a test fails), a webhook receiver, and the run's report (artifacts/reliability.json)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from support.processes import Fleet
from support.reliability_report import Report
from support.traffic import process_env
from support.webhook_receiver import Receiver


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
