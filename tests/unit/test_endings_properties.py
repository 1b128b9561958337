"""Properties of how a case ends, for any sequence of commands and timeouts: the refunds never
total more than the amount paid, and an ended case never changes status or resolution again."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from support.builders import CONSUMER, MONDAY, STAFF, STORE, by, order, policy, submit

from domain.case import Case
from domain.errors import DomainError
from domain.money import Money
from domain.statuses import TERMINAL

PAID = Decimal("100.00")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("150"), places=2)
commands = st.one_of(
    st.tuples(st.just("refund"), st.sampled_from(["store", "staff"]), amounts, st.booleans()),
    st.tuples(st.just("propose"), st.one_of(st.none(), amounts)),
    st.tuples(st.just("approve")),
    st.tuples(st.just("reject")),
    st.tuples(st.just("escalate")),
    st.tuples(
        st.just("rule"), st.sampled_from(["consumer", "store"]), st.one_of(st.none(), amounts)
    ),
    st.tuples(st.just("decide"), st.sampled_from(["approve", "refuse", "refund_only", "reship"])),
    st.tuples(st.just("timeout")),
    st.tuples(st.just("withdraw")),
    st.tuples(st.just("settle")),
    st.tuples(st.just("message")),
)
cases = st.sampled_from(
    [
        ("biggrey", "warranty_claim", True),
        ("biggrey", "complaint", True),
        ("biggrey", "return_request", False),
        ("globalbuy", "return_request", False),
        ("globalbuy", "refund_only", False),
        ("bigben", "complaint", False),
    ]
)


def run(case: Case, step: int, command: tuple[Any, ...]) -> None:
    p, at = policy(case.platform), MONDAY + timedelta(hours=step + 1)
    match command:
        case ("refund", who, amount, platform):
            actor = STORE if who == "store" else STAFF
            payer = "platform" if platform and who == "staff" else "store"
            case.refund(p, by(actor, at), Money(amount, "USD"), payer)
        case ("propose", amount):
            case.store_close(p, by(STORE, at), "refund", None, amount)
        case ("approve",):
            case.approve(p, by(CONSUMER, at))
        case ("reject",):
            case.reject(p, by(CONSUMER, at), "not enough")
        case ("escalate",):
            case.escalate(p, by(STAFF, at))
        case ("rule", side, amount):
            case.rule(p, by(STAFF, at), side, "ruled", amount if side == "consumer" else None)
        case ("decide", decision):
            case.decide(p, by(STORE, at), decision)
        case ("timeout",):
            if case.deadlines:
                due = min(case.deadlines, key=lambda d: d.due_at)
                case.time_out(p, due.id, due.due_at + timedelta(days=365))
        case ("withdraw",):
            case.withdraw(p, by(CONSUMER, at))
        case ("settle",):
            case.record_settlement(p, by(STAFF, at), "S-1")
        case ("message",):
            case.post_message(p, by(CONSUMER, at), "hello")


@settings(max_examples=300, deadline=None)
@given(cases, st.lists(commands, max_size=25))
def test_refunds_never_pass_the_amount_paid_and_an_ended_case_stays_ended(
    filed: tuple[str, str, bool], steps: list[tuple[Any, ...]]
) -> None:
    platform, kind, certified = filed
    the_order = order(
        str(PAID), completed_at=MONDAY - timedelta(days=1), delivered_at=MONDAY - timedelta(days=1)
    )
    case = submit(platform, kind, certified=certified, the_order=the_order)
    ended: tuple[str, str | None] | None = None
    for step, command in enumerate(steps):
        with suppress(DomainError):  # a refusal records nothing: the checks hold all the same
            run(case, step, command)
        assert sum((Decimal(r["amount"]) for r in case.refunds), Decimal(0)) <= PAID
        if ended is not None:
            assert (case.status, case.resolution) == ended
        elif case.status in TERMINAL:
            assert case.resolution is not None
            ended = (case.status, case.resolution)
