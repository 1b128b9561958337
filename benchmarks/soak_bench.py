"""The reliability soak (issue 9): the CI-sized suite of tests/reliability, run longer.

- SIGKILL under load, 2,000 acknowledged commands, each process type killed 3 times (12 kills);
- PostgreSQL restarted (5 s away) and then away for 30 s, under load;
- the schema fuzz of tests/integration/api/test_schema_fuzz.py, counting the requests it sends.

Each runs as `pytest` in a process of its own (the tests own their processes, databases and
clean-up); the figures come from the report the suite writes (artifacts/reliability.json in
`make test`, benchmarks/results/soak-reliability.json here) and from the fuzz count.

python -m benchmarks --only soak, or python -m benchmarks.soak_bench

This module is also a pytest plugin: `pytest -p benchmarks.soak_bench ...` with
REDRESS_FUZZ_COUNT=FILE counts every request schemathesis sends and writes the count there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
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
    _pytest(
        "tests/reliability/test_sigkill_under_load.py",
        "tests/reliability/test_postgres_restart.py",
        REDRESS_RELIABILITY_REPORT=str(report),
        REDRESS_SOAK_COMMANDS=str(COMMANDS),
        REDRESS_SOAK_ROUNDS=str(ROUNDS),
        REDRESS_SOAK_OUTAGE=str(OUTAGE),
    )
    _pytest(
        "-p",
        "benchmarks.soak_bench",
        "tests/integration/api/test_schema_fuzz.py",
        **{FUZZ_COUNT: str(fuzz)},
    )
    return figures(json.loads(report.read_text()), json.loads(fuzz.read_text())["requests"])


def figures(report: dict[str, Any], fuzzed: int) -> list[Figure]:
    kills, outages = report["tests"]["sigkill_under_load"], report["tests"]["postgres_outages"]
    acknowledged = report["commands_acknowledged"]
    return [
        Figure(
            SECTION,
            f"commands acknowledged under faults ({report['faults_injected']} injected)",
            acknowledged,
            "commands",
            extra={"requests": kills["commands_sent"] + outages["commands_sent"]},
        ),
        Figure(
            SECTION,
            "acknowledged commands lost",
            report["commands_lost"],
            "commands",
            target="0",
            met=report["commands_lost"] == 0,
        ),
        Figure(
            SECTION,
            f"events delivered to the webhook, at least once ({kills['faults_injected']} kills)",
            kills["events_delivered"],
            "events",
            extra={"requests": kills["webhook_requests"]},
        ),
        Figure(
            SECTION,
            f"recovery after a PostgreSQL restart ({outages['restart_seconds']:g} s away)",
            outages["recovery_after_restart_seconds"],
            "s",
            target="<= 10 s",
            met=outages["recovery_after_restart_seconds"] <= 10,
        ),
        Figure(
            SECTION,
            f"recovery after a {outages['long_outage_seconds']:g} s PostgreSQL outage",
            outages["recovery_after_long_outage_seconds"],
            "s",
            target="<= 10 s",
            met=outages["recovery_after_long_outage_seconds"] <= 10,
        ),
        Figure(
            SECTION,
            "requests fuzzed (schemathesis, both backends)",
            fuzzed,
            "requests",
            target=">= 2,000",
            met=fuzzed >= 2000,
        ),
    ]


def _pytest(*args: str, **env: str) -> None:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    ran = subprocess.run(
        command, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=False
    )
    if ran.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{ran.stdout[-8000:]}{ran.stderr[-4000:]}")


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
    for figure in run():
        print(figure)
