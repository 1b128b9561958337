"""The commands of the multi-process test (test_fleet.py): stores on all five platforms, API keys,
and case scripts that take cases through every platform's paths, driven over HTTP from a thread
pool that spreads the requests across the API processes, with a ledger of every answer.

A script is a generator: it yields a `Cmd` (one command on its case) or a `Wait` (poll the case
until a condition holds, e.g. until the schedulers have fired a staff import's overdue
deadlines) and is sent back the case as answered. The `Budget` counts commands: the drive
stops after exactly that many, wherever the scripts are.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx

from support.filings import complete

CALENDARS = {
    "biggrey": ("GB", "Europe/London"),
    "globalbuy": ("CN", "Asia/Shanghai"),
    "geli": ("CN", "Asia/Shanghai"),
    "bigben": ("FR", "Europe/Paris"),
    "buyippee": ("HK", "Asia/Hong_Kong"),
}
CURRENCY = {"biggrey": "USD", "globalbuy": "CNY", "geli": "CNY", "bigben": "EUR", "buyippee": "HKD"}
# Store id → (platform, certified). biggrey-warned and biggrey-protected take imported overdue
# cases, whose overdue deadlines cost a store nothing (they fell due before the import).
# biggrey-protected also takes complaints imported just under 30 days after filing: the first
# protection payout falls due after its import, costs the store its certificate (and bars it
# for 12 months), so its later cases take the non-certified paths. The test warns
# biggrey-warned three times by hand (staff) after the drive.
STORES = {
    "biggrey-cert": ("biggrey", True),
    "biggrey-warned": ("biggrey", True),
    "biggrey-protected": ("biggrey", True),
    "biggrey-plain": ("biggrey", False),
    "globalbuy-1": ("globalbuy", True),
    "globalbuy-2": ("globalbuy", False),
    "geli-1": ("geli", True),
    "geli-2": ("geli", False),
    "bigben-1": ("bigben", True),
    "bigben-2": ("bigben", False),
    "buyippee-1": ("buyippee", True),
    "buyippee-2": ("buyippee", False),
}
CONSUMERS = 48
STAFF_KEYS = 8
TERMINAL = ("closed", "withdrawn")
POLL = 0.25  # seconds between looks at a case a script waits on
WAIT_FOR = 120.0  # seconds a script may wait on the schedulers (generous: a 2-core machine)


def utc_now() -> datetime:
    return datetime.now(UTC)


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


# -- HTTP --------------------------------------------------------------------------------------


class Http:
    """Requests spread round-robin over the API processes. Every POST carries a fresh
    Idempotency-Key, kept across its retries (a transport error; 429, or 503 when the shared
    database server turns connections away, both with Retry-After; 409 while the first try
    still runs), and each retry goes to the next API process. Retries are counted."""

    def __init__(self, urls: list[str], connections: int) -> None:
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self.clients = [httpx.Client(base_url=url, timeout=60, limits=limits) for url in urls]
        self._turn = itertools.count()
        self._lock = threading.Lock()
        self.retries: Counter[str] = Counter()
        self.requests = 0

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def __call__(
        self,
        method: str,
        path: str,
        token: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if method == "POST":
            headers["Idempotency-Key"] = uuid4().hex
        for _ in range(100):
            client = self.clients[next(self._turn) % len(self.clients)]
            with self._lock:
                self.requests += 1
            try:
                answer = client.request(method, path, json=body, params=params, headers=headers)
            except httpx.TransportError as failed:
                self._retry(type(failed).__name__)
                time.sleep(0.5)
                continue
            if answer.status_code in (429, 503) or (
                answer.status_code == 409 and "idempotency-key-in-use" in answer.text
            ):
                self._retry(str(answer.status_code))
                time.sleep(float(answer.headers.get("retry-after", "1")))
                continue
            return answer
        raise AssertionError(f"{method} {path}: no answer after 100 tries")

    def _retry(self, why: str) -> None:
        with self._lock:
            self.retries[why] += 1


# -- what the scripts yield --------------------------------------------------------------------


@dataclass(frozen=True)
class Cmd:
    role: str  # consumer | store | staff
    name: str  # submit, or the command's path segment: respond, close, refunds, ...
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Wait:
    what: str
    until: Callable[[dict[str, Any]], bool]


Step = Cmd | Wait
Script = Generator[Step, Any, None]


@dataclass
class Party:
    """One case and who acts on it."""

    platform: str
    store_id: str
    consumer: str
    case_id: str | None = None


def nothing_due(case: dict[str, Any]) -> bool:
    """The schedulers have fired every deadline of the case that is due by now."""
    now = utc_now()
    return all(instant(d["due_at"]) > now for d in case["deadlines"])


def order(p: Party, amount: str = "120.00", **times: datetime) -> dict[str, Any]:
    return {
        "reference": f"{p.platform}-{uuid4().hex[:10]}",
        "amount": amount,
        "currency": CURRENCY[p.platform],
        **{name: at.isoformat() for name, at in times.items()},
    }


def submit(
    p: Party,
    kind: str,
    amount: str = "120.00",
    *,
    ago: timedelta | None = None,
    times: dict[str, timedelta] | None = None,
    **fields: Any,
) -> Cmd:
    """A consumer's filing now, or (`ago`) a staff import filed that long ago: its deadlines
    count from then, so the overdue ones are the schedulers' to fire at once. `times` are the
    order's instants, as offsets before the filing."""
    filed = utc_now() - (ago or timedelta())
    body = {
        "platform": p.platform,
        "store_id": p.store_id,
        "kind": kind,
        "order": order(p, amount, **{k: filed - v for k, v in (times or {}).items()}),
        "description": f"{kind} on {p.platform}: it stopped working.",
        **complete(p.platform, kind, **fields),
    }
    if ago is None:
        return Cmd("consumer", "submit", body)
    return Cmd("staff", "submit", {**body, "consumer_id": p.consumer, "submitted_at": filed})


