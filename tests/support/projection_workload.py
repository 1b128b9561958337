"""A workload for the read-model tests: cases and stores driven through the application on a
logical clock, and what the read models should then hold (a fresh replay of the log) beside
what they do hold."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Table, select

from domain.actors import Actor, By
from domain.errors import DomainError
from domain.filing import Order
from domain.money import Money
from domain.store import store_uuid
from projections import case_list, case_stats, stores
from projections.registry import PROJECTIONS
from projections.rows import utc
from projections.tracking import follow
from services.application import NewCase, Redress
from services.bootstrap import open_redress
from services.db import migrate
from services.settings import Settings
from support.filings import complete

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
STAFF, SCHEDULER_LAG = Actor("staff", "staff-1"), timedelta(minutes=1)
PLATFORMS = ("biggrey", "globalbuy", "geli", "bigben", "buyippee")
KINDS = {
    "biggrey": ("warranty_claim", "return_request", "complaint"),
    "globalbuy": ("return_request", "refund_only", "complaint"),
    "geli": ("return_request", "refund_only", "exchange_request"),
    "bigben": ("return_request", "warranty_claim", "complaint"),
    "buyippee": ("return_request",),
}
ACTIONS = (
    "respond", "close", "approve", "reject", "escalate", "refund", "platform_refund",
    "withdraw", "message", "decide_refuse", "decide_refund_only", "decide_approve", "ship",
    "receive", "suspend", "resume", "timeout", "timeout", "timeout", "propose_refund",
    "rule_for_store", "rule_for_consumer",
)  # fmt: skip


class Workload:
    """Drives cases and stores through the application, as the API would, on a logical
    clock. Commands the domain refuses record nothing and are skipped."""

    def __init__(self, app: Redress, prefix: str = "w") -> None:
        self.app, self.prefix, self.now = app, prefix, T0
        self.stores: list[tuple[str, str]] = []  # (store_id, platform)
        self.cases: list[UUID] = []
        self.refused = 0

    def at(self, actor: Actor) -> By:
        self.now += timedelta(minutes=7)
        return By.at(actor, self.now)

    def store(self, platform: str, certified: bool) -> str:
        store_id = f"{self.prefix}-{platform}-{len(self.stores) + 1}"
        self.app.register_store(
            self.at(STAFF),
            store_id=store_id,
            platform=platform,
            name=f"Shop <{store_id}>",
            certified=certified,
            country="GB",
            timezone="Europe/London",
        )
        self.stores.append((store_id, platform))
        return store_id

    def submit(self, store: int, kind: int, amount: str = "120.00") -> UUID | None:
        store_id, platform = self.stores[store % len(self.stores)]
        kinds = KINDS[platform]
        order = Order(
            f"o-{len(self.cases)}",
            Decimal(amount),
            "USD",
            completed_at=self.now - timedelta(days=1),
            delivered_at=self.now - timedelta(days=1),
        )
        consumer = Actor("consumer", f"c-{len(self.cases) % 5}")
        kind_name = kinds[kind % len(kinds)]
        fields = complete(platform, kind_name)
        if platform == "buyippee":
            fields |= {"plan": "plus", "declared_value": amount}
        new = NewCase(platform, store_id, consumer.id, kind_name, order, "broken", fields=fields)
        try:
            state = self.app.submit_case(self.at(consumer), new)
        except DomainError:
            self.refused += 1
            return None
        self.cases.append(UUID(state["id"]))
        return self.cases[-1]

    def act(self, case: int, action: str) -> bool:
        """Run `action` on a case; False if the domain refused it."""
        case_id = self.cases[case % len(self.cases)]
        try:
            if action == "timeout":
                return self._time_out(case_id)
            _platform, store_id, consumer_id = self.app.case_header(case_id)
            actor = {
                "store": Actor("store", store_id),
                "consumer": Actor("consumer", consumer_id),
            }.get(COMMANDS[action][0], STAFF)
            by = self.at(actor)
            self.app.act(case_id, by, lambda c, p: COMMANDS[action][1](c, p, by, self.app))
        except DomainError:
            self.refused += 1
            return False
        return True

    def _time_out(self, case_id: UUID) -> bool:
        deadlines = self.app.get_case(case_id)["deadlines"]
        if not deadlines:
            return False
        due = min(deadlines, key=lambda d: d["due_at"])
        self.now = max(self.now, due["due_at"])
        return self.app.record_timeout(case_id, due["id"], due["due_at"] + SCHEDULER_LAG)


def _half(case: Any) -> Money:
    return Money(Decimal(case.order["amount"]) / 2, case.order["currency"]).quantized()


Command = Callable[[Any, Any, By, Redress], None]
COMMANDS: dict[str, tuple[str, Command]] = {
    "respond": ("store", lambda c, p, by, _: c.respond(p, by, "On it")),
    "close": ("store", lambda c, p, by, _: c.store_close(p, by, "repair")),
    "decide_refuse": ("store", lambda c, p, by, _: c.decide(p, by, "refuse")),
    "decide_refund_only": ("store", lambda c, p, by, _: c.decide(p, by, "refund_only")),
    "decide_approve": ("store", lambda c, p, by, _: c.decide(p, by, "approve")),
    "receive": ("store", lambda c, p, by, _: c.receive_return(p, by)),
    "refund": ("store", lambda c, p, by, app: c.refund(p, by, _half(c), "store", None, app.rates)),
    "approve": ("consumer", lambda c, p, by, app: c.approve(p, by, app.rates)),
    "reject": ("consumer", lambda c, p, by, _: c.reject(p, by, "Still broken")),
    "withdraw": ("consumer", lambda c, p, by, _: c.withdraw(p, by)),
    "message": ("consumer", lambda c, p, by, _: c.post_message(p, by, "Any news?")),
    "ship": ("consumer", lambda c, p, by, _: c.ship_return(p, by, "DHL", "WB-1")),
    "escalate": ("staff", lambda c, p, by, _: c.escalate(p, by, "look at this")),
    "platform_refund": (
        "staff",
        lambda c, p, by, app: c.refund(p, by, _half(c), "platform", None, app.rates),
    ),
    "propose_refund": (
        "store",
        lambda c, p, by, app: c.store_close(p, by, "refund", None, _half(c).amount, app.rates),
    ),
    "rule_for_store": ("staff", lambda c, p, by, _: c.rule(p, by, "store", "No fault found.")),
    "rule_for_consumer": (
        "staff",
        lambda c, p, by, app: c.rule(
            p, by, "consumer", "Refund half.", _half(c).amount, "store", app.rates
        ),
    ),
    "suspend": ("staff", lambda c, p, by, _: c.suspend(p, by, "judicial")),
    "resume": ("staff", lambda c, p, by, _: c.resume(p, by)),
}


# -- databases ---------------------------------------------------------------------------------


def open_app(url: str) -> Redress:
    """The application on a migrated database (the event store's and read models' tables)."""
    settings = Settings(database_url=url)
    migrate(settings)
    return open_redress(settings)


def open_engine(url: str) -> Engine:
    from services.db import sync_engine

    return sync_engine(Settings(database_url=url))


@contextlib.contextmanager
def read_models(url: str) -> Iterator[tuple[Redress, Engine]]:
    """The application and an engine on a database with the read-model tables."""
    app, engine = open_app(url), open_engine(url)
    try:
        yield app, engine
    finally:
        engine.dispose()
        app.close()


def rows(engine: Engine, table: Table) -> list[dict[str, Any]]:
    """Every row, in primary-key order, instants as aware UTC."""
    with engine.connect() as connection:
        found = connection.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        return [
            {k: utc(v) if isinstance(v, datetime) else v for k, v in row.items()} for row in found
        ]


def snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    return {t.name: rows(engine, t) for p in PROJECTIONS for t in p.tables}


# -- the oracle: the aggregates, replayed from the event store ---------------------------------


def replayed(app: Redress, work: Workload) -> dict[str, Any]:
    """What the read models must hold, from each aggregate's own history and state."""
    cases, listed, deadlines = {}, {}, set()
    refunds: Counter[tuple[str, str, str]] = Counter()
    refund_counts: Counter[tuple[str, str, str]] = Counter()
    for case_id in work.cases:
        state, history = app.get_case(case_id), app.history(case_id)
        types = [e["type"] for e in history]
        first = next(
            (e for e in history if e["type"] in ("StoreResponded", "StoreClosed", "DecisionMade")),
            None,
        )
        cases[str(case_id)] = {
            "status": state["status"],
            "resolution": state["resolution"],
            "submitted_at": history[0]["occurred_at"],
            "first_response_at": first and first["occurred_at"],
            "reminders": types.count("Reminded"),
            "warnings": types.count("Warned"),
            "escalations": types.count("Escalated"),
            "sla_escalations": sum(
                e["type"] == "Escalated" and e["data"]["reason"] == "sla_missed" for e in history
            ),
            "auto_approvals": types.count("AutoApproved"),
        }
        listed[str(case_id)] = (
            state["status"],
            state["resolution"],
            state["version"],
            history[-1]["occurred_at"],
        )
        deadlines |= {(str(case_id), d["id"], d["due_at"]) for d in state["deadlines"]}
        for refund in state["refunds"]:
            key = (state["store_id"], refund["currency"], refund["payer"])
            refunds[key] += refund["amount"]
            refund_counts[key] += 1
    scorecards = {}
    for store_id, _platform in work.stores:
        record = app.get_store(store_id)
        revocations = sum(
            type(e).__name__ == "CertificateRevoked" for e in app.events.get(store_uuid(store_id))
        )
        scorecards[store_id] = (
            record["certified"],
            record["warnings"],
            revocations,
            record["revocation_reason"],
        )
    return {
        "case_stats": cases,
        "case_list": listed,
        "pending_deadlines": deadlines,
        "refunds": {k: (v, refund_counts[k]) for k, v in refunds.items()},
        "scorecards": scorecards,
    }


