"""The deadline engine: which timers a case has after each of its events.

A case's pending deadlines change only through its events. For every event the engine drops
the deadlines the event cancels (all of them when the case ends), then arms the policy's rules
that the event starts. A timeout event happens at its deadline's `due_at`, so a chained
deadline counts from the previous `due_at`, never from when the scheduler ran.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.calendar import BusinessCalendar, clock_after, months_later
from domain.policies.schema import DeadlineRule, Duration, Policy


@dataclass(frozen=True)
class Deadline:
    id: str
    kind: str
    due_at: datetime
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "due_at": self.due_at, "action": self.action}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Deadline:
        return cls(raw["id"], raw["kind"], raw["due_at"], raw["action"])


@dataclass(frozen=True)
class CaseFacts:
    """What deadline rules may depend on."""

    kind: str
    certified: bool
    goods_category: str | None
    escalated: bool = False  # staff have the case (from filing, for a platform-handled kind)
    delivered_at: datetime | None = None  # the order's delivery, for rules counted from it

    def satisfies(self, condition: str) -> bool:
        if condition in ("certified", "not_certified"):
            return self.certified == (condition == "certified")
        if condition in ("escalated", "not_escalated"):
            return self.escalated == (condition == "escalated")
        name, _, value = condition.partition(":")
        actual = self.kind if name.endswith("kind") else self.goods_category
        return (actual == value) != name.startswith("not_")


def due_after(start: datetime, duration: Duration, calendar: BusinessCalendar) -> datetime:
    value = duration.value
    match duration.unit:
        case "work_days":
            return calendar.full_work_days_after(start, int(value))
        case "work_hours":
            return calendar.work_hours_after(start, float(value))
        case "business_minutes":
            return calendar.business_minutes_after(start, float(value))
        case "hours":
            return clock_after(start, hours=float(value))
        case "months":
            return months_later(start.astimezone(UTC), int(value))
        case _:
            return clock_after(start, days=float(value))


def triggers(
    event_type: str, qualifier: str | None = None, timeout_kind: str | None = None
) -> frozenset[str]:
    """The tokens an event answers to in a rule's `start` and `cancel_on`."""
    tokens = {event_type}
    if qualifier:
        tokens.add(f"{event_type}:{qualifier}")
    if timeout_kind:
        tokens.add(f"timeout:{timeout_kind}")
    return frozenset(tokens)


def next_deadlines(
    policy: Policy,
    calendar: BusinessCalendar,
    facts: CaseFacts,
    pending: Sequence[Deadline],
    tokens: Iterable[str],
    *,
    at: datetime,
    sequence: int,
    case_ends: bool = False,
    fired: str | None = None,
) -> list[Deadline]:
    """The pending deadlines after an event with these `tokens` at `at`."""
    tokens = frozenset(tokens)
    rules_by_kind = {rule.kind: rule for rule in policy.deadlines}
    kept: list[Deadline] = []
    if not case_ends:
        for deadline in pending:
            rule = rules_by_kind.get(deadline.kind)
            cancelled = rule is not None and tokens.intersection(rule.cancel_on)
            if deadline.id != fired and not cancelled:
                kept.append(deadline)
    armed_kinds = {d.kind for d in kept}
    for rule in _rules_started(policy, facts, tokens):
        if rule.kind in armed_kinds:
            continue  # one timer of a kind at a time; the running one stands
        armed_kinds.add(rule.kind)
        start = at
        if rule.counted_from == "delivered_at" and facts.delivered_at is not None:
            start = facts.delivered_at
        kept.append(
            Deadline(
                id=f"{rule.kind}-{sequence}",
                kind=rule.kind,
                due_at=due_after(start, rule.after, calendar).astimezone(UTC),
                action=rule.action,
            )
        )
    return sorted(kept, key=lambda d: (d.due_at, d.id))


def _rules_started(policy: Policy, facts: CaseFacts, tokens: frozenset[str]) -> list[DeadlineRule]:
    """The first rule of each kind whose `start` matches and whose conditions hold."""
    chosen: dict[str, DeadlineRule] = {}
    for rule in policy.deadlines:
        if rule.kind in chosen:
            continue
        # Whether the event starts the rule first: few do, and that is cheaper to ask.
        starts = tokens.intersection(rule.start) or (
            rule.repeat and f"timeout:{rule.kind}" in tokens
        )
        if starts and all(facts.satisfies(c) for c in rule.when):
            chosen[rule.kind] = rule
    return list(chosen.values())


def resume_paused(paused: Sequence[dict[str, Any]], at: datetime) -> list[Deadline]:
    """Paused deadlines run again with the time they had left."""
    return [
        Deadline(p["id"], p["kind"], at + timedelta(seconds=p["remaining_seconds"]), p["action"])
        for p in paused
    ]


def pause(pending: Sequence[Deadline], at: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": d.id,
            "kind": d.kind,
            "action": d.action,
            "remaining_seconds": max(0, int((d.due_at - at).total_seconds())),
        }
        for d in pending
    ]