def money(p: Party, amount: str, payer: str) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY[p.platform], "payer": payer}


def say(text: str) -> dict[str, Any]:
    return {"body": text}


def expect(case: dict[str, Any], **wanted: Any) -> None:
    found = {name: case[name] for name in wanted}
    assert found == wanted, f"case {case['id']}: {found} where {wanted} was expected"


DAY = timedelta(days=1)
LAPSE_IN = timedelta(seconds=20)  # ample for an import to be recorded before it falls due


# -- the scripts, per platform -----------------------------------------------------------------


def bg_resolved(p: Party) -> Script:
    yield submit(p, "warranty_claim")
    yield Cmd("store", "respond", {"message": "Sorry, we will repair it."})
    yield Cmd("consumer", "messages", say("When will it be back?"))
    yield Cmd("store", "close", {"decision": "repair", "note": "Repaired."})
    yield Cmd("consumer", "approve")


def bg_rejected(p: Party) -> Script:
    yield submit(p, "complaint")
    yield Cmd("store", "close", {"decision": "replace"})
    yield Cmd("consumer", "reject", {"explanation": "The replacement never came."})
    yield Cmd("store", "respond", {"message": "Let us refund you instead."})
    yield Cmd("store", "close", {"decision": "refund", "refund_amount": "120.00"})
    yield Cmd("consumer", "approve")


def bg_escalated(p: Party) -> Script:
    yield submit(p, "return_request")
    yield Cmd("consumer", "escalate", {"reason": "The shop does not answer the phone."})
    yield Cmd("staff", "messages", say("We are looking into it."))
    yield Cmd("staff", "refunds", money(p, "40.00", "platform"))
    # Ruled for the consumer without an amount: staff keep the case (protection runs on).
    case = yield Cmd("staff", "ruling", {"in_favour_of": "consumer", "note": "Not as described."})
    expect(case, status="escalated", resolution=None)


def bg_ruled_for_store(p: Party) -> Script:
    yield submit(p, "warranty_claim")
    yield Cmd("staff", "escalate", {"reason": "The consumer called the hotline."})
    yield Cmd("consumer", "messages", say("Photos of the crack attached."))
    ruling = {"in_favour_of": "store", "note": "Dropped after delivery: not covered."}
    case = yield Cmd("staff", "ruling", ruling)
    expect(case, status="closed", resolution="ruled_for_store", deadlines=[])


def bg_withdrawn(p: Party) -> Script:
    yield submit(p, "warranty_claim")
    yield Cmd("store", "messages", say("Did you try turning it off and on?"))
    yield Cmd("consumer", "withdraw", {"reason": "It works now."})


