"""Helpers that build cases the way the application does, without any store or clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex

from domain.actors import Actor, By
from domain.calendar import BusinessCalendar
from domain.case import Case
from domain.case_events import CaseEvent
from domain.deadlines import Deadline
from domain.errors import DomainError
from domain.filing import Order
from domain.money import NO_RATES, ExchangeRates
from domain.policies import Policy, default_policies
from support.filings import complete

POLICIES = default_policies()
CONSUMER = Actor("consumer", "c1")
STORE = Actor("store", "s1")
STAFF = Actor("staff", "staff-1")

LONDON = ZoneInfo("Europe/London")
PARIS = ZoneInfo("Europe/Paris")
SHANGHAI = ZoneInfo("Asia/Shanghai")
HONG_KONG = ZoneInfo("Asia/Hong_Kong")

# Monday 2026-11-23 10:00 UTC: a plain work day on every platform's calendar.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, zone: ZoneInfo
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


def policy(platform: str) -> Policy:
    return POLICIES[platform]


def calendar_of(platform: str) -> BusinessCalendar:
    spec = policy(platform).calendar
    return spec.calendar()


def by(actor: Actor, at: datetime) -> By:
    return By.at(actor, at)


def order(
    amount: str = "100.00",
    currency: str = "USD",
    *,
    completed_at: datetime | None = None,
    delivered_at: datetime | None = None,
) -> Order:
    return Order("order-1", Decimal(amount), currency, completed_at, delivered_at)


def submit(
    platform: str,
    kind: str,
    *,
    at: datetime = MONDAY,
    certified: bool = False,
    the_order: Order | None = None,
    fields: dict[str, Any] | None = None,
    calendar: BusinessCalendar | None = None,
) -> Case:
    """File a case; by default the order completed and was delivered the day before."""
    the_order = the_order or order(
        completed_at=at - timedelta(days=1), delivered_at=at - timedelta(days=1)
    )
    return Case.submit(
        policy(platform),
        by(CONSUMER, at),
        store_id="s1",
        consumer_id="c1",
        kind=kind,
        order=the_order,
        description="it broke",
        calendar=calendar or calendar_of(platform),
        certified=certified,
        fields=complete(platform, kind, **(fields or {})),
    )


def deadline(case: Case, kind: str) -> Deadline:
    found = [d for d in case.deadlines if d.kind == kind]
    assert len(found) == 1, f"expected one {kind!r} deadline, have {case.deadlines}"
    return found[0]


def kinds(case: Case) -> set[str]:
    return {d.kind for d in case.deadlines}


def fire(
    case: Case, kind: str, *, late: timedelta = timedelta(0), rates: ExchangeRates = NO_RATES
) -> Deadline:
    """Let the scheduler time out the pending deadline of this kind (`late` after it was due)."""
    due = deadline(case, kind)
    assert case.time_out(policy(case.platform), due.id, due.due_at + late, rates)
    return due


def events(case: Case) -> list[CaseEvent]:
    return [e for e in case.pending_events if isinstance(e, CaseEvent)]


def types(case: Case) -> list[str]:
    return [type(e).__name__ for e in case.pending_events]


def last(case: Case, name: str) -> Any:
    matching = [e for e in case.pending_events if type(e).__name__ == name]
    assert matching, f"no {name} among {types(case)}"
    return matching[-1]


def refused(rule: str, case: Case | None, command: Any, *args: Any, **kwargs: Any) -> DomainError:
    """Run a command that must be refused under `rule` and record nothing."""
    before = (case.version, len(case.pending_events), case.status) if case else None
    with pytest.raises(DomainError) as refusal:
        command(*args, **kwargs)
    assert refusal.value.rule == rule, refusal.value.detail
    if case is not None:
        assert (case.version, len(case.pending_events), case.status) == before
    return refusal.value


def run_scheduler(
    case: Case, *, until: datetime | None = None, rates: ExchangeRates = NO_RATES, limit: int = 100
) -> list[Deadline]:
    """Fire due deadlines in order, as the sweeper would, until none is due by `until`."""
    fired: list[Deadline] = []
    while case.deadlines and len(fired) < limit:
        due = min(case.deadlines, key=lambda d: (d.due_at, d.id))
        if until is not None and due.due_at > until:
            break
        assert case.time_out(policy(case.platform), due.id, due.due_at, rates)
        fired.append(due)
    return fired


def library_mapper() -> Mapper[UUID]:
    """The mapper an eventsourcing Application builds by default."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)
