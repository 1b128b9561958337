"""An idempotent request's answer, committed in the same transaction as the events it caused.

The API claims an `Idempotency-Key` before the request runs and stores the answer after it
(services.case_api.idempotency). Were the answer a second write, a process killed between the
events' commit and that write would leave the key "running": a retry would get 409, and once
the claim was abandoned, run the command again. So a command that records events hands its
answer to the event store along with them (`Outcome`); the recorders write both in one commit
(services.eventstore.recorders), and a retry after a crash replays the original answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

KEEP_FOR = timedelta(hours=24)  # an Idempotency-Key replays its answer this long

# What the client will be told, from the case's new state: (status, kept headers, body).
Answer = Callable[[dict[str, Any]], tuple[int, dict[str, str], str]]


@dataclass
class Claim:
    """The key this request holds (set by the API's idempotency layer for the request)."""

    scope: str
    key: str
    settled: bool = False  # its answer was committed with the events


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    status: int
    headers: dict[str, str]
    body: str

    def row(self) -> tuple[int, str, str, str, str]:
        """The parameters of SETTLE, in order."""
        return (
            self.status,
            json.dumps(self.headers),
            self.body,
            self.claim.scope,
            self.claim.key,
        )


CLAIM: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)

# Parameters in `?` style; the PostgreSQL recorder swaps in `%s`.
SETTLE = (
    "UPDATE idempotency_keys SET state = 'done', status_code = ?, headers = ?, body = ? "
    "WHERE scope = ? AND key = ?"
)


def outcome_of(answer: Answer | None, state: dict[str, Any]) -> Outcome | None:
    """The answer to commit with this request's events, if the request holds a key."""
    claim = CLAIM.get()
    if claim is None or answer is None:
        return None
    status, headers, body = answer(state)
    return Outcome(claim, status, headers, body)