def projected(engine: Engine) -> dict[str, Any]:
    """The same facts, as the read models hold them."""
    fields = ("status", "resolution", "submitted_at", "first_response_at", *case_stats.COUNTERS)
    return {
        "case_stats": {
            r["case_id"]: {k: r[k] for k in fields} for r in rows(engine, case_stats.TABLES[0])
        },
        "case_list": {
            r["case_id"]: (r["status"], r["resolution"], r["version"], r["updated_at"])
            for r in rows(engine, case_list.TABLES[0])
        },
        "pending_deadlines": {
            (r["case_id"], r["deadline_id"], r["due_at"])
            for r in rows(engine, case_stats.TABLES[2])
        },
        "refunds": {
            (r["store_id"], r["currency"], r["payer"]): (Decimal(r["amount"]), r["refunds"])
            for r in rows(engine, case_stats.TABLES[1])
        },
        "scorecards": {
            r["store_id"]: (
                r["certified"],
                r["warnings"],
                r["revocations"],
                r["revocation_reason"],
            )
            for r in rows(engine, stores.TABLES[0])
        },
    }


def catch_up(app: Redress, engine: Engine, batch: int = 500) -> int:
    return follow(engine, app, PROJECTIONS, batch)


# -- the tests ---------------------------------------------------------------------------------


def busy_workload(app: Redress, prefix: str = "w", cases: int = 30) -> Workload:
    """A fixed mix: stores on every platform, and cases taken through many paths."""
    work = Workload(app, prefix)
    for index, platform in enumerate(PLATFORMS):
        work.store(platform, certified=index % 2 == 0)
        work.store(platform, certified=index % 2 == 1)
    for n in range(cases):
        work.submit(n, n)
    for round_ in range(4):
        for n in range(len(work.cases)):
            work.act(n, ACTIONS[(n * 7 + round_ * 3) % len(ACTIONS)])
    for _ in range(3):  # three warnings cost the certified biggrey store its certificate
        work.submit(0, 0)
        work.act(-1, "timeout")  # a reminder
        work.act(-1, "timeout")  # a warning and an escalation
    return work
