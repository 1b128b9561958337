"""A notifier's world for tests: a clock the test moves, subscriptions, cases filed and acted
on through the application, the store they concern."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from domain.actors import Actor, By
from domain.filing import Order
from domain.money import Money
from services.application import NewCase, Redress
from services.notifier.runner import Notifier
from services.notifier.signing import SecretBox
from services.notifier.subscriptions import Subscriptions
from services.notifier.tables import webhook_endpoints

STORE = "geli-store-1"
ADMIN, STAFF = Actor("admin", "root"), Actor("staff", "s1")


class Clock:
    """Real time plus an offset the test moves."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class World:
    def __init__(self, notifier: Notifier, clock: Clock) -> None:
        self.notifier, self.clock = notifier, clock
        self.app = notifier.app
        self.subscriptions = Subscriptions(notifier.async_engine, SecretBox(None))

    async def subscribe(
        self,
        url: str,
        types: list[str] | None = None,
        stores: list[str] | None = None,
        *,
        every_store: bool = False,
        owner: tuple[str, str] | None = None,
    ) -> tuple[str, str]:
        owner = owner or (("admin", "root") if every_store else ("store", "owner"))
        scope = None if every_store else stores or [STORE]
        created, secret = await self.subscriptions.create(
            owner, url, types or ["*"], scope, self.clock()
        )
        return created["id"], secret

    def by(self, actor: Actor) -> By:
        return By.at(actor, datetime.now(UTC))

    def case(self, consumer: str = "consumer-1") -> UUID:
        order = Order("ord-1", Decimal("120.00"), "USD", datetime.now(UTC) - timedelta(days=2))
        new = NewCase("geli", STORE, consumer, "return_request", order, "It broke.")
        state = self.app.submit_case(self.by(Actor("consumer", consumer)), new)
        return UUID(state["id"])

    def message(self, case_id: UUID, body: str = "hello") -> None:
        by = self.by(STAFF)
        self.app.act(case_id, by, lambda case, policy: case.post_message(policy, by, body))

    def refund(self, case_id: UUID) -> None:
        by = self.by(STAFF)
        money = Money(Decimal("10.00"), "USD")
        self.app.act(case_id, by, lambda case, policy: case.refund(policy, by, money, "store"))

    async def endpoint(self, endpoint_id: str) -> Any:
        async with self.notifier.async_engine.connect() as connection:
            query = select(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
            return (await connection.execute(query)).one()

    async def deliveries(self, endpoint_id: str) -> list[dict[str, Any]]:
        page = await self.subscriptions.deliveries(endpoint_id, None, 200, None)
        return list(reversed(page["items"]))


def register(app: Redress, store_id: str = STORE) -> None:
    app.register_store(
        By.at(ADMIN, datetime.now(UTC)),
        store_id=store_id,
        platform="geli",
        name="Shop",
        certified=True,
        country="CN",
        timezone="Asia/Shanghai",
    )
