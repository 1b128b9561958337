"""Python's garbage collector in Redress's long-running processes.

A full collection walks every object that may be in a reference cycle, holding the
interpreter lock, so every request in the process waits for it. An API worker holds about
190,000 such objects made at start-up (modules, routes, pydantic's schemas): walking them
took 50 ms idle and about 100 ms under load. At the default thresholds a worker ran one
about every 8 s at 420 filings/s, because collecting the young every 700 new objects
promotes the objects of requests still in flight, which later die in the oldest generation
and so count toward its next full collection.

So once a process is set up, what it holds is frozen (`gc.freeze`: collections no longer walk
it, as the gc module's documentation advises for servers), and the youngest generation is
collected every 50,000 new objects instead of 700: a request's objects die young. Cycles are
still collected, as before, in the young generations where they form. The figures, before
and after (no full collection while serving, the POST p99 at 420/s from 11 to 67 ms down to
7 ms): the README's fifth pass, `python -m benchmarks.gc_pauses`.
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