def bg_import_protected(p: Party) -> Script:
    # Certified when filed: reminder, warning + escalation, protection refund, payout overdue.
    # Filed after the store lost its certificate: reminders until day 30, then the consumer
    # may close the case, and does.
    yield submit(p, "complaint", ago=50 * DAY)
    case = yield Wait("the overdue chain", nothing_due)
    if case["consumer_may_close"]:
        yield Cmd("consumer", "consumer-close")
    else:
        expect(case, status="closed", resolution="protection_refund")


def bg_protection_lapse(p: Party) -> Script:
    # Filed (imported) 30 days less LAPSE_IN ago: Biggrey's protection clock runs out during
    # the drive. Certified: the payout, without a settlement, revokes the certificate. After
    # that: not certified, so the consumer may close the case once 30 days are up, and does.
    yield submit(p, "complaint", ago=30 * DAY - LAPSE_IN)
    case = yield Wait(
        "the 30 days", lambda case: case["status"] == "closed" or case["consumer_may_close"]
    )
    if case["consumer_may_close"]:
        case = yield Cmd("consumer", "consumer-close")
        expect(case, status="closed", resolution="consumer_closed")
    else:
        expect(case, status="closed", resolution="protection_refund")


def bg_import_warned(p: Party) -> Script:
    # Certified when filed: a reminder, then a warning and an escalation to Biggrey staff
    # (the third warning revokes the certificate); else reminders. The store answers late.
    yield submit(p, "return_request", ago=12 * DAY)
    case = yield Wait("the reminder and the warning", nothing_due)
    assert case["reminders"] >= 1, case
    yield Cmd("store", "respond", {"message": "We were on holiday."})
    yield Cmd("store", "close", {"decision": "refund", "refund_amount": "120.00"})
    yield Cmd("consumer", "approve")


def bg_import_reminded(p: Party) -> Script:
    yield submit(p, "warranty_claim", ago=12 * DAY)
    case = yield Wait("the reminders", nothing_due)
    assert case["reminders"] >= 1, case  # more, unless holidays fill the 12 days
    yield Cmd("store", "respond", {"message": "Sorry for the delay."})
    yield Cmd("consumer", "messages", say("Finally."))
    yield Cmd("store", "close", {"decision": "other", "note": "Voucher sent."})
    yield Cmd("consumer", "approve")


def gb_arbitration(p: Party) -> Script:
    yield submit(p, "return_request", times={"completed_at": 2 * DAY})
    yield Cmd("store", "decision", {"decision": "refuse", "note": "Used goods."})
    yield Cmd("consumer", "arbitration", {"reason": "They were never used."})
    yield Cmd("staff", "refunds", money(p, "20.00", "platform"))


def gb_ruled_for_consumer(p: Party) -> Script:
    yield submit(p, "return_request", times={"completed_at": 2 * DAY})
    yield Cmd("store", "decision", {"decision": "refuse", "note": "Worn."})
    yield Cmd("consumer", "arbitration", {"reason": "It came like that."})
    ruling = {
        "in_favour_of": "consumer",
        "refund_amount": "60.00",
        "payer": "platform",  # the platform refunds first, and recovers from the deposit
        "note": "Half the price back: the defect is visible in the photos.",
    }
    case = yield Cmd("staff", "ruling", ruling)
    expect(case, status="closed", resolution="ruled_for_consumer")


def gb_return(p: Party) -> Script:
    yield submit(p, "return_request", times={"completed_at": 2 * DAY})
    yield Cmd("store", "decision", {"decision": "approve"})
    yield Cmd("consumer", "return-shipment", {"carrier": "SF Express", "waybill": "SF1001"})
    yield Cmd("store", "return-received")
    yield Cmd("store", "refunds", money(p, "120.00", "store"))


def gb_refund_only(p: Party) -> Script:
    yield submit(p, "refund_only", times={"completed_at": DAY})
    yield Cmd("consumer", "messages", say("The parcel was empty."))
    yield Cmd("store", "decision", {"decision": "refund_only"})  # DecisionMade + Refunded


def gb_reship(p: Party) -> Script:
    yield submit(p, "exchange_request", times={"completed_at": 3 * DAY})
    yield Cmd("store", "decision", {"decision": "reship"})
    yield Cmd("consumer", "reject", {"explanation": "I want another model."})
    yield Cmd("store", "decision", {"decision": "refuse"})
    yield Cmd("consumer", "approve")


