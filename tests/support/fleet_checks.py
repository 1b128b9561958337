"""What the multi-process test (test_fleet.py) checks, as pure functions over what it read back
over HTTP: each case's history against the ledger of answers, the deadlines' firings, how
each case ended, the webhooks received against the event feed, and the statistics and the
case list against a replay of the histories. Each returns the problems it found (an empty
list: all good)."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from math import floor
from typing import Any

from support.fleet_workload import Ack

SYSTEM = "system"
FIRST_RESPONSES = ("StoreResponded", "StoreClosed", "DecisionMade")
STATUSES = (
    "awaiting_store",
    "in_progress",
    "awaiting_consumer",
    "closed",
    "escalated",
    "withdrawn",
    "suspended",
)
TERMINAL = ("closed", "withdrawn")
RESOLUTIONS = (
    "agreed",
    "refunded",
    "auto_approved",
    "ruled_for_consumer",
    "ruled_for_store",
    "protection_refund",
    "consumer_closed",
    "consumer_gave_up",
    "withdrawn",
)
# What an ended case still records: messages, and the platform payout's bookkeeping.
AFTER_THE_END = ("MessagePosted", "PayoutOverdue", "PayoutConfirmed", "PayoutHeld")
PLATFORMS = ("biggrey", "globalbuy", "geli", "bigben", "buyippee")
AT_RISK_WITHIN = timedelta(hours=24)
# One firing of a deadline records one event, or two: a warning and its escalation; a
# refund-only request's automatic approval and its refund.
TWO_EVENT_FIRINGS = (("Warned", "Escalated"), ("AutoApproved", "Refunded"))
# Commands that record two events, by the pair's types and how the second (or first) says so:
# a decision that refunds at once (refund only, near expiry); an approval that pays the
# refund the store proposed; a ruling for the consumer with an amount; a complaint against a
# certified Biggrey store, which Biggrey handles from its filing.
TWO_EVENT_COMMANDS: dict[tuple[str, str], Any] = {
    ("DecisionMade", "Refunded"): lambda a, b: (
        b["data"]["reason"] in ("refund_only", "near_expiry")
    ),
    ("Refunded", "ConsumerApproved"): lambda a, b: a["data"]["reason"] == "agreement",
    ("Ruled", "Refunded"): lambda a, b: b["data"]["reason"] == "ruling",
    ("Submitted", "Escalated"): lambda a, b: b["data"]["reason"] == "complaint",
}


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True)
class CaseRead:
    """One case as read back: its history, its state and its chain's verification."""

    case_id: str
    events: list[dict[str, Any]]
    state: dict[str, Any]
    verdict: dict[str, Any]


# -- histories ---------------------------------------------------------------------------------


