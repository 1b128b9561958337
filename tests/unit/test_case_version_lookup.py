"""The case reads' version lookups on a pool every query of the process shares: the reads that
ask in one turn of the event loop share one query; a lookup that fails or is cancelled
mid-query drops its connection (each of its reads then goes through the application, or stays
cancelled); only one that answered gives it back, even when one of its reads hung up."""

from __future__ import annotations

import asyncio
from typing import Any, cast
from uuid import uuid4

import asyncpg
import pytest

from services.case_api.version_lookups import VersionLookups


class Borrowed:
    """asyncpg's connection as SQLAlchemy's pool lends it: what `on_asyncpg` uses of it."""

    def __init__(self, outcome: Any) -> None:
        self.outcome, self.closed = outcome, False
        self.invalidated: BaseException | None = None
        self.driver_connection = self
        self.queries: list[tuple[Any, ...]] = []

    async def fetch(self, sql: str, cases: list[Any], others: list[Any], *, timeout: float) -> Any:
        self.queries.append((cases, others))
        await asyncio.sleep(0)  # a round trip
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return [self.outcome(case_id) for case_id in cases]

    def invalidate(self, error: BaseException) -> None:
        self.invalidated = error

    def close(self) -> None:
        self.closed = True


class Engine:
    def __init__(self, borrowed: Borrowed) -> None:
        self.borrowed = borrowed

    async def raw_connection(self) -> Borrowed:
        return self.borrowed


def _lookups(borrowed: Borrowed) -> VersionLookups:
    return VersionLookups(cast(Any, Engine(borrowed)), "SELECT")


async def test_an_answered_lookup_gives_its_connection_back() -> None:
    borrowed = Borrowed(lambda _case_id: (3, None))
    assert await _lookups(borrowed).latest(uuid4()) == (3, None)
    assert borrowed.closed and borrowed.invalidated is None


async def test_reads_asking_in_one_turn_share_one_query_and_each_gets_its_own_answer() -> None:
    cases = [uuid4() for _ in range(5)]
    versions = {case_id: (n + 1, None) for n, case_id in enumerate(cases)}
    borrowed = Borrowed(lambda case_id: versions[case_id])
    lookups = _lookups(borrowed)

    answers = await asyncio.gather(*(lookups.latest(case_id) for case_id in cases))

    assert answers == [versions[case_id] for case_id in cases]
    assert len(borrowed.queries) == 1 and borrowed.queries[0][0] == cases


async def test_a_read_asking_while_a_lookup_runs_waits_for_a_query_sent_after_it_asked() -> None:
    borrowed = Borrowed(lambda _case_id: (1, None))
    lookups = _lookups(borrowed)
    first = asyncio.ensure_future(lookups.latest(uuid4()))
    await asyncio.sleep(0)
    await asyncio.sleep(0)  # the first lookup is sent
    late = uuid4()
    await asyncio.gather(first, lookups.latest(late))
    assert [q[0] for q in borrowed.queries][-1] == [late]


async def test_a_case_with_no_event_reads_through_the_application() -> None:
    borrowed = Borrowed(lambda _case_id: (None, None))
    assert await _lookups(borrowed).latest(uuid4()) is None


@pytest.mark.parametrize("error", [asyncpg.InterfaceError("gone"), TimeoutError(), OSError()])
async def test_a_failed_lookup_drops_its_connection_and_its_reads_go_through_the_application(
    error: BaseException,
) -> None:
    borrowed = Borrowed(error)
    lookups = _lookups(borrowed)
    assert await asyncio.gather(lookups.latest(uuid4()), lookups.latest(uuid4())) == [None, None]
    assert borrowed.closed and borrowed.invalidated is error


async def test_a_read_that_hung_up_leaves_the_others_answered() -> None:
    borrowed = Borrowed(lambda _case_id: (2, 1))
    lookups = _lookups(borrowed)
    gone = asyncio.ensure_future(lookups.latest(uuid4()))
    staying = asyncio.ensure_future(lookups.latest(uuid4()))
    await asyncio.sleep(0)
    gone.cancel()

    assert await staying == (2, 1)
    assert gone.cancelled()
    assert borrowed.closed and borrowed.invalidated is None


async def test_a_cancelled_lookup_drops_its_connection_and_its_reads_stay_cancelled() -> None:
    stopped = asyncio.CancelledError()
    borrowed = Borrowed(stopped)
    with pytest.raises(asyncio.CancelledError):
        await _lookups(borrowed).latest(uuid4())
    assert borrowed.closed and borrowed.invalidated is stopped
