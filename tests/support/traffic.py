"""Load for the reliability suite: a world of stores and keys set up over HTTP, client threads
sending a mix of commands across every platform, and a ledger of every acknowledged (2xx)
answer, to be checked against the event store afterwards.

A command whose answer never arrived (the API was killed, the database was away) may or may not
have happened; only acknowledged ones are promises. `Ledger.lost` finds the broken promises.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from support.filings import complete

ADMIN_TOKEN = "reliability-admin-7c1e0f"
# platform: (kinds, currency, country, timezone)
PLATFORMS: dict[str, tuple[tuple[str, ...], str, str, str]] = {
    "biggrey": (("warranty_claim", "return_request", "complaint"), "GBP", "GB", "Europe/London"),
    "globalbuy": (("return_request", "refund_only", "complaint"), "CNY", "CN", "Asia/Shanghai"),
    "geli": (
        ("return_request", "exchange_request", "warranty_claim"),
        "CNY",
        "CN",
        "Asia/Shanghai",
    ),
    "bigben": (("return_request", "warranty_claim", "complaint"), "EUR", "FR", "Europe/Paris"),
    "buyippee": (("lost_parcel", "damaged_parcel"), "HKD", "HK", "Asia/Hong_Kong"),
}
# command: (who sends it, the event it records last, the request)
COMMANDS: dict[str, tuple[str, str, tuple[str, dict[str, Any]]]] = {
    "respond": ("store", "StoreResponded", ("respond", {"message": "We are on it."})),
    "close": ("store", "StoreClosed", ("close", {"decision": "repair", "note": "Repaired."})),
    "message": ("consumer", "MessagePosted", ("messages", {"body": "Any news?"})),
    "approve": ("consumer", "ConsumerApproved", ("approve", {})),
    "reject": ("consumer", "ConsumerRejected", ("reject", {"explanation": "Still broken."})),
    "escalate": ("staff", "Escalated", ("escalate", {"reason": "looks stuck"})),
    "note": ("staff", "MessagePosted", ("messages", {"body": "Staff looked at this."})),
}
# How often each step is chosen: imports (due deadlines), new cases, then commands.
MIX = {"import": 3, "submit": 2, **dict.fromkeys(COMMANDS, 1), "respond": 2, "message": 2}


@dataclass(frozen=True)
class Ack:
    """An acknowledged command: the server said the case reached `version` by `actor`."""

    command: str
    case_id: str
    version: int
    actor: tuple[str, str]
    event: str


@dataclass(frozen=True)
class Case:
    id: str
    platform: str
    store_id: str
    consumer: str


@dataclass
class Ledger:
    acks: list[Ack] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)  # "201", "422", "ConnectError", ...
    acked_at: list[float] = field(default_factory=list)  # time.monotonic() of each ack
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: str, ack: Ack | None = None, case: Case | None = None) -> None:
        with self._lock:
            self.outcomes[outcome] += 1
            if ack is not None:
                self.acks.append(ack)
                self.acked_at.append(time.monotonic())
            if case is not None:
                self.cases.append(case)

    @property
    def acknowledged(self) -> int:
        with self._lock:
            return len(self.acks)

    @property
    def sent(self) -> int:
        with self._lock:
            return sum(self.outcomes.values())

    def first_ack_after(self, moment: float) -> float | None:
        with self._lock:
            return next((t for t in self.acked_at if t > moment), None)

    def pick_case(self, rng: random.Random) -> Case | None:
        with self._lock:
            return rng.choice(self.cases) if self.cases else None

    def lost(self, history: Callable[[str], list[dict[str, Any]]]) -> list[str]:
        """Every acknowledged command the event store does not hold, described."""
        histories = {case_id: history(case_id) for case_id in {a.case_id for a in self.acks}}
        lost = []
        for ack in self.acks:
            events = histories[ack.case_id]
            found = events[ack.version - 1] if len(events) >= ack.version else None
            if (
                found is None
                or found["version"] != ack.version
                or found["type"] != ack.event
                or (found["actor"]["role"], found["actor"]["id"]) != ack.actor
            ):
                lost.append(f"{ack} -> {found}")
        claimed = Counter((a.case_id, a.version) for a in self.acks)
        lost += [f"two acknowledged commands claim {slot}" for slot, n in claimed.items() if n > 1]
        return lost


@dataclass
class World:
    """Stores on every platform, and keys for each kind of caller."""

    url: str
    stores: list[tuple[str, str]]  # (store_id, platform)
    staff: str  # tokens
    store_agent: str
    consumers: dict[str, str]  # subject: token
    ops: str
    prefix: str

    @classmethod
    def create(
        cls, url: str, consumers: int = 4, prefix: str = "r", admin: str = ADMIN_TOKEN
    ) -> World:
        with httpx.Client(base_url=url, timeout=60, headers=_bearer(admin)) as admin_client:
            stores = []
            for platform, (_kinds, _currency, country, zone) in PLATFORMS.items():
                for certified in (True, False):
                    store_id = f"{prefix}-{platform}-{'c' if certified else 'n'}"
                    body = {
                        "id": store_id,
                        "platform": platform,
                        "name": f"Shop {store_id}",
                        "certified": certified,
                        "country": country,
                        "timezone": zone,
                    }
                    _expect(admin_client.post("/v1/stores", json=body), 201)
                    stores.append((store_id, platform))

            def key(role: str, subject: str, store_ids: list[str] | None = None) -> str:
                body = {"role": role, "subject": subject, "store_ids": store_ids or []}
                token: str = _expect(admin_client.post("/v1/api-keys", json=body), 201)["token"]
                return token

            return cls(
                url,
                stores,
                staff=key("staff", f"{prefix}-staff"),
                store_agent=key("store", f"{prefix}-agent", [s for s, _ in stores]),
                consumers={
                    f"{prefix}-consumer-{n}": key("consumer", f"{prefix}-consumer-{n}")
                    for n in range(consumers)
                },
                ops=key("ops", f"{prefix}-ops"),
                prefix=prefix,
            )

    def actors(self) -> dict[str, tuple[str, str]]:
        """Each token's actor, as histories record it: (role, subject)."""
        return {
            self.staff: ("staff", f"{self.prefix}-staff"),
            self.store_agent: ("store", f"{self.prefix}-agent"),
            **{token: ("consumer", subject) for subject, token in self.consumers.items()},
        }