def command_ends(events: Sequence[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """The last event of each command a party or staff sent, by version (a command that
    records two events, `TWO_EVENT_COMMANDS`, ends with the second)."""
    ends = {}
    for n, event in enumerate(events):
        if event["actor"]["role"] == SYSTEM:
            continue
        after = events[n + 1] if n + 1 < len(events) else None
        pair = TWO_EVENT_COMMANDS.get((event["type"], after["type"] if after else ""))
        if after is not None and after["actor"] == event["actor"] and pair and pair(event, after):
            continue
        ends[event["version"]] = event
    return ends


def ending(event: dict[str, Any]) -> str | None:
    """The resolution an event ended its case with, read from its type and data (None: the
    case went on), as PLATFORMS.md "How a case ends" names them."""
    kind, data = event["type"], event["data"]
    if kind == "ConsumerApproved":
        return "agreed"
    if kind == "Withdrawn":
        return "withdrawn"
    if kind == "Closed":
        return str(data["reason"])
    if kind in ("Refunded", "AutoApproved", "Ruled"):
        return data.get("resolution")
    return None


def resolution(events: Sequence[dict[str, Any]]) -> str | None:
    """How the case ended, replayed from its history (None: it goes on)."""
    return next((found for e in events if (found := ending(e)) is not None), None)


def check_ending(read: CaseRead) -> list[str]:
    """At most one event ends the case, with a known resolution; each history entry names
    the resolution its event ended the case with; the state shows it; after the end, only
    messages and payout bookkeeping."""
    problems: list[str] = []
    ends = [(e["version"], ending(e)) for e in read.events if ending(e) is not None]
    if len(ends) > 1:
        problems.append(f"ended more than once: {ends}")
    if ends and ends[0][1] not in RESOLUTIONS:
        problems.append(f"ended with an unknown resolution: {ends[0]}")
    named = [(e["version"], e["resolution"]) for e in read.events if e["resolution"] is not None]
    if named != ends:
        problems.append(f"history names the endings {named}, its events say {ends}")
    if read.state["resolution"] != resolution(read.events):
        problems.append(f"resolution {read.state['resolution']}, history says {ends}")
    if ends and read.state["status"] not in TERMINAL:
        problems.append(f"ended ({ends[0][1]}) yet {read.state['status']}")
    if not ends and read.state["status"] in TERMINAL:
        problems.append(f"{read.state['status']} without an ending")
    if ends:
        later = [e["type"] for e in read.events if e["version"] > ends[0][0]]
        if stray := [t for t in later if t not in AFTER_THE_END]:
            problems.append(f"changed after it ended: {stray}")
    return problems


def firings(events: Sequence[dict[str, Any]]) -> dict[str, list[list[dict[str, Any]]]]:
    """The schedulers' events by deadline id, grouped in runs of consecutive versions."""
    runs: dict[str, list[list[dict[str, Any]]]] = defaultdict(list)
    last: dict[str, int] = {}
    for event in events:
        if event["actor"]["role"] != SYSTEM:
            continue
        deadline = event["data"].get("deadline_id") or "(none)"
        if last.get(deadline) == event["version"] - 1:
            runs[deadline][-1].append(event)
        else:
            runs[deadline].append([event])
        last[deadline] = event["version"]
    return runs


def check_case(read: CaseRead, acks: Sequence[Ack], quiet_since: datetime) -> list[str]:
    """Versions contiguous, hash chain linked and verified, every acknowledged command there
    (by its sender) and nothing else sent by anyone, every firing once at its due time, and
    nothing left that was due before the drive ended."""
    problems: list[str] = []
    case, events, state = read.case_id, read.events, read.state

    def problem(text: str) -> None:
        problems.append(f"case {case}: {text}")

    versions = [e["version"] for e in events]
    if versions != list(range(1, len(events) + 1)):
        problem(f"versions not contiguous from 1: {versions}")
    for before, event in itertools.pairwise(events):
        if event["prev_hash"] != before["hash"]:
            problem(f"v{event['version']} does not chain to v{before['version']}")
    head = events[-1]["hash"] if events else None
    if read.verdict != {"valid": True, "events": len(events), "head_hash": head}:
        problem(f"verify says {read.verdict}")
    if (state["version"], state["head_hash"]) != (len(events), head):
        problem(f"state at v{state['version']} {state['head_hash']}, history at v{len(events)}")
    if events and state["deadlines"] != events[-1]["deadlines"]:
        problem("the state's deadlines are not the last event's")

    acked = Counter(a.version for a in acks)
    if twice := sorted(v for v, n in acked.items() if n > 1):
        problem(f"two commands were answered with the same version: {twice}")
    ends = command_ends(events)
    for ack in acks:
        found = ends.get(ack.version)
        sender = {"role": ack.actor[0], "id": ack.actor[1]}
        if found is None:
            problem(f"{ack.command} answered v{ack.version}, not a command's event in history")
        elif found["actor"] != sender:
            problem(f"v{ack.version} ({ack.command}) was recorded for {found['actor']}")
    if unacked := sorted(set(ends) - set(acked)):
        problem(f"events no command was answered for: {unacked}")

    for deadline, runs in firings(events).items():
        types = [tuple(e["type"] for e in run) for run in runs]
        if len(runs) != 1:
            problem(f"deadline {deadline} fired {len(runs)} times: {types}")
        for run in runs:
            first = run[0]
            if len(run) > 1 and tuple(e["type"] for e in run) not in TWO_EVENT_FIRINGS:
                problem(f"deadline {deadline}: one firing recorded {types}")
            before = events[first["version"] - 2]["deadlines"] if first["version"] > 1 else []
            pending = [d for d in before if d["id"] == deadline]
            if not pending:
                problem(f"v{first['version']} fired {deadline}, which was not pending")
            elif any(at(e["occurred_at"]) != at(pending[0]["due_at"]) for e in run):
                problem(f"{deadline} fired at another time than its due_at {pending[0]}")
    overdue = [d for d in state["deadlines"] if at(d["due_at"]) <= quiet_since]
    if overdue:
        problem(f"deadlines due before the drive ended are still pending: {overdue}")
    for found in check_ending(read):
        problem(found)
    return problems


# -- webhooks ----------------------------------------------------------------------------------


def check_webhooks(
    feed: Sequence[dict[str, Any]],
    received: Sequence[tuple[str, bytes]],
    deliveries: Sequence[dict[str, Any]],
    reads: Iterable[CaseRead],
) -> list[str]:
    """Every event of the subscription's scope in the feed was received, as the feed has it,
    first receipts in version order per case; every delivery is delivered; the feed holds
    every event of every case's history."""
    problems: list[str] = []
    by_id = {item["id"]: item for item in feed}
    if len(by_id) != len(feed):
        problems.append("the feed repeats events")
    first: dict[str, bytes] = {}
    order: dict[str, list[int]] = defaultdict(list)
    for webhook_id, body in received:
        if webhook_id not in first:
            first[webhook_id] = body
            subject, _, version = webhook_id.rpartition(":")
            order[subject].append(int(version))
    if missing := sorted(set(by_id) - set(first)):
        problems.append(f"{len(missing)} feed events never received, e.g. {missing[:5]}")
    if unknown := sorted(set(first) - set(by_id)):
        problems.append(f"{len(unknown)} received events not in the feed, e.g. {unknown[:5]}")
    differ = [i for i, body in first.items() if i in by_id and json.loads(body) != by_id[i]]
    if differ:
        problems.append(f"{len(differ)} webhook bodies differ from the feed, e.g. {differ[:3]}")
    for subject, versions in order.items():
        if versions != sorted(versions):
            problems.append(f"{subject}: first received in the order {versions}")
    statuses = Counter(d["status"] for d in deliveries)
    if statuses != Counter({"delivered": len(by_id)}):
        problems.append(f"deliveries {dict(statuses)} for {len(by_id)} feed events")
    if sorted(d["event_id"] for d in deliveries) != sorted(by_id):
        problems.append("the deliveries are not one per feed event")
    case_events = Counter(item["subject"] for item in feed if item["type"].startswith("case."))
    for read in reads:
        if case_events[read.case_id] != len(read.events):
            problems.append(
                f"case {read.case_id}: {len(read.events)} events in history, "
                f"{case_events[read.case_id]} in the feed"
            )
    return problems


# -- statistics: a replay of the histories -----------------------------------------------------


def percentile(ordered: Sequence[int], q: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the nearest ranks."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q
    low = floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def case_figures(read: CaseRead) -> dict[str, Any]:
    """One case's contribution to the statistics, from its history and state."""
    events = read.events
    types = Counter(e["type"] for e in events)
    escalations = [e for e in events if e["type"] == "Escalated"]
    submitted = at(events[0]["occurred_at"])
    first = next((e for e in events if e["type"] in FIRST_RESPONSES), None)
    figures = {
        "platform": read.state["platform"],
        "store_id": read.state["store_id"],
        "status": read.state["status"],
        "resolution": resolution(events),
        "reminders": types["Reminded"],
        "warnings": types["Warned"],
        "escalations": len(escalations),
        "sla_escalations": sum(e["data"]["reason"] == "sla_missed" for e in escalations),
        "auto_approvals": types["AutoApproved"],
        "first_response": None
        if first is None
        else int((at(first["occurred_at"]) - submitted).total_seconds()),
        "refunds": [
            (e["data"]["currency"], e["data"]["payer"], Decimal(str(e["data"]["amount"])))
            for e in events
            if e["type"] == "Refunded"
        ],
    }
    figures["breached"] = any(
        figures[name] for name in ("reminders", "warnings", "sla_escalations", "auto_approvals")
    )
    return figures


def stats_block(cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The statistics block the API shows, computed from the cases' figures."""
    counters = ("reminders", "warnings", "escalations", "sla_escalations", "auto_approvals")
    by_status = dict.fromkeys(STATUSES, 0)
    by_status.update(Counter(c["status"] for c in cases))
    by_resolution = dict.fromkeys(RESOLUTIONS, 0)
    by_resolution.update(Counter(c["resolution"] for c in cases if c["resolution"]))
    seconds = sorted(c["first_response"] for c in cases if c["first_response"] is not None)
    totals: dict[tuple[str, str], tuple[Decimal, int]] = {}
    for c in cases:
        for currency, payer, amount in c["refunds"]:
            total, count = totals.get((currency, payer), (Decimal(0), 0))
            totals[currency, payer] = (total + amount, count + 1)
    return {
        "cases": len(cases),
        "open": sum(c["status"] not in TERMINAL for c in cases),
        "by_status": by_status,
        "by_resolution": by_resolution,
        "sla_breached_cases": sum(c["breached"] for c in cases),
        **{name: sum(c[name] for c in cases) for name in counters},
        "first_response": {
            "responded": len(seconds),
            "median_seconds": percentile(seconds, 0.5),
            "p90_seconds": percentile(seconds, 0.9),
        },
        "refunds": [
            {"currency": currency, "payer": payer, "amount": total, "refunds": count}
            for (currency, payer), (total, count) in sorted(totals.items())
        ],
    }


def exact(block: dict[str, Any]) -> dict[str, Any]:
    """A stats block as the API answers it, with refund amounts as Decimals."""
    refunds = [{**r, "amount": Decimal(r["amount"])} for r in block["refunds"]]
    return {**block, "refunds": refunds}


def at_risk(reads: Iterable[CaseRead], now: datetime) -> dict[str, Any]:
    """The pending deadlines due within 24 hours of `now` (overdue ones too)."""
    pending = sorted(
        (at(d["due_at"]), read.case_id, d["id"])
        for read in reads
        for d in read.state["deadlines"]
        if at(d["due_at"]) <= now + AT_RISK_WITHIN
    )
    return {
        "count": len(pending),
        "overdue": sum(due <= now for due, _, _ in pending),
        "soonest": pending[:50],
    }


def check_stats(
    overview: dict[str, Any],
    platforms: dict[str, Any],
    reads: Sequence[CaseRead],
    stores: dict[str, dict[str, Any]],
) -> list[str]:
    """/v1/stats/overview and /v1/stats/platforms against the replay of the histories."""
    problems: list[str] = []
    figures = [case_figures(read) for read in reads]
    for answer in (overview, platforms):
        if answer["behind"] != 0 or answer["position"] != answer["head"]:
            problems.append(f"stats at {answer['position']} of {answer['head']}")
    if (wanted := stats_block(figures)) != exact(overview["stats"]):
        problems.append(f"overview: {overview['stats']} where the replay says {wanted}")
    certified = sum(store["certified"] for store in stores.values())
    if (overview["stores"], overview["certified_stores"]) != (len(stores), certified):
        problems.append(
            f"overview: {overview['stores']} stores, {overview['certified_stores']} certified; "
            f"the replay says {len(stores)}, {certified}"
        )
    risk = overview["deadlines_at_risk"]
    wanted_risk = at_risk(reads, at(overview["generated_at"]))
    shown = sorted((at(i["due_at"]), i["case_id"], i["deadline_id"]) for i in risk["items"])
    if (risk["count"], risk["overdue"], shown) != (
        wanted_risk["count"],
        wanted_risk["overdue"],
        wanted_risk["soonest"],
    ):
        problems.append(f"deadlines at risk: {risk} where the replay says {wanted_risk}")
    listed = {item["platform"]: item for item in platforms["items"]}
    if sorted(listed) != sorted(PLATFORMS):
        problems.append(f"platforms listed: {sorted(listed)}")
    for name in PLATFORMS:
        wanted = {"platform": name, **stats_block([f for f in figures if f["platform"] == name])}
        if name in listed and exact(listed[name]) != wanted:
            problems.append(f"platform {name}: {listed[name]} where the replay says {wanted}")
    return problems


def check_case_list(listed: Sequence[dict[str, Any]], reads: Sequence[CaseRead]) -> list[str]:
    """GET /v1/cases lists every case once, with the status, resolution and version of its
    history's replay."""
    problems: list[str] = []
    rows = {item["id"]: item for item in listed}
    if len(rows) != len(listed):
        problems.append("the case list repeats cases")
    for read in reads:
        item = rows.get(read.case_id)
        wanted = (read.state["status"], resolution(read.events), len(read.events))
        found = None if item is None else (item["status"], item["resolution"], item["version"])
        if found != wanted:
            problems.append(f"case list: {read.case_id} {found} where the replay says {wanted}")
    return problems
