"""A case's statuses, how it may end, and its one transition table (SPEC.md, "Case status").

`TRANSITIONS` says, for each command, the statuses it may run in and those its events may
leave the case in. Commands check the first half (`Case` calls `allowed`); the events'
`evolve` move the case, each to a status listed here (tests/unit/test_status_table.py checks
both halves against the code). Nothing here imports the aggregate or its events.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from domain.errors import NotAllowedInStatus


class Status(StrEnum):
    AWAITING_STORE = "awaiting_store"
    IN_PROGRESS = "in_progress"
    AWAITING_CONSUMER = "awaiting_consumer"
    CLOSED = "closed"
    ESCALATED = "escalated"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"


STATUSES = tuple(s.value for s in Status)  # plain strings: read models key counts by them
OPEN = frozenset(
    {Status.AWAITING_STORE, Status.IN_PROGRESS, Status.AWAITING_CONSUMER, Status.ESCALATED}
)
TERMINAL = frozenset({Status.CLOSED, Status.WITHDRAWN})

# How a case ends (PLATFORMS.md, "How a case ends"): exactly one of these, recorded by the
# event that ends it.
Resolution = Literal[
    "agreed",
    "refunded",
    "auto_approved",
    "ruled_for_consumer",
    "ruled_for_store",
    "protection_refund",
    "consumer_closed",
    "consumer_gave_up",
    "withdrawn",
]
RESOLUTIONS: tuple[str, ...] = Resolution.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Transition:
    action: str  # the command in words, for a refusal: "cannot {action} a case that is ..."
    runs_in: frozenset[Status]
    leaves_in: frozenset[Status]


def _t(action: str, runs_in: frozenset[Status], *leaves_in: Status) -> Transition:
    return Transition(action, runs_in, frozenset(leaves_in))


S = Status
_STORE_HAS_IT = frozenset({S.AWAITING_STORE, S.IN_PROGRESS, S.ESCALATED})
_MOVES_ON = (S.AWAITING_STORE, S.IN_PROGRESS, S.ESCALATED)  # awaiting_store -> in_progress
_ENDED = (S.CLOSED,)
_ANY = frozenset(Status)

TRANSITIONS: dict[str, Transition] = {
    "respond": _t("respond to", _STORE_HAS_IT, *_MOVES_ON),
    "store_close": _t("close", _STORE_HAS_IT, S.AWAITING_CONSUMER),
    "decide": _t(
        "decide on",
        frozenset({S.AWAITING_STORE, S.IN_PROGRESS}),
        S.IN_PROGRESS,
        S.AWAITING_CONSUMER,
        *_ENDED,
    ),
    "diagnose": _t("diagnose", _STORE_HAS_IT, *_MOVES_ON),
    "receive_return": _t("receive a return for", _STORE_HAS_IT, *_MOVES_ON),
    "ship_return": _t("ship a return for", _STORE_HAS_IT, *_MOVES_ON),
    "approve": _t("approve", frozenset({S.AWAITING_CONSUMER}), *_ENDED),
    "reject": _t("reject", frozenset({S.AWAITING_CONSUMER}), S.IN_PROGRESS, S.ESCALATED),
    "ask_arbitration": _t("ask arbitration on", frozenset({S.AWAITING_CONSUMER}), S.ESCALATED),
    "withdraw": _t("withdraw", OPEN | {S.SUSPENDED}, S.WITHDRAWN),
    "consumer_close": _t("close", OPEN, *_ENDED),
    "escalate": _t("escalate", OPEN - {S.ESCALATED}, S.ESCALATED),
    "refund": _t("refund", OPEN, *OPEN, *_ENDED),
    "rule": _t("rule on", frozenset({S.ESCALATED}), S.ESCALATED, *_ENDED),
    "change_policy_version": _t(
        "move to another policy version", OPEN | {S.SUSPENDED}, *OPEN, S.SUSPENDED
    ),
    "record_settlement": _t("record a settlement on", OPEN | {S.SUSPENDED}, *OPEN, S.SUSPENDED),
    "suspend": _t("suspend", OPEN, S.SUSPENDED),
    "record_suspension_proof": _t("record proof for", frozenset({S.SUSPENDED}), S.SUSPENDED),
    "resume": _t("resume", frozenset({S.SUSPENDED}), *OPEN),
    # Messages, payout and repayment bookkeeping: any status, and the case stays in it.
    "post_message": _t("post a message on", _ANY, *Status),
    "confirm_payout": _t("confirm a payout on", _ANY, *Status),
    "record_repayment": _t("record a repayment on", _ANY, *Status),
    # The scheduler: an expired deadline acts wherever the case is (its rows say when).
    "time_out": _t("time out", _ANY, *Status),
}


def allowed(status: str, command: str) -> None:
    """Refuse `command` on a case in `status` unless the table lets it run there."""
    runs_in = TRANSITIONS[command].runs_in
    if status not in runs_in:
        raise NotAllowedInStatus(
            f"cannot {TRANSITIONS[command].action} a case that is {status} "
            f"(allowed when {', '.join(sorted(runs_in))})"
        )
