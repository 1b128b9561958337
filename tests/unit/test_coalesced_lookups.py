"""One look-up serves every caller that asked before it began, and only those
(services.case_api.case_list_reads.Coalesced)."""

from __future__ import annotations

import asyncio

import pytest

from services.case_api.case_list_reads import Coalesced


async def test_callers_waiting_together_share_one_look_up() -> None:
    started: list[int] = []

    async def look_up() -> int:
        started.append(len(started) + 1)
        await asyncio.sleep(0)
        return started[-1]

    coalesced = Coalesced(look_up)
    assert await asyncio.gather(*(coalesced() for _ in range(10))) == [1] * 10
    assert started == [1]


async def test_a_caller_arriving_during_a_look_up_gets_the_next_one() -> None:
    release, begun = asyncio.Event(), asyncio.Event()
    runs = 0

    async def look_up() -> int:
        nonlocal runs
        runs += 1
        begun.set()
        await release.wait()
        return runs

    coalesced = Coalesced(look_up)
    early = asyncio.create_task(coalesced())
    await begun.wait()  # the first look-up is under way: what it read may predate these
    late = [asyncio.create_task(coalesced()) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    assert await early == 1
    assert await asyncio.gather(*late) == [2, 2, 2]


async def test_a_failed_look_up_fails_its_callers_and_not_the_next() -> None:
    outcomes = iter([RuntimeError("down"), 7])

    async def look_up() -> int:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    coalesced = Coalesced(look_up)
    with pytest.raises(RuntimeError):
        await coalesced()
    assert await coalesced() == 7


async def test_a_cancelled_caller_leaves_the_others_their_answer() -> None:
    release = asyncio.Event()

    async def look_up() -> int:
        await release.wait()
        return 1

    coalesced = Coalesced(look_up)
    gone, stays = asyncio.create_task(coalesced()), asyncio.create_task(coalesced())
    await asyncio.sleep(0)
    gone.cancel()
    release.set()
    assert await stays == 1
