"""The reliability run's report (artifacts/reliability.json): its figures and its failures."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPORT = Path(os.environ.get("REDRESS_RELIABILITY_REPORT", ROOT / "artifacts" / "reliability.json"))


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
