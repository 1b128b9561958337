"""Why a deadline is due when it is: the policy row, the start, the budget, and every stretch
of time between start and due, counted or not, with the calendar's reason.

Everything is worked out again from the case's history and its policy, so an explanation of
a deadline reads the same at any later version. The counted segments add up to the budget:
whole work days for `work_days`, time for every other unit (a pause spends none of it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from domain.calendar import BusinessCalendar
from domain.case_events import CaseEvent, Resumed, Suspended
from domain.deadlines import CaseFacts, Deadline
from domain.policies.schema import DeadlineRule, Policy


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    counted: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start, "to": self.end, "counted": self.counted, "reason": self.reason}


class DeadlineUnknown(LookupError):
    """No event of the case ever held a deadline with this id."""


@dataclass(frozen=True)
class Origin:
    """Where a deadline came from: the event that armed it, the rule, and its clock."""

    deadline: Deadline  # as last pending
    armed_by: CaseEvent
    last_seen: CaseEvent
    rule: DeadlineRule
    calendar: BusinessCalendar
    start: datetime
    pauses: list[tuple[datetime, datetime, str]]


def origin(policy: Policy, events: Sequence[CaseEvent], deadline_id: str) -> Origin:
    held = [e for e in events if _holds(e, deadline_id)]
    if not held:
        raise DeadlineUnknown(deadline_id)
    armed, last_seen = held[0], held[-1]
    deadline = next(Deadline.from_dict(d) for d in last_seen.deadlines if d["id"] == deadline_id)
    calendar = BusinessCalendar.from_dict(events[0].calendar)  # type: ignore[attr-defined]
    facts = facts_at(events, armed)
    rule = _rule(policy, deadline.kind, facts)
    start = armed.occurred_at
    if rule.counted_from == "delivered_at" and facts.delivered_at is not None:
        start = facts.delivered_at
    return Origin(deadline, armed, last_seen, rule, calendar, start, _pauses(events, deadline_id))


def explain(policy: Policy, events: Sequence[CaseEvent], deadline_id: str) -> dict[str, Any]:
    """Explain one deadline (pending or past) of the case whose history is `events`."""
    found = origin(policy, events, deadline_id)
    deadline, calendar = found.deadline, found.calendar
    segments = _segments(found.rule, calendar, found.start, deadline.due_at, found.pauses)
    return {
        "deadline_id": deadline_id,
        "kind": deadline.kind,
        "action": deadline.action,
        "policy": policy.platform,
        "policy_version": getattr(policy, "version", None),
        "row": found.rule.note,
        "started_by": {
            "type": type(found.armed_by).__name__,
            "version": found.armed_by.originator_version,
        },
        "started_at": found.start,
        "budget": describe_budget(found.rule),
        "calendar": calendar.as_dict(),
        "segments": [s.as_dict() for s in segments],
        "due_at": deadline.due_at,
        "due_at_local": deadline.due_at.astimezone(calendar.zone).isoformat(),
        "outcome": _outcome(events, found.last_seen, deadline_id),
    }


def describe_budget(rule: DeadlineRule) -> str:
    units = {
        "work_days": "full work days",
        "work_hours": "hours on work days",
        "business_minutes": "business minutes",
        "hours": "hours",
        "days": "days",
        "months": "calendar months",
    }
    value = rule.after.value
    shown = int(value) if value == int(value) else value
    return f"{shown} {units[rule.after.unit]}"


def _holds(event: CaseEvent, deadline_id: str) -> bool:
    return any(d["id"] == deadline_id for d in event.deadlines)


def facts_at(events: Sequence[CaseEvent], armed: CaseEvent) -> CaseFacts:
    case: Any = None
    for event in events:
        case = event.mutate(case)
        if event is armed:
            break
    facts: CaseFacts = case.facts
    return facts


def _rule(policy: Policy, kind: str, facts: CaseFacts) -> DeadlineRule:
    for rule in policy.deadlines:
        if rule.kind == kind and all(facts.satisfies(c) for c in rule.when):
            return rule
    return next(rule for rule in policy.deadlines if rule.kind == kind)


def _pauses(events: Sequence[CaseEvent], deadline_id: str) -> list[tuple[datetime, datetime, str]]:
    """(paused at, resumed at, why) for each suspension that paused this deadline."""
    pauses: list[tuple[datetime, datetime, str]] = []
    paused_by: Suspended | None = None
    for event in events:
        if isinstance(event, Suspended) and any(p["id"] == deadline_id for p in event.paused):
            paused_by = event
        elif isinstance(event, Resumed) and paused_by is not None:
            reason = (
                f"paused while suspended ({paused_by.reason}, event {paused_by.originator_version}"
                f" to {event.originator_version})"
            )
            pauses.append((paused_by.occurred_at, event.occurred_at, reason))
            paused_by = None
    return pauses


def _outcome(events: Sequence[CaseEvent], last_seen: CaseEvent, deadline_id: str) -> str:
    fired = next((e for e in events if getattr(e, "deadline_id", None) == deadline_id), None)
    if fired is not None:
        return f"fired: {type(fired).__name__} (event {fired.originator_version})"
    after = [e for e in events if e.originator_version > last_seen.originator_version]
    if not after:
        return "pending"
    ended_by = after[0]
    return f"cancelled by {type(ended_by).__name__} (event {ended_by.originator_version})"


def _segments(
    rule: DeadlineRule,
    calendar: BusinessCalendar,
    start: datetime,
    due: datetime,
    pauses: list[tuple[datetime, datetime, str]],
) -> list[Segment]:
    """The stretches from start to due. A paused deadline runs again with the time it had
    left, as plain elapsed time, so the stretch after a pause is counted as such."""
    if not pauses:
        return _by_unit(rule, calendar, start, due)
    segments: list[Segment] = []
    cursor = start
    for index, (paused_at, resumed_at, why) in enumerate(pauses):
        if index == 0:
            segments += _by_unit(rule, calendar, cursor, paused_at)
        else:
            segments.append(Segment(cursor, paused_at, True, "running again with the time left"))
        segments.append(Segment(paused_at, resumed_at, False, why))
        cursor = resumed_at
    segments.append(Segment(cursor, due, True, "running again with the time it had left"))
    return [s for s in segments if s.end > s.start]


def _by_unit(
    rule: DeadlineRule, calendar: BusinessCalendar, start: datetime, end: datetime
) -> list[Segment]:
    match rule.after.unit:
        case "work_days":
            return _work_days(calendar, start, end)
        case "work_hours":
            return _windows(calendar, start, end, (time(0), None), "work day")
        case "business_minutes":
            window = (calendar.business_open, calendar.business_close)
            hours = f"{calendar.business_open:%H:%M}–{calendar.business_close:%H:%M}"
            return _windows(calendar, start, end, window, f"business hours {hours}")
    return [Segment(start, end, True, _elapsed_reason(calendar, start, end))]


def _elapsed_reason(calendar: BusinessCalendar, start: datetime, end: datetime) -> str:
    before, after = start.astimezone(calendar.zone), end.astimezone(calendar.zone)
    if before.utcoffset() != after.utcoffset():
        return "elapsed time (a clock change falls inside: it neither stretches nor shrinks it)"
    return "elapsed time"


def _work_days(calendar: BusinessCalendar, start: datetime, end: datetime) -> list[Segment]:
    segments: list[Segment] = []
    day = calendar.local_date(start)
    if calendar.local_midnight(day) < start:
        next_midnight = calendar.local_midnight(day + timedelta(days=1))
        segments.append(Segment(start, min(next_midnight, end), False, "day already begun"))
        day += timedelta(days=1)
    while calendar.local_midnight(day) < end:
        begin, finish = calendar.local_midnight(day), calendar.local_midnight(day + timedelta(1))
        counted, reason = calendar.day_reason(day)
        if finish - begin != timedelta(days=1):
            reason += " (a clock change: this day is not 24 hours long)"
        segments.append(Segment(begin, min(finish, end), counted, reason))
        day += timedelta(days=1)
    return segments


def _windows(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    window: tuple[time, time | None],
    inside: str,
) -> list[Segment]:
    """Counted inside each work day's window, not counted elsewhere."""
    segments: list[Segment] = []
    cursor = start.astimezone(UTC)
    day = calendar.local_date(cursor)
    opens, closes = window
    while cursor < end:
        midnight = calendar.local_midnight(day + timedelta(days=1))
        counted, reason = calendar.day_reason(day)
        if not counted:
            segments.append(Segment(cursor, min(midnight, end), False, reason))
        else:
            open_at = datetime.combine(day, opens, tzinfo=calendar.zone).astimezone(UTC)
            close_at = (
                midnight
                if closes is None
                else datetime.combine(day, closes, tzinfo=calendar.zone).astimezone(UTC)
            )
            for a, b, is_inside in (
                (cursor, open_at, False),
                (max(cursor, open_at), close_at, True),
                (max(cursor, close_at), midnight, False),
            ):
                a, b = max(a, cursor), min(b, end)
                if b > a:
                    why = f"{reason}: {inside}" if is_inside else f"outside {inside}"
                    segments.append(Segment(a, b, is_inside, why))
        cursor = min(midnight, end)
        day += timedelta(days=1)
    return segments
