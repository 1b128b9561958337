"""`redress serve --demo`: realistic stores and cases on all five platforms, at every stage.

Cases are filed as staff imports with submission times in the past, so their deadlines have
already run out: the scheduler catches up at start-up and the history shows reminders,
warnings, escalations and automatic approvals at their proper times. Others are answered,
closed, refunded or suspended by the parties. Seeding twice does nothing the second time.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.actors import Actor, By
from domain.case import Case
from domain.filing import Order
from domain.money import Money
from domain.policies.schema import Policy
from services.application import NewCase, Redress, StoreExists

STAFF = Actor("staff", "demo-staff")


@dataclass(frozen=True)
class DemoStore:
    id: str
    platform: str
    name: str
    certified: bool
    country: str
    timezone: str
    currency: str


STORES = [
    DemoStore("nordic-audio", "biggrey", "Nordic Audio", True, "GB", "Europe/London", "GBP"),
    DemoStore("casa-bella", "biggrey", "Casa Bella Interiors", False, "ES", "Europe/Madrid", "EUR"),
    DemoStore("jade-imports", "globalbuy", "Jade Imports", True, "CN", "Asia/Shanghai", "CNY"),
    DemoStore("geli-digital", "geli", "Geli Digital Flagship", True, "CN", "Asia/Shanghai", "CNY"),
    DemoStore("bigben-shop", "bigben", "Bigben Connected", True, "FR", "Europe/Paris", "EUR"),
    DemoStore("kowloon-post", "buyippee", "Kowloon Parcels", True, "HK", "Asia/Hong_Kong", "HKD"),
]
KINDS = {
    "biggrey": ["warranty_claim", "return_request", "complaint"],
    "globalbuy": ["return_request", "refund_only", "exchange_request", "complaint"],
    "geli": ["return_request", "exchange_request", "warranty_claim", "seven_day_return"],
    "bigben": ["return_request", "warranty_claim", "complaint"],
    "buyippee": ["lost_parcel", "damaged_parcel"],
}
# What the policies require of these filings (documents, forms, eligible goods).
CLAIM_DOCUMENTS = ["purchase_record", "seller_shipping_email", "photos", "seller_correspondence"]
COMPLETE_FILINGS: dict[tuple[str, str], dict[str, Any]] = {
    ("geli", "seven_day_return"): {"no_reason_return": True},
    ("bigben", "return_request"): {"withdrawal_form": "uploads/withdrawal-form.pdf"},
    ("buyippee", "lost_parcel"): {"documents": CLAIM_DOCUMENTS},
    ("buyippee", "damaged_parcel"): {"documents": CLAIM_DOCUMENTS, "packaging": "cardboard"},
}
DESCRIPTIONS = [
    "The left earbud stopped charging after two weeks.",
    "Arrived with a cracked screen; photos attached.",
    "Wrong colour delivered, I ordered the graphite one.",
    "Le produit ne s'allume plus depuis la mise à jour.",
    "收到的商品与描述不符,申请退货。",
    "Parcel never arrived although tracking says delivered.",
    "The box was crushed and the lamp inside is broken.",
]


def seed(app: Redress, now: datetime, cases: int = 60, rng: random.Random | None = None) -> int:
    """Seed the demo data; returns the number of cases filed (0 if already seeded)."""
    rng = rng or random.Random(20261122)
    try:
        _register_stores(app, now)
    except StoreExists:
        return 0
    for n in range(cases):
        store = STORES[n % len(STORES)]
        submitted = now - timedelta(hours=rng.uniform(1, 24 * 40))
        state = app.submit_case(By(STAFF, submitted, now), _new_case(store, n, submitted, rng))
        _advance(app, UUID(state["id"]), store, submitted, now, rng)
    return cases


def _register_stores(app: Redress, now: datetime) -> None:
    by = By.at(Actor("admin", "demo"), now - timedelta(days=400))
    for store in STORES:
        app.register_store(
            by,
            store_id=store.id,
            platform=store.platform,
            name=store.name,
            certified=store.certified,
            country=store.country,
            timezone=store.timezone,
        )


def _new_case(store: DemoStore, n: int, submitted: datetime, rng: random.Random) -> NewCase:
    kind = rng.choice(KINDS[store.platform])
    amount = Decimal(rng.randrange(1500, 90000)) / 100
    fields: dict[str, Any] = dict(COMPLETE_FILINGS.get((store.platform, kind), {}))
    if store.platform == "buyippee":
        fields |= {
            "plan": rng.choice(["basic", "plus", "super_care"]),
            "declared_value": str(amount),
        }
    order = Order(
        f"{store.id[:3].upper()}-{10000 + n}",
        amount,
        store.currency,
        completed_at=submitted - timedelta(days=rng.uniform(0.5, 5)),
        delivered_at=submitted - timedelta(hours=rng.uniform(2, 60)),
    )
    return NewCase(
        platform=store.platform,
        store_id=store.id,
        consumer_id=f"consumer-{n % 17}",
        kind=kind,
        order=order,
        description=rng.choice(DESCRIPTIONS),
        language=None,
        fields=fields,
    )


def _advance(
    app: Redress,
    case_id: UUID,
    store: DemoStore,
    submitted: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    """Move some cases along by the parties; the rest wait for their deadlines."""
    stage = rng.random()
    if stage < 0.45:
        return  # silent store: the scheduler's timeouts will act on it
    store_actor = Actor("store", f"{store.id}-agent")
    at = min(now, submitted + timedelta(hours=rng.uniform(2, 30)))
    steps: list[tuple[Actor, Callable[[Case, Policy, By], None]]] = [
        (store_actor, lambda c, p, by: c.respond(p, by, "Thanks, we are looking into it.")),
    ]
    if stage > 0.6:
        steps.append(
            (
                store_actor,
                lambda c, p, by: c.store_close(p, by, "replace", "A new unit is on its way."),
            )
        )
    if stage > 0.75:
        steps.append((Actor("consumer", "consumer"), lambda c, p, by: c.approve(p, by)))
    elif stage > 0.7:
        steps.append(
            (
                STAFF,
                lambda c, p, by: c.refund(
                    p, by, Money(Decimal("19.90"), store.currency), "store", "goodwill"
                ),
            )
        )
    for actor, step in steps:
        by = By(actor, at, now)
        app.act(case_id, by, functools.partial(_apply, step, by))
        at = min(now, at + timedelta(hours=rng.uniform(1, 20)))


def _apply(step: Callable[[Case, Policy, By], None], by: By, case: Case, policy: Policy) -> None:
    step(case, policy, by)
