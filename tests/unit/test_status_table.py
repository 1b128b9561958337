"""The one transition table (domain.statuses) against the code, for any sequence of commands
and timeouts: a command that records anything ran in a status the table lets it run in, and
left the case in a status the table says it may leave it in; one refused for its status
names the statuses the table allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support.builders import CONSUMER, MONDAY, STAFF, STORE, by, order, policy, submit

from domain.case import Case
from domain.errors import DomainError, NotAllowedInStatus
from domain.money import Money
from domain.policies.schema import Policy
from domain.statuses import TRANSITIONS, Status

Call = Callable[[Case, Policy, Any], None]
# (the command's name in the table, the call), as each party would send it.
CALLS: list[tuple[str, Call]] = [
    ("respond", lambda c, p, at: c.respond(p, by(STORE, at), "on it")),
    ("store_close", lambda c, p, at: c.store_close(p, by(STORE, at), "repair")),
    ("store_close", lambda c, p, at: c.store_close(p, by(STORE, at), "refund", None, Decimal(5))),
    ("decide", lambda c, p, at: c.decide(p, by(STORE, at), "approve")),
    ("decide", lambda c, p, at: c.decide(p, by(STORE, at), "refuse")),
    ("decide", lambda c, p, at: c.decide(p, by(STORE, at), "consumer_gave_up")),
    ("diagnose", lambda c, p, at: c.diagnose(p, by(STORE, at), "return_needed")),
    ("receive_return", lambda c, p, at: c.receive_return(p, by(STORE, at))),
    ("ship_return", lambda c, p, at: c.ship_return(p, by(CONSUMER, at), "SF", "SF1")),
    ("approve", lambda c, p, at: c.approve(p, by(CONSUMER, at))),
    ("reject", lambda c, p, at: c.reject(p, by(CONSUMER, at), "no")),
    ("ask_arbitration", lambda c, p, at: c.ask_arbitration(p, by(CONSUMER, at), "unfair")),
    ("withdraw", lambda c, p, at: c.withdraw(p, by(CONSUMER, at))),
    ("consumer_close", lambda c, p, at: c.consumer_close(p, by(CONSUMER, at))),
    ("escalate", lambda c, p, at: c.escalate(p, by(STAFF, at))),
    ("refund", lambda c, p, at: c.refund(p, by(STORE, at), Money(Decimal(10), "USD"), "store")),
    ("refund", lambda c, p, at: c.refund(p, by(STORE, at), Money(Decimal(100), "USD"), "store")),
    ("rule", lambda c, p, at: c.rule(p, by(STAFF, at), "consumer", "ok", Decimal(20))),
    ("rule", lambda c, p, at: c.rule(p, by(STAFF, at), "consumer", "ok", None)),
    ("rule", lambda c, p, at: c.rule(p, by(STAFF, at), "store", "no", None)),
    ("record_settlement", lambda c, p, at: c.record_settlement(p, by(STAFF, at), "S-1")),
    ("suspend", lambda c, p, at: c.suspend(p, by(STAFF, at), "judicial")),
    ("suspend", lambda c, p, at: c.suspend(p, by(STAFF, at), "third_party")),
    (
        "record_suspension_proof",
        lambda c, p, at: c.record_suspension_proof(p, by(STAFF, at), "C-1", "court"),
    ),
    ("resume", lambda c, p, at: c.resume(p, by(STAFF, at))),
    ("post_message", lambda c, p, at: c.post_message(p, by(CONSUMER, at), "hello")),
    ("confirm_payout", lambda c, p, at: c.confirm_payout(p, by(STAFF, at), "T-1")),
    ("record_repayment", lambda c, p, at: c.record_repayment(p, by(STAFF, at), "R-1")),
    (
        "change_policy_version",
        lambda c, p, at: c.change_policy_version(
            p.model_copy(update={"version": c.policy_version + 1}), by(STAFF, at), []
        ),
    ),
    ("time_out", lambda c, p, at: _next_timeout(c, p)),
]
FILINGS = [
    ("biggrey", "warranty_claim", True),
    ("biggrey", "complaint", True),
    ("globalbuy", "return_request", False),
    ("globalbuy", "refund_only", False),
    ("geli", "return_request", False),
    ("bigben", "warranty_claim", False),
]


def _next_timeout(case: Case, p: Policy) -> None:
    if case.deadlines:
        due = min(case.deadlines, key=lambda d: d.due_at)
        case.time_out(p, due.id, due.due_at + timedelta(days=365))


def test_every_status_command_and_target_in_the_table_is_real() -> None:
    assert {name for name, _call in CALLS} == set(TRANSITIONS)
    for transition in TRANSITIONS.values():
        assert transition.runs_in and transition.leaves_in <= set(Status)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(FILINGS), st.lists(st.sampled_from(range(len(CALLS))), max_size=20))
def test_each_command_runs_and_leaves_the_case_where_the_table_says(
    filed: tuple[str, str, bool], steps: list[int]
) -> None:
    platform, kind, certified = filed
    delivered = MONDAY - timedelta(days=1)
    case = submit(
        platform,
        kind,
        certified=certified,
        the_order=order("100.00", completed_at=delivered, delivered_at=delivered),
    )
    p = policy(platform)
    for step, index in enumerate(steps):
        name, call = CALLS[index]
        before, version = case.status, case.version
        try:
            call(case, p, MONDAY + timedelta(hours=step + 1))
        except NotAllowedInStatus as refusal:
            assert case.version == version
            if before not in TRANSITIONS[name].runs_in:
                assert "allowed when" in str(refusal) or name == "ask_arbitration"
            continue
        except DomainError:
            assert case.version == version
            continue
        if case.version != version:
            assert before in TRANSITIONS[name].runs_in, (name, before)
            assert case.status in TRANSITIONS[name].leaves_in, (name, before, case.status)