def gb_suspended(p: Party) -> Script:
    yield submit(p, "complaint", times={"completed_at": DAY})
    yield Cmd(
        "staff", "suspend", {"reason": "judicial", "note": "The consumer went to the police."}
    )
    yield Cmd("staff", "suspension-proof", {"reference": "PSB-2026-0042", "authority": "police"})
    yield Cmd("staff", "resume")
    yield Cmd("store", "decision", {"decision": "approve"})
    yield Cmd("consumer", "withdraw")


def gb_import_auto(p: Party) -> Script:
    # The merchant's silence approves the return: the consumer ships next.
    yield submit(p, "return_request", ago=3 * DAY, times={"completed_at": 2 * DAY})
    case = yield Wait("the automatic approval", nothing_due)
    expect(case, status="in_progress", resolution=None, last_decision="approve")
    yield Cmd("consumer", "return-shipment", {"carrier": "EMS", "waybill": "EE42"})
    yield Cmd("store", "return-received")
    case = yield Cmd("store", "refunds", money(p, "120.00", "store"))
    expect(case, status="closed", resolution="refunded")


def gb_import_auto_refund(p: Party) -> Script:
    # A refund-only request the merchant ignored: the amount asked for is refunded, and it ends.
    yield submit(
        p, "refund_only", ago=3 * DAY, times={"completed_at": 2 * DAY}, refund_amount="45.00"
    )
    case = yield Wait("the automatic approval and its refund", nothing_due)
    expect(case, status="closed", resolution="auto_approved")
    assert [r["amount"] for r in case["refunds"]] == ["45.00"], case


def geli_return(p: Party) -> Script:
    yield submit(p, "return_request")
    yield Cmd("store", "decision", {"decision": "approve"})
    yield Cmd("consumer", "return-shipment", {"carrier": "JD", "waybill": "JD77"})
    yield Cmd("store", "return-received")
    yield Cmd("store", "close", {"decision": "refund", "refund_amount": "120.00"})
    yield Cmd("consumer", "approve")


def geli_partial_agreed(p: Party) -> Script:
    yield submit(p, "return_request")
    # Geli: money short of what was paid needs the consumer's agreement first: a proposal.
    proposal = {"decision": "refund", "note": "half back, keep it", "refund_amount": "50.00"}
    case = yield Cmd("store", "close", proposal)
    expect(case, status="awaiting_consumer", resolution=None)
    case = yield Cmd("consumer", "approve")
    expect(case, status="closed", resolution="agreed")


def geli_refused(p: Party) -> Script:
    yield submit(p, "exchange_request")
    yield Cmd("store", "decision", {"decision": "refuse"})
    yield Cmd("consumer", "reject", {"explanation": "It is under warranty."})
    yield Cmd("store", "decision", {"decision": "reship"})
    yield Cmd("consumer", "approve")


def geli_import_escalated(p: Party) -> Script:
    yield submit(p, "refund_only", ago=3 * DAY)
    case = yield Wait("the review's escalation", nothing_due)
    expect(case, status="escalated")
    yield Cmd("staff", "refunds", money(p, "30.00", "platform"))


def geli_fresh(p: Party) -> Script:
    yield submit(p, "refund_only", goods_category="fresh_food")
    yield Cmd("store", "decision", {"decision": "refund_only"})


def geli_repair(p: Party) -> Script:
    yield submit(p, "warranty_claim")
    yield Cmd("store", "decision", {"decision": "approve"})
    yield Cmd("store", "messages", say("A technician comes on Tuesday."))
    yield Cmd("store", "close", {"decision": "repair"})
    yield Cmd("consumer", "approve")


def bb_complaint(p: Party) -> Script:
    yield submit(p, "complaint", language="fr")
    yield Cmd("store", "respond", {"message": "Nous regardons."})
    yield Cmd("consumer", "messages", {"body": "Merci.", "language": "fr"})
    yield Cmd("store", "messages", say("Un bon d'achat ?"))
    yield Cmd("store", "close", {"decision": "other", "note": "Bon d'achat."})
    yield Cmd("consumer", "approve")


