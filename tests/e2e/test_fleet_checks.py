"""The multi-process test's checks (support/fleet_checks.py) find what they are there to
find: each is given a small consistent world, then the same world with one fault in it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.fleet_checks import (
    CaseRead,
    check_case,
    check_case_list,
    check_stats,
    check_webhooks,
    ending,
    stats_block,
)
from support.fleet_checks import case_figures as figures
from support.fleet_workload import Ack

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CASE = "5b1f5a36-0000-4000-8000-000000000001"
CONSUMER = {"role": "consumer", "id": "shopper-1"}
STORE = {"role": "store", "id": "shop-agent"}
SYSTEM = {"role": "system", "id": "scheduler"}


def deadline(name: str, hours: int, action: str) -> dict[str, Any]:
    return {"id": name, "kind": name.split("-")[0], "due_at": iso(hours), "action": action}


def iso(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat()


def history() -> list[dict[str, Any]]:
    """Filed; reminded, warned and escalated by the scheduler; answered by the store."""
    first = deadline("first_response-1", 48, "remind")
    extra = deadline("extra_time-2", 120, "warn_and_escalate")
    protection = deadline("protection-4", 840, "protection_refund")
    missed = {"deadline_id": extra["id"], "reason": "sla_missed"}
    steps = [
        ("Submitted", 0, CONSUMER, {"platform": "biggrey"}, [first]),
        ("Reminded", 48, SYSTEM, {"deadline_id": first["id"], "count": 1}, [extra]),
        ("Warned", 120, SYSTEM, {"deadline_id": extra["id"], "count": 1}, []),
        ("Escalated", 120, SYSTEM, missed, [protection]),
        ("StoreResponded", 130, STORE, {"message": None}, [protection]),
        ("Refunded", 131, STORE, {"amount": "60.00", "currency": "USD", "payer": "store",
                                  "reason": "store_refund", "deadline_id": None,
                                  "resolution": "refunded", "awaits_consumer": False}, []),
    ]  # fmt: skip
    events: list[dict[str, Any]] = []
    for kind, hours, actor, data, deadlines in steps:
        add(events, kind, hours, actor, data, deadlines)
    return events


def add(
    events: list[dict[str, Any]],
    kind: str,
    hours: float,
    actor: dict[str, str],
    data: dict[str, Any],
    deadlines: list[dict[str, Any]],
) -> None:
    version = len(events) + 1
    event = {
        "version": version,
        "type": kind,
        "occurred_at": iso(hours),
        "recorded_at": iso(hours + 0.1),
        "actor": actor,
        "data": data,
        "deadlines": deadlines,
        "hash": f"h{version}",
        "prev_hash": events[-1]["hash"] if events else "genesis",
    }
    events.append({**event, "resolution": ending(event)})


def read(events: list[dict[str, Any]]) -> CaseRead:
    state = {
        "id": CASE,
        "platform": "biggrey",
        "store_id": "shop",
        "status": "closed",
        "resolution": "refunded",
        "version": len(events),
        "head_hash": events[-1]["hash"],
        "deadlines": events[-1]["deadlines"],
    }
    verdict = {"valid": True, "events": len(events), "head_hash": events[-1]["hash"]}
    return CaseRead(CASE, events, state, verdict)


ACKS = [
    Ack(CASE, 1, ("consumer", "shopper-1"), "submit"),
    Ack(CASE, 5, ("store", "shop-agent"), "respond"),
    Ack(CASE, 6, ("store", "shop-agent"), "refunds"),
]
QUIET = T0 + timedelta(hours=200)


def test_a_consistent_history_passes() -> None:
    assert check_case(read(history()), ACKS, QUIET) == []


def broken(fault: str) -> tuple[CaseRead, list[Ack], datetime]:
    events, acks, quiet = history(), list(ACKS), QUIET
    if fault == "gap":
        del events[2]
    elif fault == "chain":
        events[3]["prev_hash"] = "h1"
    elif fault == "fired twice":
        again = {**copy.deepcopy(events[1]), "version": 7, "hash": "h7", "prev_hash": "h6"}
        events.append(again)
    elif fault == "fired early":
        events[1]["occurred_at"] = iso(47)
    elif fault == "lost command":
        acks.append(Ack(CASE, 7, ("store", "shop-agent"), "close"))
    elif fault == "unacknowledged event":
        acks.pop()
    elif fault == "another sender":
        acks[1] = Ack(CASE, 5, ("store", "someone-else"), "respond")
    elif fault == "overdue left":
        events[-1]["deadlines"] = [deadline("payout-6", 150, "flag_payout_overdue")]
    elif fault == "changed after the end":
        add(events, "StoreResponded", 140, STORE, {"message": "More?"}, [])
        acks.append(Ack(CASE, 7, ("store", "shop-agent"), "respond"))
    elif fault == "ended twice":
        add(events, "Withdrawn", 140, CONSUMER, {"reason": None}, [])
        acks.append(Ack(CASE, 7, ("consumer", "shopper-1"), "withdraw"))
    elif fault == "unnamed in history":
        events[-1]["resolution"] = None
    elif fault == "another resolution":
        return replace(read(events), resolution="agreed"), acks, quiet
    return read(events), acks, quiet


def replace(case: CaseRead, **state: Any) -> CaseRead:
    return CaseRead(case.case_id, case.events, {**case.state, **state}, case.verdict)


@pytest.mark.parametrize(
    ("fault", "reported"),
    [
        ("gap", "versions not contiguous"),
        ("chain", "v4 does not chain to v3"),
        ("fired twice", "first_response-1 fired 2 times"),
        ("fired early", "fired at another time than its due_at"),
        ("lost command", "close answered v7, not a command's event"),
        ("unacknowledged event", "events no command was answered for: [6]"),
        ("another sender", "v5 (respond) was recorded for"),
        ("overdue left", "due before the drive ended are still pending"),
        ("changed after the end", "changed after it ended: ['StoreResponded']"),
        ("ended twice", "ended more than once"),
        ("unnamed in history", "history names the endings []"),
        ("another resolution", "resolution agreed, history says [(6, 'refunded')]"),
    ],
)
def test_a_faulty_history_is_reported(fault: str, reported: str) -> None:
    problems = check_case(*broken(fault))
    assert any(reported in problem for problem in problems), problems


def feed_of(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": f"{CASE}:{e['version']}", "type": "case.x", "subject": CASE, "data": e}
        for e in events
    ]


def test_webhooks_must_match_the_feed_in_order_and_be_delivered() -> None:
    events = history()
    feed = feed_of(events)
    received = [(item["id"], json.dumps(item).encode()) for item in feed]
    received.insert(2, received[0])  # a redelivery is fine
    deliveries = [{"event_id": item["id"], "status": "delivered"} for item in feed]
    assert check_webhooks(feed, received, deliveries, [read(events)]) == []

    assert check_webhooks(feed, received[:-1], deliveries, [read(events)]) != []  # lost
    swapped = [received[1], received[0], *received[2:]]
    assert check_webhooks(feed, swapped, deliveries, [read(events)]) != []  # out of order
    altered = [(received[0][0], b'{"id": "other"}'), *received[1:]]
    assert check_webhooks(feed, altered, deliveries, [read(events)]) != []  # another body
    pending = [{**deliveries[0], "status": "pending"}, *deliveries[1:]]
    assert check_webhooks(feed, received, pending, [read(events)]) != []  # not delivered
    assert check_webhooks(feed[:-1], received[:-1], deliveries[:-1], [read(events)]) != []


def as_answered(block: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(block, default=str))


def test_stats_must_equal_the_replay() -> None:
    cases = [read(history())]
    block = stats_block([figures(c) for c in cases])
    assert block["reminders"] == block["warnings"] == block["sla_escalations"] == 1
    assert block["sla_breached_cases"] == 1 and block["first_response"]["responded"] == 1
    freshness = {"position": 6, "head": 6, "behind": 0, "generated_at": QUIET.isoformat()}
    risk = {"within_hours": 24, "count": 0, "overdue": 0, "items": []}
    overview = {
        **freshness,
        "stats": as_answered(block),
        "stores": 1,
        "certified_stores": 0,
        "deadlines_at_risk": risk,
    }
    empty = stats_block([])
    platforms = {
        **freshness,
        "items": [
            {"platform": p, **as_answered(block if p == "biggrey" else empty)}
            for p in ("biggrey", "globalbuy", "geli", "bigben", "buyippee")
        ],
    }
    stores = {"shop": {"certified": False}}
    assert check_stats(overview, platforms, cases, stores) == []

    wrong = copy.deepcopy(overview)
    wrong["stats"]["reminders"] = 2
    assert check_stats(wrong, platforms, cases, stores) != []
    behind = {**overview, "position": 5}
    assert check_stats(behind, platforms, cases, stores) != []
    refunded = copy.deepcopy(platforms)
    refunded["items"][0]["refunds"][0]["amount"] = "60.01"
    assert check_stats(overview, refunded, cases, stores) != []
    assert check_stats(overview, platforms, cases, {"shop": {"certified": True}}) != []
    assert block["by_resolution"]["refunded"] == 1
    ended = copy.deepcopy(overview)
    ended["stats"]["by_resolution"] = {**block["by_resolution"], "refunded": 0, "agreed": 1}
    assert check_stats(ended, platforms, cases, stores) != []


def test_the_case_list_must_equal_the_replay() -> None:
    case = read(history())
    item = {"id": CASE, "status": "closed", "resolution": "refunded", "version": 6}
    assert check_case_list([item], [case]) == []
    assert check_case_list([], [case]) != []
    assert check_case_list([{**item, "resolution": None}], [case]) != []
    assert check_case_list([item, item], [case]) != []
