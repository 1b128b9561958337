"""The group commit's writer thread: its CPU for a commit of one filing, with personal data
sealed and with sealing switched off (not part of `make bench`). Every commit goes through that
one thread, so what it spends a commit bounds the rate of commits.

In process, on a fresh PostgreSQL database: 600 filings one at a time (so a commit each), a
new consumer each (a new subject key each), the thread's CPU read from /proc around them;
rounds alternate sealed and not.

    python -m benchmarks.writer_cpu [ROUNDS]      (default 3 of each)

Run it from another tree with PYTHONPATH=<tree> to compare trees.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
from datetime import UTC, datetime

from benchmarks.harness import fresh_database, thread_cpu
from benchmarks.sealing_bench import _app_with_shop, _filing, _no_sealing
from domain.actors import Actor, By

FILINGS = 600


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with fresh_database("writer") as url:
        app = _app_with_shop(url)
        sealing = app.keyring.sealing
        by = By.at(Actor("consumer", "bench"), datetime.now(UTC))
        for _ in range(200):  # warm up: connections, caches, the writer thread
            app.submit_case(by, _filing())
        [writer] = [t.native_id for t in threading.enumerate() if "commit" in t.name.lower()]
        spent: dict[bool, list[float]] = {True: [], False: []}
        for round_ in range(rounds * 2):
            sealed = round_ % 2 == 0
            app.keyring.sealing = sealing if sealed else _no_sealing  # type: ignore[method-assign]
            before = thread_cpu(os.getpid())[writer]
            for _ in range(FILINGS):
                app.submit_case(by, _filing())
            spent[sealed].append((thread_cpu(os.getpid())[writer] - before) / FILINGS * 1e6)
        app.close()
    for sealed in (True, False):
        runs = ", ".join(f"{us:.0f}" for us in spent[sealed])
        print(
            f"writer CPU a commit of one filing, {'sealed' if sealed else 'sealing off'}: "
            f"median {statistics.median(spent[sealed]):.0f} µs ({runs})"
        )


if __name__ == "__main__":
    main()