def bb_return(p: Party) -> Script:
    yield submit(p, "return_request", times={"delivered_at": 3 * DAY})
    yield Cmd("consumer", "return-shipment", {"carrier": "Colissimo", "waybill": "6A123"})
    yield Cmd("store", "return-received")
    yield Cmd("store", "refunds", money(p, "120.00", "store"))


def bb_partial_rejected(p: Party) -> Script:
    yield submit(p, "return_request", times={"delivered_at": 2 * DAY})
    yield Cmd("store", "refunds", money(p, "40.00", "store"))
    yield Cmd("consumer", "reject", {"explanation": "I sent everything back."})
    case = yield Cmd("store", "refunds", money(p, "80.00", "store"))  # the rest: in full
    expect(case, status="closed", resolution="refunded")


def bb_import_reminded(p: Party) -> Script:
    yield submit(p, "warranty_claim", ago=8 * DAY)
    case = yield Wait("the reminder", nothing_due)
    expect(case, reminders=1)
    yield Cmd("store", "respond")
    yield Cmd("store", "close", {"decision": "repair"})
    yield Cmd("consumer", "reject", {"explanation": "Still broken."})
    yield Cmd("store", "close", {"decision": "replace"})
    yield Cmd("consumer", "approve")


def by_lost(p: Party) -> Script:
    yield submit(p, "lost_parcel", "400.00", plan="plus", declared_value="500.00")
    yield Cmd("store", "respond", {"message": "Tracing the parcel."})
    yield Cmd("staff", "refunds", money(p, "300.00", "platform"))  # 80 % of 400, at most


def by_damaged(p: Party) -> Script:
    yield submit(
        p, "damaged_parcel", times={"delivered_at": DAY}, plan="basic", declared_value="120.00"
    )
    yield Cmd("consumer", "messages", say("Photos attached."))
    yield Cmd("store", "close", {"decision": "refund"})
    yield Cmd("consumer", "approve")


def by_import_escalated(p: Party) -> Script:
    yield submit(p, "lost_parcel", "200.00", ago=8 * DAY, plan="basic", declared_value="200.00")
    case = yield Wait("the reply's escalation", nothing_due)
    expect(case, status="escalated")
    yield Cmd("staff", "refunds", money(p, "80.00", "platform"))  # 50 % of 200, at most


def by_return(p: Party) -> Script:
    yield submit(
        p, "return_request", times={"delivered_at": DAY}, plan="plus", declared_value="120.00"
    )
    yield Cmd("consumer", "return-shipment", {"carrier": "HK Post", "waybill": "RR1"})
    yield Cmd("store", "return-received")
    yield Cmd("consumer", "withdraw")


TEMPLATES: list[tuple[str, Callable[[Party], Script]]] = [
    ("biggrey-cert", bg_resolved),
    ("globalbuy-1", gb_arbitration),
    ("geli-1", geli_return),
    ("bigben-1", bb_complaint),
    ("buyippee-1", by_lost),
    ("biggrey-plain", bg_rejected),
    ("globalbuy-2", gb_return),
    ("geli-2", geli_refused),
    ("bigben-2", bb_return),
    ("buyippee-2", by_damaged),
    ("biggrey-protected", bg_import_protected),
    ("globalbuy-2", gb_import_auto),
    ("geli-1", geli_import_escalated),
    ("bigben-1", bb_import_reminded),
    ("buyippee-1", by_import_escalated),
    ("biggrey-plain", bg_import_reminded),
    ("biggrey-cert", bg_escalated),
    ("globalbuy-1", gb_refund_only),
    ("geli-2", geli_fresh),
    ("buyippee-2", by_return),
    ("biggrey-plain", bg_withdrawn),
    ("globalbuy-2", gb_reship),
    ("geli-1", geli_repair),
    ("globalbuy-1", gb_suspended),
    ("biggrey-warned", bg_import_warned),
    ("biggrey-cert", bg_ruled_for_store),
    ("globalbuy-1", gb_ruled_for_consumer),
    ("geli-2", geli_partial_agreed),
    ("bigben-2", bb_partial_rejected),
    ("globalbuy-2", gb_import_auto_refund),
    ("biggrey-protected", bg_protection_lapse),
]


# -- the drive ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    """A 2xx answer to a command: the case's version after it, and who sent it."""

    case_id: str
    version: int
    actor: tuple[str, str]
    command: str


