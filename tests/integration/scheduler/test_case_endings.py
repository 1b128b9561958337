"""How a case ends (PLATFORMS.md, 2nd ed.), and Biggrey's 2nd-edition rows: each chain runs
through the real service and the scheduler's sweeper, on both backends.

One test per row, named for the rule. Instants are written in the calendar's local time.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from support.scheduler_harness import CONSUMER, STAFF, STORE, Harness, local, module_harness

from domain.actors import Actor, By
from domain.errors import DomainError
from domain.money import Money

LONDON, SHANGHAI = "Europe/London", "Asia/Shanghai"
MONDAY = local("2025-06-02 10:00", LONDON)  # a plain work day in England


shared, h = module_harness()


def escalated_biggrey_case(h: Harness, amount: str = "300.00") -> tuple[UUID, Any]:
    """A certified store's warranty claim escalated by the chain; returns it and its
    protection deadline's due instant."""
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY, amount=amount)
    h.fires_at(case_id, local("2025-06-05 00:00", LONDON), "Reminded")
    h.fires_at(case_id, local("2025-06-10 00:00", LONDON), "Warned", "Escalated")
    return case_id, local("2025-06-10 00:00", LONDON) + timedelta(days=30)


# -- every platform: how a case ends -----------------------------------------------------------


def test_money_paid_bounds_money_refunded_whoever_pays(h: Harness) -> None:
    case_id, _protection = escalated_biggrey_case(h, amount="100.00")
    h.act(case_id, STAFF, MONDAY + timedelta(days=9), "refund", **_money("60", "store"))
    h.refused(
        "refund_exceeds_paid",
        case_id,
        STAFF,
        MONDAY + timedelta(days=9),
        "refund",
        **_money("40.01", "platform"),
    )
    h.act(case_id, STAFF, MONDAY + timedelta(days=9), "refund", **_money("40", "platform"))
    assert sum(Decimal(r["amount"]) for r in h.state(case_id)["refunds"]) == Decimal("100")


def test_a_refund_in_another_currency_without_a_rate_is_refused(h: Harness) -> None:
    case_id, _protection = escalated_biggrey_case(h)
    with pytest.raises(DomainError) as refusal:
        h.act(
            case_id,
            STAFF,
            MONDAY + timedelta(days=9),
            "refund",
            amount=Money.of("10", "EUR"),
            payer="store",
        )
    assert refusal.value.rule == "refund_exceeds_paid"
    assert "EUR/USD" in refusal.value.detail


def test_a_store_partial_refund_waits_for_the_consumer_who_approves_it(h: Harness) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy", "return_request", submitted, completed_at=submitted - timedelta(days=1)
    )
    h.act(case_id, STORE, submitted + timedelta(hours=2), "refund", **_money("20", "store"))
    state = h.state(case_id)
    assert (state["status"], state["resolution"]) == ("awaiting_consumer", None)
    assert state["deadlines"] == []  # the store answered: no automatic approval now
    h.act(case_id, CONSUMER, submitted + timedelta(hours=3), "approve")
    assert h.state(case_id)["resolution"] == "agreed"
    assert h.run_due(submitted + timedelta(days=60)).fired == 0


def test_a_store_partial_refund_rejected_goes_back_to_the_store(h: Harness) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    h.act(case_id, STORE, MONDAY + timedelta(hours=1), "refund", **_money("20", "store"))
    h.act(case_id, CONSUMER, MONDAY + timedelta(hours=2), "reject", explanation="20 of 120?")
    state = h.state(case_id)
    assert state["status"] == "in_progress"
    assert [d["kind"] for d in state["deadlines"]] == ["first_response"]


def test_a_partial_refund_on_an_escalated_case_leaves_it_with_staff(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(case_id, STORE, MONDAY + timedelta(days=9), "refund", **_money("50", "store"))
    assert h.state(case_id)["status"] == "escalated"
    # No agreement: the protection pays what the consumer paid and has not had back.
    h.fires_at(case_id, protection, "Refunded")
    refunds = h.state(case_id)["refunds"]
    assert [(r["payer"], Decimal(r["amount"])) for r in refunds] == [
        ("store", Decimal("50")),
        ("platform", Decimal("250.00")),
    ]


def test_a_store_full_refund_ends_the_case_refunded(h: Harness) -> None:
    h.store("bigben", country="FR", timezone="Europe/Paris")
    case_id = h.submit("bigben", "complaint", MONDAY)
    h.act(case_id, STORE, MONDAY + timedelta(hours=1), "refund", **_money("120", "store"))
    state = h.state(case_id)
    assert (state["status"], state["resolution"], state["deadlines"]) == ("closed", "refunded", [])


def test_biggrey_waits_for_the_consumer_even_after_a_full_store_refund(h: Harness) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    h.act(case_id, STORE, MONDAY + timedelta(hours=1), "refund", **_money("120", "store"))
    assert (h.state(case_id)["status"], h.state(case_id)["resolution"]) == (
        "awaiting_consumer",
        None,
    )
    h.act(case_id, CONSUMER, MONDAY + timedelta(hours=2), "approve")
    assert h.state(case_id)["resolution"] == "agreed"


def test_a_store_proposal_with_an_amount_is_paid_when_the_consumer_approves(h: Harness) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    h.act(
        case_id,
        STORE,
        MONDAY + timedelta(hours=1),
        "store_close",
        decision="refund",
        note="half back, you keep it",
        refund_amount=Decimal("60.00"),
    )
    assert h.state(case_id)["refunds"] == []  # a proposal pays nothing yet
    h.act(case_id, CONSUMER, MONDAY + timedelta(hours=2), "approve")
    assert [e for e, _ in h.events(case_id, since=2)] == ["Refunded", "ConsumerApproved"]
    state = h.state(case_id)
    assert (state["resolution"], state["refunds"][0]["amount"]) == ("agreed", Decimal("60.00"))


def test_a_store_approving_a_refund_only_request_refunds_the_amount_asked(h: Harness) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy",
        "refund_only",
        submitted,
        completed_at=submitted - timedelta(days=1),
        refund_amount="45.50",
    )
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="approve")
    state = h.state(case_id)
    assert (state["resolution"], state["refunds"][0]["amount"]) == ("refunded", Decimal("45.50"))


