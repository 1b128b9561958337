"""The case reads' version lookup on a pool every query of the process shares: a lookup that
fails or is cancelled mid-query drops its connection; only one that answered gives it back."""

from __future__ import annotations

import asyncio
from typing import Any, cast
from uuid import uuid4

import asyncpg
import pytest

from services.case_api.case_reads import CaseReads


class Borrowed:
    def __init__(self, outcome: Any) -> None:
        self.outcome, self.closed = outcome, False
        self.invalidated: BaseException | None = None
        self.driver_connection = self

    async def fetchrow(self, *args: Any, timeout: float) -> Any:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome

    def invalidate(self, error: BaseException) -> None:
        self.invalidated = error

    def close(self) -> None:
        self.closed = True


class Engine:
    def __init__(self, borrowed: Borrowed) -> None:
        self.borrowed = borrowed

    async def raw_connection(self) -> Borrowed:
        return self.borrowed


def _reads(borrowed: Borrowed) -> CaseReads:
    reads = CaseReads.__new__(CaseReads)
    reads._engine, reads._latest = cast(Any, Engine(borrowed)), "SELECT"
    return reads


async def test_an_answered_lookup_gives_its_connection_back() -> None:
    borrowed = Borrowed((3, None))
    assert await _reads(borrowed).latest_versions(uuid4()) == (3, None)
    assert borrowed.closed and borrowed.invalidated is None


@pytest.mark.parametrize("error", [asyncpg.InterfaceError("gone"), TimeoutError(), OSError()])
async def test_a_failed_lookup_drops_its_connection_and_reads_through_the_application(
    error: BaseException,
) -> None:
    borrowed = Borrowed(error)
    assert await _reads(borrowed).latest_versions(uuid4()) is None
    assert borrowed.closed and borrowed.invalidated is error


async def test_a_cancelled_lookup_drops_its_connection_and_stays_cancelled() -> None:
    stopped = asyncio.CancelledError()
    borrowed = Borrowed(stopped)
    with pytest.raises(asyncio.CancelledError):
        await _reads(borrowed).latest_versions(uuid4())
    assert borrowed.closed and borrowed.invalidated is stopped