@dataclass(frozen=True)
class Keys:
    admin: str
    staff: list[tuple[str, str]]  # (token, subject)
    ops: str
    hub: str  # a store key for every store: the webhook's owner and the feed's reader
    stores: dict[str, tuple[str, str]]  # store id → (token, subject)
    consumers: list[tuple[str, str]]  # (token, subject)


class Budget:
    def __init__(self, commands: int) -> None:
        self.left, self._lock = commands, threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True


@dataclass
class Ledger:
    acks: list[Ack] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)  # commands by name
    errors: list[str] = field(default_factory=list)  # anything but 2xx, for the failure
    cases: dict[str, Party] = field(default_factory=dict)
    waited: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Driver:
    def __init__(self, http: Http, keys: Keys, budget: Budget) -> None:
        self.http, self.keys, self.budget = http, keys, budget
        self.ledger = Ledger()
        self._templates: Iterator[tuple[int, tuple[str, Callable[[Party], Script]]]] = enumerate(
            itertools.cycle(TEMPLATES)
        )
        self._next = threading.Lock()

    def run(self, workers: int) -> Ledger:
        with ThreadPoolExecutor(workers, thread_name_prefix="drive") as pool:
            for done in [pool.submit(self._worker) for _ in range(workers)]:
                done.result()
        return self.ledger

    def _worker(self) -> None:
        while self.budget.left > 0 and not self.ledger.errors:
            with self._next:
                n, (store_id, script) = next(self._templates)
            platform = STORES[store_id][0]
            party = Party(platform, store_id, self.keys.consumers[n % CONSUMERS][1])
            try:
                self._run(party, script(party))
            except Exception as failed:  # reported by the test, with every other one
                with self.ledger.lock:
                    self.ledger.errors.append(f"{script.__name__} {party}: {failed!r}")

    def _run(self, party: Party, script: Script) -> None:
        answer: Any = None
        while True:
            try:
                step = script.send(answer)
            except StopIteration:
                return
            if isinstance(step, Wait):
                answer = self._wait(party, step)
            elif self.budget.take():
                answer = self._command(party, step)
                if answer is None:
                    script.close()
                    return
            else:
                script.close()
                return

    def _token(self, party: Party, role: str) -> tuple[str, str]:
        if role == "consumer":
            return next(t for t in self.keys.consumers if t[1] == party.consumer)
        if role == "store":
            return self.keys.stores[party.store_id]
        return self.keys.staff[hash(party.consumer) % len(self.keys.staff)]

    def _command(self, party: Party, cmd: Cmd) -> dict[str, Any] | None:
        """Send one command; the case as answered, or None (an error) if not 2xx: every
        command of every script is one its case's state allows."""
        token, subject = self._token(party, cmd.role)
        body = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in cmd.body.items()}
        if cmd.name == "submit":
            answer = self.http("POST", "/v1/cases", token, body)
        else:
            answer = self.http("POST", f"/v1/cases/{party.case_id}/{cmd.name}", token, body)
        with self.ledger.lock:
            self.ledger.sent[cmd.name] += 1
        if answer.is_success:
            case: dict[str, Any] = answer.json()
            if cmd.name == "submit":
                party.case_id = case["id"]
            ack = Ack(case["id"], case["version"], (cmd.role, subject), cmd.name)
            with self.ledger.lock:
                self.ledger.acks.append(ack)
                self.ledger.cases[case["id"]] = party
            return case
        with self.ledger.lock:
            self.ledger.errors.append(
                f"{cmd.name} on {party}: {answer.status_code} {answer.text[:500]}"
            )
        return None

    def _wait(self, party: Party, wait: Wait) -> dict[str, Any]:
        token, _subject = self._token(party, "staff")
        started = time.monotonic()
        while True:
            answer = self.http("GET", f"/v1/cases/{party.case_id}", token)
            assert answer.status_code == 200, answer.text
            case: dict[str, Any] = answer.json()
            if wait.until(case):
                with self.ledger.lock:
                    self.ledger.waited += time.monotonic() - started
                return case
            assert time.monotonic() - started < WAIT_FOR, (
                f"waited {WAIT_FOR:g} s for {wait.what} on case {party.case_id}: {case}"
            )
            time.sleep(POLL)
