"""What an operator sees of a process: its version, its log level, quiet library loggers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from importlib.metadata import version

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from services.entrypoints.cli import app
from services.observability import configure_logging
from services.settings import Settings


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = logging.getLogger("apscheduler").level
    yield
    root.handlers[:], root.level = handlers, level
    logging.getLogger("apscheduler").setLevel(quiet)


def test_redress_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"redress {version('redress')}"


def test_the_log_level_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().log_level == "INFO"
    monkeypatch.setenv("REDRESS_LOG_LEVEL", "WARNING")
    assert Settings().log_level == "WARNING"
    monkeypatch.setenv("REDRESS_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.usefixtures("restored_logging")
def test_configure_logging_applies_the_level() -> None:
    configure_logging("WARNING")
    assert not logging.getLogger("services.anything").isEnabledFor(logging.INFO)
    assert logging.getLogger("services.anything").isEnabledFor(logging.WARNING)


@pytest.mark.usefixtures("restored_logging")
def test_apscheduler_says_nothing_per_run_at_info() -> None:
    configure_logging("INFO")  # what `redress serve` does, with the scheduler in-process
    assert not logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.INFO)
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.WARNING)
    configure_logging("DEBUG")
    assert logging.getLogger("apscheduler.executors.default").isEnabledFor(logging.DEBUG)
