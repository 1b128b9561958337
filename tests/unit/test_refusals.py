"""A refused command raises a DomainError naming its rule and records nothing."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from support.builders import (
    CONSUMER,
    MONDAY,
    STAFF,
    STORE,
    by,
    fire,
    order,
    policy,
    refused,
    submit,
)

from domain import errors
from domain.actors import Actor
from domain.case import Case
from domain.money import Money

SPEC_RULES = {
    "filing_window",
    "kind_not_offered",
    "step_not_offered",
    "unknown_store",
    "declared_below_receipt",
    "explanation_required",
    "cap_exceeded",
    "not_allowed_in_status",
    "not_yet_allowed",
    "not_eligible",
    "documents_missing",
    "already_refunded",
    "refund_exceeds_paid",
}
LATER = MONDAY + timedelta(hours=5)


def test_every_domain_error_names_a_rule_of_the_spec() -> None:
    classes = [
        c
        for _, c in inspect.getmembers(errors, inspect.isclass)
        if issubclass(c, errors.DomainError) and c is not errors.DomainError
    ]
    rules = {c.rule for c in classes}
    assert rules == SPEC_RULES | {"invalid_field"}  # invalid_field: a malformed platform field
    assert errors.UnknownStore("no store s9").rule == "unknown_store"


# -- filing ------------------------------------------------------------------------------------


def test_kind_not_offered_is_checked_before_any_filing_window() -> None:
    long_ago = MONDAY - timedelta(days=400)
    refused(
        "kind_not_offered",
        None,
        submit,
        "globalbuy",
        "warranty_claim",
        the_order=order(completed_at=long_ago, delivered_at=long_ago),
    )
    refused(
        "kind_not_offered",
        None,
        submit,
        "bigben",
        "refund_only",
        the_order=order(delivered_at=long_ago),
    )


def test_kind_not_offered_is_checked_before_the_declared_value() -> None:
    refused(
        "kind_not_offered",
        None,
        submit,
        "buyippee",
        "warranty_claim",
        the_order=order("1000", "HKD", delivered_at=MONDAY),
        fields={"plan": "basic", "declared_value": "1"},
    )


def test_a_filing_window_is_n_times_24_hours_of_elapsed_time() -> None:
    delivered = MONDAY - timedelta(hours=72)
    submit(
        "buyippee",
        "damaged_parcel",
        the_order=order("10", "HKD", delivered_at=delivered),
        fields={"plan": "basic", "declared_value": "10"},
    )
    refused(
        "filing_window",
        None,
        submit,
        "buyippee",
        "damaged_parcel",
        the_order=order("10", "HKD", delivered_at=delivered - timedelta(microseconds=1)),
        fields={"plan": "basic", "declared_value": "10"},
    )


# -- commands on a case ------------------------------------------------------------------------


def biggrey(certified: bool = False) -> Case:
    return submit("biggrey", "warranty_claim", certified=certified)


def globalbuy() -> Case:
    return submit("globalbuy", "return_request")


def closed_by_store() -> Case:
    case = biggrey()
    case.store_close(policy("biggrey"), by(STORE, MONDAY + timedelta(hours=1)), "refund")
    return case


def agreed() -> Case:
    case = closed_by_store()
    case.approve(policy("biggrey"), by(CONSUMER, MONDAY + timedelta(hours=2)))
    return case


def withdrawn() -> Case:
    case = globalbuy()
    case.withdraw(policy("globalbuy"), by(CONSUMER, MONDAY + timedelta(hours=1)))
    return case


def refunded() -> Case:
    case = globalbuy()
    case.decide(policy("globalbuy"), by(STORE, MONDAY + timedelta(hours=1)), "refund_only")
    return case


def escalated() -> Case:
    case = biggrey(certified=True)
    fire(case, "first_response")
    fire(case, "extra_time")
    return case


def suspended() -> Case:
    case = globalbuy()
    case.suspend(policy("globalbuy"), by(STAFF, MONDAY + timedelta(hours=1)), "judicial")
    return case


def approved_on_geli() -> Case:
    case = submit("geli", "return_request")
    case.decide(policy("geli"), by(STORE, MONDAY + timedelta(hours=1)), "approve")
    return case


Command = Callable[[Case], None]


def call(method: str, actor: Actor, *args: object, **kwargs: object) -> Command:
    def command(case: Case) -> None:
        getattr(case, method)(policy(case.platform), by(actor, LATER), *args, **kwargs)

    return command


REFUSALS: list[tuple[str, Callable[[], Case], Command]] = [
    # step_not_offered
    ("step_not_offered", biggrey, call("decide", STORE, "approve")),
    ("step_not_offered", biggrey, call("ship_return", CONSUMER, "UPS", "1Z")),
    ("step_not_offered", biggrey, call("receive_return", STORE)),
    ("step_not_offered", biggrey, call("suspend", STAFF, "court")),
    ("step_not_offered", approved_on_geli, call("ask_arbitration", CONSUMER, "why")),
    ("step_not_offered", globalbuy, call("consumer_close", CONSUMER)),
    ("step_not_offered", globalbuy, call("escalate", CONSUMER, "please")),
    ("step_not_offered", biggrey, call("refund", STAFF, Money.of("1", "USD"), "platform")),
    ("step_not_offered", biggrey, call("escalate", STAFF, "take it over")),
    ("step_not_offered", globalbuy, call("record_settlement", STAFF, "S-1")),
    ("step_not_offered", globalbuy, call("suspend", STAFF, "third_party")),
    # refund_exceeds_paid
    ("refund_exceeds_paid", globalbuy, call("refund", STORE, Money.of("100.01", "USD"), "store")),
    ("refund_exceeds_paid", escalated, call("refund", STAFF, Money.of("1", "EUR"), "store")),
    (
        "refund_exceeds_paid",
        escalated,
        call("rule", STAFF, "consumer", "pay it", Decimal("100.01"), "store"),
    ),
    ("refund_exceeds_paid", globalbuy, call("store_close", STORE, "refund", None, Decimal(101))),
    # explanation_required
    ("explanation_required", escalated, call("rule", STAFF, "store", "  ")),
    ("explanation_required", closed_by_store, call("reject", CONSUMER, "")),
    ("explanation_required", closed_by_store, call("reject", CONSUMER, " \n\t")),
    # cap_exceeded
    ("cap_exceeded", escalated, call("refund", STAFF, Money.of("5000.01", "USD"), "platform")),
    ("cap_exceeded", escalated, call("refund", STAFF, Money.of("1", "EUR"), "platform")),
    # not_yet_allowed
    ("not_yet_allowed", biggrey, call("consumer_close", CONSUMER)),
    # not_allowed_in_status
    ("not_allowed_in_status", biggrey, call("approve", CONSUMER)),
    ("not_allowed_in_status", biggrey, call("reject", CONSUMER, "no")),
    ("not_allowed_in_status", globalbuy, call("ask_arbitration", CONSUMER, "why")),
    ("not_allowed_in_status", closed_by_store, call("store_close", STORE, "repair")),
    ("not_allowed_in_status", closed_by_store, call("respond", STORE, "hello")),
    ("not_allowed_in_status", withdrawn, call("respond", STORE, "hello")),
    ("not_allowed_in_status", withdrawn, call("withdraw", CONSUMER)),
    ("not_allowed_in_status", withdrawn, call("escalate", STAFF, "late")),
    ("not_allowed_in_status", refunded, call("rule", STAFF, "store", "too late")),
    ("not_allowed_in_status", globalbuy, call("rule", STAFF, "consumer", "not escalated")),
    ("not_allowed_in_status", agreed, call("record_settlement", STAFF, "S-1")),
    ("not_allowed_in_status", agreed, call("refund", STORE, Money.of("1", "USD"), "store")),
    ("not_allowed_in_status", agreed, call("store_close", STORE, "refund")),
    ("not_allowed_in_status", refunded, call("refund", STORE, Money.of("1", "USD"), "store")),
    ("not_allowed_in_status", refunded, call("escalate", STAFF, "late")),
    ("not_allowed_in_status", refunded, call("approve", CONSUMER)),
    ("not_allowed_in_status", escalated, call("escalate", STAFF, "again")),
    ("not_allowed_in_status", globalbuy, call("resume", STAFF)),
    ("not_allowed_in_status", globalbuy, call("record_suspension_proof", STAFF, "ref", "court")),
    ("not_allowed_in_status", suspended, call("suspend", STAFF, "judicial")),
    ("not_allowed_in_status", suspended, call("decide", STORE, "approve")),
    ("not_allowed_in_status", suspended, call("respond", STORE, "hello")),
    ("not_allowed_in_status", biggrey, call("confirm_payout", STAFF, "transfer-1")),
    # invalid_field
    ("invalid_field", biggrey, call("store_close", STORE, "maybe")),
    ("invalid_field", globalbuy, call("decide", STORE, "perhaps")),
    ("invalid_field", biggrey, call("refund", STORE, Money.of("1", "USD"), "nobody")),
    ("invalid_field", biggrey, call("refund", STORE, Money.of("0", "USD"), "store")),
    ("invalid_field", biggrey, call("refund", STORE, Money.of("-5", "USD"), "store")),
]


@pytest.mark.parametrize(
    ("rule", "make", "command"),
    REFUSALS,
    ids=[f"{rule}-{make.__name__}-{i}" for i, (rule, make, _) in enumerate(REFUSALS)],
)
def test_a_refused_command_names_its_rule_and_records_nothing(
    rule: str, make: Callable[[], Case], command: Command
) -> None:
    case = make()
    deadlines, head = list(case.deadlines), case.head_hash
    refused(rule, case, command, case)
    assert (case.deadlines, case.head_hash) == (deadlines, head)


def test_a_second_shipment_or_receipt_of_the_same_return_is_refused() -> None:
    case = approved_on_geli()
    case.ship_return(policy("geli"), by(CONSUMER, LATER), "SF", "SF1")
    refused(
        "not_allowed_in_status",
        case,
        case.ship_return,
        policy("geli"),
        by(CONSUMER, LATER),
        "SF",
        "SF2",
    )
    case.receive_return(policy("geli"), by(STORE, LATER))
    refused("not_allowed_in_status", case, case.receive_return, policy("geli"), by(STORE, LATER))
