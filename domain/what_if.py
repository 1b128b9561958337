"""What a policy change would move: each pending deadline of an open case, due now under its
recorded policy and due then under another version. Nothing is recorded.

A deadline is worked out again from the same start and calendar under the other version's
row of the same kind (one the other version no longer has is listed as removed). A paused
deadline runs on its remaining time, which a policy change does not alter, so it is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from domain.case_events import CaseEvent
from domain.deadlines import due_after
from domain.explain import facts_at, origin
from domain.policies.schema import Policy


def moved_deadlines(
    events: Sequence[CaseEvent], current: Policy, other: Policy, now: datetime
) -> list[dict[str, Any]]:
    """The case's pending deadlines whose due time would differ under `other`."""
    head = events[-1]
    moved = []
    for pending in head.deadlines:
        found = origin(current, events, pending["id"])
        if found.pauses:
            continue
        facts = facts_at(events, found.armed_by)
        rules = [
            r
            for r in other.deadlines
            if r.kind == found.rule.kind and all(facts.satisfies(c) for c in r.when)
        ]
        due_now = found.deadline.due_at
        due_then = (
            due_after(found.start, rules[0].after, found.calendar).astimezone(UTC)
            if rules
            else None
        )
        if due_then == due_now:
            continue
        moved.append(
            {
                "deadline_id": found.deadline.id,
                "kind": found.deadline.kind,
                "due_now": due_now,
                "due_then": due_then,
                "overdue_then": due_then is not None and due_then <= now,
            }
        )
    return moved
