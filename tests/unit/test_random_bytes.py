"""The random bytes that keys, key ids and nonces are cut from (services.eventstore.subject_keys):
drawn from the OS a pool at a time, and never handed out twice: not within a thread, not to
two threads, not to a forked child and its parent (AES-GCM under one key must never see one
nonce twice, and two processes must never make one key)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from services.eventstore.subject_keys import RANDOM_POOL, random_bytes


def test_bytes_are_never_handed_out_twice_and_pools_refill() -> None:
    drawn = [random_bytes(12) for _ in range(3 * RANDOM_POOL // 12)]  # three pools' worth
    assert all(len(piece) == 12 for piece in drawn)
    assert len(set(drawn)) == len(drawn)
    assert len(random_bytes(RANDOM_POOL + 1)) == RANDOM_POOL + 1  # larger than a pool


def test_threads_draw_from_pools_of_their_own() -> None:
    with ThreadPoolExecutor(8) as pool:
        drawn = list(pool.map(lambda _: [random_bytes(16) for _ in range(300)], range(8)))
    everything = [piece for pieces in drawn for piece in pieces]
    assert len(set(everything)) == len(everything)


def test_a_forked_child_does_not_reuse_its_parents_unused_bytes() -> None:
    random_bytes(16)  # this thread's pool now holds unused bytes
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the child: send what it draws, then leave at once
        os.write(writer, random_bytes(16))
        os._exit(0)
    os.close(writer)
    from_child = os.read(reader, 16)
    os.close(reader)
    os.waitpid(child, 0)
    assert len(from_child) == 16
    assert from_child != random_bytes(16)  # the parent's next bytes, which the child holds too