def test_a_silent_merchant_refunds_a_refund_only_request_automatically(h: Harness) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy",
        "refund_only",
        submitted,
        completed_at=submitted - timedelta(days=1),
        refund_amount="80",
    )
    h.fires_at(case_id, local("2025-06-04 10:00", SHANGHAI), "AutoApproved", "Refunded")
    state = h.state(case_id)
    assert (state["status"], state["resolution"]) == ("closed", "auto_approved")
    assert [(r["payer"], r["amount"]) for r in state["refunds"]] == [("store", Decimal("80"))]


def test_a_staff_ruling_for_the_store_ends_the_case_and_cancels_its_clocks(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(
        case_id,
        STAFF,
        MONDAY + timedelta(days=12),
        "rule",
        in_favour_of="store",
        note="consumer mishandling: water damage",
    )
    state = h.state(case_id)
    assert (state["status"], state["resolution"], state["deadlines"]) == (
        "closed",
        "ruled_for_store",
        [],
    )
    assert h.run_due(protection + timedelta(days=1)).fired == 0  # no protection payout
    assert h.app.get_store("s-1")["certified"]


def test_a_staff_ruling_for_the_consumer_with_an_amount_refunds_and_ends(h: Harness) -> None:
    case_id, _protection = escalated_biggrey_case(h)
    h.act(
        case_id,
        STAFF,
        MONDAY + timedelta(days=12),
        "rule",
        in_favour_of="consumer",
        note="the store never answered",
        refund_amount=Decimal("300.00"),
        payer="platform",
    )
    state = h.state(case_id)
    assert (state["resolution"], state["refunds"][0]["payer"]) == ("ruled_for_consumer", "platform")
    assert [d["kind"] for d in state["deadlines"]] == ["payout"]  # ops watch the transfer


def test_a_ruling_for_the_consumer_without_an_amount_keeps_the_protection_clock(
    h: Harness,
) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(
        case_id,
        STAFF,
        MONDAY + timedelta(days=12),
        "rule",
        in_favour_of="consumer",
        note="the claim is genuine",
    )
    state = h.state(case_id)
    assert (state["status"], state["ruling"]["in_favour_of"]) == ("escalated", "consumer")
    h.fires_at(case_id, protection, "Refunded")
    assert h.state(case_id)["resolution"] == "protection_refund"


def test_an_ended_case_accepts_messages_only(h: Harness) -> None:
    case_id, _protection = escalated_biggrey_case(h)
    h.act(case_id, STAFF, MONDAY + timedelta(days=12), "rule", in_favour_of="store", note="ok")
    later = MONDAY + timedelta(days=13)
    h.refused("not_allowed_in_status", case_id, CONSUMER, later, "withdraw")
    h.refused("not_allowed_in_status", case_id, STORE, later, "refund", **_money("1", "store"))
    h.act(case_id, CONSUMER, later, "post_message", body="I disagree, but thank you")
    assert h.state(case_id)["status"] == "closed"


# -- biggrey (2nd ed.) -------------------------------------------------------------------------


def test_biggrey_handles_a_complaint_against_a_certified_store_from_filing(h: Harness) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "complaint", MONDAY, amount="200.00")
    assert h.events(case_id) == [("Submitted", MONDAY), ("Escalated", MONDAY)]
    state = h.state(case_id)
    assert state["status"] == "escalated"
    assert [d["kind"] for d in state["deadlines"]] == ["protection"]  # no store chain
    h.fires_at(case_id, MONDAY + timedelta(days=30), "Refunded")
    assert h.state(case_id)["resolution"] == "protection_refund"


