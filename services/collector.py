"""Python's garbage collector in Redress's long-running processes.

A full collection walks every object that may be in a reference cycle, holding the
interpreter lock, so every request in the process waits for it. An API worker holds about
190,000 such objects made at start-up (modules, routes, pydantic's schemas): walking them
took 50 ms idle and 90 to 270 ms under load. At the default thresholds each worker ran five
to nine of them in 25 s at 420 to 560 filings/s, because collecting every 700 new objects
promotes the objects of requests still in flight, which later die in the oldest generation
and so count toward its next full collection. The POST p99 was 36 ms at 420/s and 122 ms at
560/s (`python -m benchmarks.tails post 420 560`, 2026-12-06).

So once a process is set up, what it holds is frozen (`gc.freeze`: collections no longer walk
it, as the gc module's documentation advises for servers), and the youngest generation is
collected every 50,000 new objects instead of 700: a request's objects die young. In the same
run no full collection happened after start-up, the p99 was 14 ms and 20 ms, and each worker's
peak memory was 136 MB against 176 to 185 MB. Cycles are still collected, as before, in the
young generations where they form.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000  # new objects between two collections of the youngest generation


def freeze_startup() -> None:
    """Exempt everything alive now from future collections and collect the young less often.
    Called once a long-running process is set up; start-up's own garbage is collected first,
    so none of it is kept for good."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
