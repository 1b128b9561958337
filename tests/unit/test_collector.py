"""Long-running processes freeze what start-up made and collect the young less often
(services.collector). Run in a child interpreter: the collector's settings are the process's."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import gc, weakref
    from services.collector import YOUNG_THRESHOLD, freeze_startup

    made_at_start = [object() for _ in range(1000)]
    freeze_startup()
    assert gc.get_freeze_count() >= len(made_at_start), gc.get_freeze_count()
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD, gc.get_threshold()

    class Node:
        pass

    cycle = Node()
    cycle.me = cycle  # garbage only a collection can free
    gone = weakref.ref(cycle)
    del cycle
    gc.collect(0)
    assert gone() is None, "a cycle made after start-up is still collected"
    print("ok")
    """
)


def test_start_up_is_frozen_and_later_cycles_are_still_collected() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