def test_biggrey_follow_up_chain_after_a_rejection_ends_for_a_non_certified_store(
    h: Harness,
) -> None:
    h.store("biggrey", certified=False)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    h.act(case_id, STORE, MONDAY + timedelta(hours=1), "store_close", decision="reject")
    rejected = local("2025-06-03 12:00", LONDON)
    h.act(case_id, CONSUMER, rejected, "reject", explanation="it is still broken")
    # Reminders every 2 work days for 30 days from the rejection, then the right to close.
    fired = h.run_due(rejected + timedelta(days=30, microseconds=-1)).fired
    assert fired >= 10  # 2 + 3 work days, then every 2 work days
    assert h.state(case_id)["consumer_may_close"] is False
    h.fires_at(case_id, rejected + timedelta(days=30), "ConsumerCloseAllowed")
    assert h.run_due(rejected + timedelta(days=400)).fired == 0  # the chain has ended
    h.act(case_id, CONSUMER, rejected + timedelta(days=31), "consumer_close")
    assert h.state(case_id)["resolution"] == "consumer_closed"


def test_biggrey_follow_up_chain_after_a_rejection_escalates_a_certified_store(
    h: Harness,
) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    h.act(case_id, STORE, MONDAY + timedelta(hours=1), "store_close", decision="reject")
    h.act(case_id, CONSUMER, local("2025-06-03 12:00", LONDON), "reject", explanation="no")
    h.fires_at(case_id, local("2025-06-06 00:00", LONDON), "Reminded")
    h.fires_at(case_id, local("2025-06-11 00:00", LONDON), "Warned", "Escalated")


def test_biggrey_cannot_take_over_a_case_against_a_non_certified_store(h: Harness) -> None:
    h.store("biggrey", certified=False)
    case_id = h.submit("biggrey", "warranty_claim", MONDAY)
    later = MONDAY + timedelta(days=3)
    h.refused("step_not_offered", case_id, CONSUMER, later, "escalate")
    h.refused("step_not_offered", case_id, STAFF, later, "escalate")


def test_biggrey_protection_needs_no_agreement_a_pending_proposal_is_none(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(case_id, STORE, MONDAY + timedelta(days=20), "store_close", decision="repair")
    assert h.state(case_id)["status"] == "awaiting_consumer"
    h.fires_at(case_id, protection, "Refunded")  # unanswered: not an agreement
    assert h.state(case_id)["resolution"] == "protection_refund"


def test_biggrey_agreement_cancels_the_protection_clock(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(case_id, STORE, MONDAY + timedelta(days=20), "store_close", decision="repair")
    h.act(case_id, CONSUMER, MONDAY + timedelta(days=21), "approve")
    assert h.state(case_id)["resolution"] == "agreed"
    assert h.run_due(protection + timedelta(days=1)).fired == 0


def test_biggrey_third_party_pause_waits_for_staff_to_resume(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    paused_at = MONDAY + timedelta(days=10)
    h.act(case_id, STAFF, paused_at, "suspend", reason="third_party", note="police inquiry")
    assert h.run_due(protection + timedelta(days=200)).fired == 0  # no automatic resume
    resumed_at = paused_at + timedelta(days=50)
    h.act(case_id, STAFF, resumed_at, "resume")
    left = protection - paused_at
    h.fires_at(case_id, resumed_at + left, "Refunded")


def test_biggrey_suspends_only_for_third_party_influence(h: Harness) -> None:
    case_id, _protection = escalated_biggrey_case(h)
    h.refused("step_not_offered", case_id, STAFF, MONDAY, "suspend", reason="judicial")


def test_biggrey_settlement_spares_the_store_but_not_the_consumers_payout(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.act(case_id, STAFF, MONDAY + timedelta(days=25), "record_settlement", reference="S-7")
    h.fires_at(case_id, protection, "Refunded")
    assert h.state(case_id)["resolution"] == "protection_refund"
    store = h.app.get_store("s-1")
    assert (store["certified"], store["reapply_after"]) == (True, None)


def test_biggrey_payout_without_settlement_bars_the_store_for_12_months(h: Harness) -> None:
    case_id, protection = escalated_biggrey_case(h)
    h.fires_at(case_id, protection, "Refunded")
    store = h.app.get_store("s-1")
    assert (store["certified"], store["reapply_after"]) == (
        False,
        local("2026-07-10 00:00", LONDON),
    )


def test_biggrey_calendar_follows_the_stores_subdivision(h: Harness) -> None:
    # 2 January is a bank holiday in Scotland only.
    h.app.register_store(
        By.at(Actor("admin", "a-1"), local("2025-01-01 00:00", LONDON)),
        store_id="s-sct",
        platform="biggrey",
        name="Glasgow shop",
        certified=True,
        country="GB",
        timezone=LONDON,
        subdivision="SCT",
    )
    submitted = local("2025-12-31 10:00", LONDON)
    case_id = h.submit("biggrey", "warranty_claim", submitted, store_id="s-sct")
    # New Year's Day and 2 January are off in Scotland, then the weekend: Mon 5, Tue 6 count.
    h.fires_at(case_id, local("2026-01-07 00:00", LONDON), "Reminded")


def _money(amount: str, payer: str) -> dict[str, Any]:
    return {"amount": Money.of(amount, "USD"), "payer": payer}