class Traffic:
    """Client threads sending a seeded mix of commands until told to stop."""

    def __init__(self, world: World, ledger: Ledger, seed: int = 9, timeout: float = 60) -> None:
        self.world, self.ledger, self.seed, self.timeout = world, ledger, seed, timeout
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.actors = world.actors()

    def start(self, threads: int = 4) -> Traffic:
        for n in range(threads):
            thread = threading.Thread(target=self._drive, args=(n,), name=f"traffic-{n}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        assert not any(t.is_alive() for t in self._threads), "a traffic thread is stuck"

    def __enter__(self) -> Traffic:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _drive(self, n: int) -> None:
        rng = random.Random(self.seed * 1000 + n)
        steps, weights = list(MIX), list(MIX.values())
        with httpx.Client(base_url=self.world.url, timeout=self.timeout) as client:
            while not self._stop.is_set():
                step = rng.choices(steps, weights)[0]
                try:
                    self.send(client, rng, step)
                except httpx.TransportError as failed:  # no answer: nothing was promised
                    self.ledger.record(type(failed).__name__)
                    time.sleep(0.2)

    def send(self, client: httpx.Client, rng: random.Random, step: str) -> None:
        if step in ("import", "submit"):
            self._file(client, rng, imported=step == "import")
            return
        case = self.ledger.pick_case(rng)
        if case is None:
            return
        role, event, (path, body) = COMMANDS[step]
        token = {
            "store": self.world.store_agent,
            "consumer": self.world.consumers[case.consumer],
            "staff": self.world.staff,
        }[role]
        answer = client.post(f"/v1/cases/{case.id}/{path}", json=body, headers=_bearer(token))
        ack = None
        if answer.is_success:
            ack = Ack(step, case.id, answer.json()["version"], self.actors[token], event)
        self.ledger.record(outcome(answer), ack)

    def _file(self, client: httpx.Client, rng: random.Random, *, imported: bool) -> None:
        store_id, platform = rng.choice(self.world.stores)
        consumer = rng.choice(sorted(self.world.consumers))
        now = datetime.now(UTC)
        submitted = now - timedelta(days=rng.uniform(2, 25)) if imported else now
        body = case_body(platform, store_id, rng, submitted)
        if imported:
            body |= {"consumer_id": consumer, "submitted_at": submitted.isoformat()}
        token = self.world.staff if imported else self.world.consumers[consumer]
        answer = client.post("/v1/cases", json=body, headers=_bearer(token))
        ack = case = None
        if answer.status_code == 201:
            state = answer.json()
            case = Case(state["id"], platform, store_id, consumer)
            command = "import" if imported else "submit"
            # A complaint Biggrey handles from filing records Submitted, then Escalated.
            last = "Escalated" if state["status"] == "escalated" else "Submitted"
            ack = Ack(command, case.id, state["version"], self.actors[token], last)
        self.ledger.record(outcome(answer), ack, case)


def outcome(answer: httpx.Response) -> str:
    """The status code; an error that is not problem+json says so."""
    kind = answer.headers.get("content-type", "")
    if answer.is_success or kind == "application/problem+json":
        return str(answer.status_code)
    return f"{answer.status_code} {kind or 'without a content type'}"


def case_body(
    platform: str, store_id: str, rng: random.Random, submitted: datetime
) -> dict[str, Any]:
    kinds, currency, _country, _zone = PLATFORMS[platform]
    amount = f"{rng.randrange(1500, 90000) / 100:.2f}"
    body: dict[str, Any] = {
        "platform": platform,
        "store_id": store_id,
        "kind": rng.choice(kinds),
        "order": {
            "reference": f"ord-{rng.randrange(10**9)}",
            "amount": amount,
            "currency": currency,
            "completed_at": (submitted - timedelta(days=1)).isoformat(),
            "delivered_at": (submitted - timedelta(hours=12)).isoformat(),
        },
        "description": "It stopped working after a week.",
    }
    if platform == "buyippee":
        body |= {"plan": rng.choice(["basic", "plus", "super_care"]), "declared_value": amount}
    return body | complete(platform, body["kind"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _expect(answer: httpx.Response, status: int) -> Any:
    assert answer.status_code == status, f"{answer.request.url}: {answer.status_code} {answer.text}"
    return answer.json()


# -- reading back ------------------------------------------------------------------------------


def client(world: World, token: str) -> httpx.Client:
    return httpx.Client(base_url=world.url, timeout=60, headers=_bearer(token))


def feed(api: httpx.Client, after: str = "0") -> Iterator[dict[str, Any]]:
    """Every event of the feed after the cursor, paging to the head."""
    while True:
        page = _expect(api.get("/v1/events", params={"after": after, "limit": 500}), 200)
        yield from page["items"]
        after = page["next_cursor"]
        if not page["has_more"]:
            return


def feed_head(api: httpx.Client) -> str:
    after = "0"
    while True:
        page = _expect(api.get("/v1/events", params={"after": after, "limit": 500}), 200)
        after = page["next_cursor"]
        if not page["has_more"]:
            return after


def process_env(database_url: str, **extra: str) -> dict[str, str]:
    """What every process of a test shares: its database, small pools (the test server's
    connections are shared), no rate limit (the load is ours), loopback receivers allowed."""
    return {
        "REDRESS_DATABASE_URL": database_url,
        "REDRESS_ADMIN_TOKEN": ADMIN_TOKEN,
        "REDRESS_DB_POOL_SIZE": "2",
        "REDRESS_RATE_LIMIT_PER_SECOND": "0",
        "REDRESS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1:*",
        "REDRESS_SCHEDULER_WORKERS": "2",
        "REDRESS_NOTIFIER_POLL_INTERVAL": "0.1",
        **extra,
    }
