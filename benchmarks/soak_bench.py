"""The reliability soak (issue 9): the CI-sized suite of tests/reliability, run longer.

- SIGKILL under load, 2,000 acknowledged commands, each process type killed 3 times (12 kills);
- PostgreSQL restarted (5 s away) and then away for 30 s, under load;
- the schema fuzz of tests/integration/api/test_schema_fuzz.py, counting the requests it sends.

Each runs as `pytest` in a process of its own (the tests own their processes, databases and
clean-up); the figures come from the report the suite writes (artifacts/reliability.json in
`make test`, benchmarks/results/soak-reliability.json here) and from the fuzz count. The suite
records each figure before asserting on it, so a missed bound shows as "no" beside the figure
that missed it, a figure its test never reached is not a number and "no", and whether each
pytest run passed as a whole is a row of its own; `python -m benchmarks` then exits 1.

python -m benchmarks --only soak, or python -m benchmarks.soak_bench

This module is also a pytest plugin: `pytest -p benchmarks.soak_bench ...` with
REDRESS_FUZZ_COUNT=FILE counts every request schemathesis sends and writes the count there.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Figure

SECTION = "reliability"
RESULTS = ROOT / "benchmarks" / "results"
COMMANDS, ROUNDS, OUTAGE = 2000, 3, 30
FUZZ_COUNT = "REDRESS_FUZZ_COUNT"
_fuzzed = [0]


def run() -> list[Figure]:
    RESULTS.mkdir(exist_ok=True)
    report, fuzz = RESULTS / "soak-reliability.json", RESULTS / "soak-fuzz.json"
    report.unlink(missing_ok=True)
    fuzz.unlink(missing_ok=True)
    suite = _pytest(
        "soak-reliability",
        "tests/reliability/test_sigkill_under_load.py",
        "tests/reliability/test_postgres_restart.py",
        REDRESS_RELIABILITY_REPORT=str(report),
        REDRESS_SOAK_COMMANDS=str(COMMANDS),
        REDRESS_SOAK_ROUNDS=str(ROUNDS),
        REDRESS_SOAK_OUTAGE=str(OUTAGE),
    )
    fuzzing = _pytest(
        "soak-fuzz",
        "-p",
        "benchmarks.soak_bench",
        "tests/integration/api/test_schema_fuzz.py",
        **{FUZZ_COUNT: str(fuzz)},
    )
    measured = json.loads(report.read_text()) if report.exists() else {}
    fuzzed = json.loads(fuzz.read_text())["requests"] if fuzz.exists() else None
    return [*figures(measured, fuzzed), *verdicts(suite, fuzzing)]


def figures(report: dict[str, Any], fuzzed: int | None) -> list[Figure]:
    """The soak's figures, each from what the suite measured; a figure the suite did not get
    to (its test failed first) is not a number and does not meet its target."""
    tests = report.get("tests", {})
    kills, outages = tests.get("sigkill_under_load", {}), tests.get("postgres_outages", {})
    lost = _sum(kills.get("commands_lost"), outages.get("commands_lost"))
    restart = outages.get("recovery_after_restart_seconds")
    long_outage = outages.get("recovery_after_long_outage_seconds")
    delivered, expected = kills.get("events_delivered"), kills.get("events_expected")
    return [
        Figure(
            SECTION,
            f"commands acknowledged under faults ({report.get('faults_injected', '?')} injected)",
            _number(report.get("commands_acknowledged")),
            "commands",
            extra={
                "requests": _number(_sum(kills.get("commands_sent"), outages.get("commands_sent")))
            },
        ),
        Figure(
            SECTION,
            "acknowledged commands lost",
            _number(lost),
            "commands",
            target="0",
            met=lost == 0,
        ),
        Figure(
            SECTION,
            f"events delivered to the webhook at least once ({kills.get('faults_injected')} kills)",
            _number(delivered),
            "events",
            target=f"all {expected}",
            met=expected is not None and delivered == expected,
            extra={"requests": _number(kills.get("webhook_requests"))},
        ),
        Figure(
            SECTION,
            f"recovery after a PostgreSQL restart ({outages.get('restart_seconds', '?')} s away)",
            _number(restart),
            "s",
            target="<= 10 s",
            met=restart is not None and restart <= 10,
        ),
        Figure(
            SECTION,
            f"recovery after a {outages.get('long_outage_seconds', '?')} s PostgreSQL outage",
            _number(long_outage),
            "s",
            target="<= 10 s",
            met=long_outage is not None and long_outage <= 10,
        ),
        Figure(
            SECTION,
            "requests fuzzed (schemathesis, both backends)",
            _number(fuzzed),
            "requests",
            target=">= 2,000",
            met=fuzzed is not None and fuzzed >= 2000,
        ),
    ]


def verdicts(suite: Ran, fuzzing: Ran) -> list[Figure]:
    """Whether each pytest run passed as a whole: a check the figures above do not count (a
    deadline fired twice, read models unequal to a replay) fails it."""
    return [
        Figure(
            SECTION,
            f"{ran.name}: tests failed (log: {ran.log.relative_to(ROOT)})",
            ran.failed,
            "tests",
            target="0",
            met=ran.returncode == 0,
            extra={"passed": ran.passed, "exit code": ran.returncode},
        )
        for ran in (suite, fuzzing)
    ]


@dataclass(frozen=True)
class Ran:
    name: str
    returncode: int
    passed: int
    failed: int
    log: Path


def _pytest(name: str, *args: str, **env: str) -> Ran:
    """Run pytest; its output goes to results/NAME.log, and its outcome is returned (a failed
    run is a figure that missed its target, not an exception that loses the others)."""
    log = RESULTS / f"{name}.log"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    ran = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    log.write_text(f"$ {' '.join(command)}\n{ran.stdout}{ran.stderr}")
    summary = ran.stdout.strip().splitlines()[-1] if ran.stdout.strip() else ""
    return Ran(
        name,
        ran.returncode,
        _count(summary, "passed"),
        _count(summary, "failed") + _count(summary, "error"),
        log,
    )


def _count(summary: str, outcome: str) -> int:
    """How many tests pytest's last line ("3 passed, 1 failed in 9.1s") says had `outcome`."""
    found = re.search(rf"(\d+) {outcome}", summary)
    return int(found.group(1)) if found else 0


def _sum(*values: int | None) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _number(value: float | None) -> float:
    return float("nan") if value is None else value


# -- the pytest plugin that counts the fuzzer's requests ----------------------------------------


def pytest_configure(config: Any) -> None:
    if not os.environ.get(FUZZ_COUNT):
        return
    import schemathesis

    call = schemathesis.Case.call

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        _fuzzed[0] += 1
        return call(self, *args, **kwargs)

    schemathesis.Case.call = counted  # type: ignore[method-assign]


def pytest_unconfigure(config: Any) -> None:
    if path := os.environ.get(FUZZ_COUNT):
        Path(path).write_text(json.dumps({"requests": _fuzzed[0]}))


if __name__ == "__main__":
    measured = run()
    for figure in measured:
        print(figure)
    sys.exit(1 if any(figure.failed for figure in measured) else 0)
