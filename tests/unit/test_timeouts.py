"""Timeouts: only a pending deadline acts, at its due_at; anything else changes nothing."""

from __future__ import annotations

from datetime import timedelta

from support.builders import (
    CONSUMER,
    MONDAY,
    STAFF,
    STORE,
    by,
    deadline,
    fire,
    last,
    policy,
    run_scheduler,
    submit,
    types,
)

from domain.case import Case

BIGGREY = policy("biggrey")


def nothing_happens(case: Case, deadline_id: str) -> None:
    before = (case.version, len(case.pending_events), list(case.deadlines), case.status)
    assert not case.time_out(policy(case.platform), deadline_id, MONDAY + timedelta(days=90))
    assert (case.version, len(case.pending_events), list(case.deadlines), case.status) == before


def test_a_timeout_naming_an_unknown_deadline_changes_nothing() -> None:
    nothing_happens(submit("biggrey", "warranty_claim"), "no-such-deadline")


def test_a_duplicate_timeout_is_a_no_op() -> None:
    case = submit("biggrey", "warranty_claim")
    first = fire(case, "first_response")
    nothing_happens(case, first.id)
    assert types(case).count("Reminded") == 1


def test_a_timeout_for_a_deadline_the_store_answered_in_time_changes_nothing() -> None:
    case = submit("biggrey", "warranty_claim")
    first = deadline(case, "first_response")
    case.respond(BIGGREY, by(STORE, MONDAY + timedelta(hours=2)))
    nothing_happens(case, first.id)


def test_a_timeout_for_a_deadline_of_a_withdrawn_case_changes_nothing() -> None:
    case = submit("globalbuy", "return_request")
    merchant = deadline(case, "merchant_decision")
    case.withdraw(policy("globalbuy"), by(CONSUMER, MONDAY + timedelta(hours=1)))
    nothing_happens(case, merchant.id)


def test_a_timeout_for_a_deadline_paused_by_a_suspension_changes_nothing() -> None:
    case = submit("globalbuy", "return_request")
    merchant = deadline(case, "merchant_decision")
    case.suspend(policy("globalbuy"), by(STAFF, MONDAY + timedelta(hours=1)), "judicial")
    nothing_happens(case, merchant.id)


def test_a_timeout_happens_at_the_due_time_and_records_when_the_scheduler_ran() -> None:
    case = submit("biggrey", "warranty_claim")
    first = deadline(case, "first_response")
    ran_at = first.due_at + timedelta(hours=7, minutes=3)
    assert case.time_out(BIGGREY, first.id, ran_at)
    reminded = last(case, "Reminded")
    assert (reminded.occurred_at, reminded.timestamp) == (first.due_at, ran_at)
    assert reminded.actor == {"role": "system", "id": "scheduler"}
    assert case.updated_at == first.due_at


def test_deadline_ids_are_unique_across_a_long_chain() -> None:
    case = submit("biggrey", "warranty_claim")
    fired = run_scheduler(case)
    assert len(fired) > 10
    assert len({d.id for d in fired}) == len(fired)


def test_a_timeout_before_the_deadline_is_due_changes_nothing() -> None:
    case = submit("biggrey", "warranty_claim")
    pending = deadline(case, "first_response")
    before = (case.version, list(case.deadlines))
    early = pending.due_at - timedelta(microseconds=1)
    assert not case.time_out(BIGGREY, pending.id, early)
    assert (case.version, list(case.deadlines)) == before
    assert case.time_out(BIGGREY, pending.id, pending.due_at)
