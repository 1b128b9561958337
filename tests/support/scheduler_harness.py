"""What the scheduler tests share: the real service on a real database, and an injected clock.

`Harness.open(url)` migrates the database and builds the scheduler's own composition root, so
the tests go through `Redress` (register a store, submit, act) and the `Sweeper` that
`redress scheduler run-due` runs. No tests here; the other test_scheduler_* modules import it.

A module keeps one database per backend (`Harness.per_backend`) and empties it before each
test (`reset`): a fresh PostgreSQL database and its migrations cost far more than the test.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, inspect, select, text

from domain.actors import Actor, By
from domain.errors import DomainError
from domain.filing import Order
from projections.tables import projection_positions, scheduled_deadlines
from services.scheduler import bootstrap, index
from services.scheduler.settings import SchedulerSettings
from services.scheduler.sweeper import Sweeper, SweepReport
from support.filings import complete
from support.postgres import fresh_database

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ADMIN, STAFF = Actor("admin", "a-1"), Actor("staff", "st-1")
CONSUMER, STORE = Actor("consumer", "c-1"), Actor("store", "s-1")


def local(when: str, zone: str) -> datetime:
    """`local("2025-04-22 00:00", "Europe/London")` as a UTC instant."""
    return datetime.fromisoformat(when).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


@dataclass
class Harness:
    url: str
    sweeper: Sweeper

    @classmethod
    @contextmanager
    def open(cls, url: str, batch: int = 100) -> Iterator[Harness]:
        from services.db import migrate

        settings = SchedulerSettings(database_url=url, scheduler_batch=batch)
        migrate(settings)
        with bootstrap.sweeper(settings) as sweeper:
            yield cls(url, sweeper)

    @classmethod
    @contextmanager
    def per_backend(
        cls, request: pytest.FixtureRequest, tmp: pytest.TempPathFactory, batch: int = 100
    ) -> Iterator[Harness]:
        """For a module-scoped fixture parametrized with BACKENDS."""
        with ExitStack() as stack:
            if request.param == "sqlite":
                url = f"sqlite:///{tmp.mktemp('scheduler') / 'redress.db'}"
            else:
                url = stack.enter_context(fresh_database(request.getfixturevalue("postgres_url")))
            yield stack.enter_context(cls.open(url, batch))

    def reset(self) -> Harness:
        """Forget every event, deadline and position: the next test starts from nothing."""
        stores = ("redress_events", "redress_snapshots", "stored_events", "snapshots")
        with self.sweeper.engine.begin() as connection:
            for table in stores:
                if inspect(connection).has_table(table):
                    connection.execute(text(f"DELETE FROM {table}"))
            connection.execute(delete(scheduled_deadlines))
            connection.execute(delete(projection_positions))
        # The application's aggregate cache trusts that stored events are never deleted;
        # this reset deletes them, so the cache goes too.
        self.app.forget_cached()
        return self

    @property
    def app(self) -> Any:
        return self.sweeper.app

    def store(
        self,
        platform: str,
        *,
        certified: bool = True,
        country: str = "GB",
        timezone: str = "Europe/London",
        store_id: str = "s-1",
    ) -> str:
        self.app.register_store(
            By.at(ADMIN, datetime(2025, 1, 1, tzinfo=UTC)),
            store_id=store_id,
            platform=platform,
            name=f"{platform} shop",
            certified=certified,
            country=country,
            timezone=timezone,
        )
        return store_id

    def submit(
        self,
        platform: str,
        kind: str,
        at: datetime,
        *,
        amount: str = "120.00",
        currency: str = "USD",
        store_id: str = "s-1",
        **fields: Any,
    ) -> UUID:
        from services.application import NewCase

        order = Order(
            "order-1",
            Decimal(amount),
            currency,
            completed_at=fields.pop("completed_at", None),
            delivered_at=fields.pop("delivered_at", None),
        )
        fields = complete(platform, kind, **fields)
        new = NewCase(platform, store_id, CONSUMER.id, kind, order, "It broke", fields=fields)
        return UUID(self.app.submit_case(By.at(CONSUMER, at), new)["id"])

    def act(self, case_id: UUID, actor: Actor, at: datetime, command: str, **args: Any) -> None:
        """Run a Case command, e.g. `act(id, STAFF, t, "suspend", reason="judicial")`."""
        by = By.at(actor, at)
        self.app.act(case_id, by, lambda case, policy: getattr(case, command)(policy, by, **args))

    def run_due(self, now: datetime) -> SweepReport:
        return self.sweeper.run_due(now)

    def events(self, case_id: UUID, since: int = 0) -> list[tuple[str, datetime]]:
        return [(e["type"], e["occurred_at"]) for e in self.app.history(case_id)[since:]]

    def index_rows(self) -> list[tuple[Any, ...]]:
        t = scheduled_deadlines
        with self.sweeper.engine.connect() as connection:
            rows = connection.execute(
                select(
                    t.c.case_id, t.c.deadline_id, t.c.kind, t.c.due_at, t.c.action, t.c.done
                ).order_by(t.c.case_id, t.c.deadline_id)
            ).all()
        return [(*r[:3], index.utc(r[3]), *r[4:]) for r in rows]

    def state(self, case_id: UUID) -> dict[str, Any]:
        state: dict[str, Any] = self.app.get_case(case_id)
        return state

    def refused(self, rule: str, case_id: UUID, *args: Any, **kwargs: Any) -> DomainError:
        """`act(case_id, *args, **kwargs)` is refused under `rule`; the version does not move."""
        before = self.state(case_id)["version"]
        with pytest.raises(DomainError) as refusal:
            self.act(case_id, *args, **kwargs)
        assert refusal.value.rule == rule, refusal.value.detail
        assert self.state(case_id)["version"] == before
        return refusal.value

    def fires_at(self, case_id: UUID, due: datetime, *types: str) -> None:
        """Nothing fires a microsecond before `due`; at `due` the case records `types`, all
        with occurred_at == due, and nothing else."""
        seen = len(self.app.history(case_id))
        assert self.run_due(due - timedelta(microseconds=1)).fired == 0
        assert self.run_due(due).fired == 1
        assert self.events(case_id, since=seen) == [(t, due) for t in types]


def module_harness() -> tuple[Any, Any]:
    """The fixtures a test module assigns (`shared, h = module_harness()`): one harness per
    backend for the module, emptied before each test."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def shared(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[Harness]:
        with Harness.per_backend(request, tmp_path_factory) as harness:
            yield harness

    @pytest.fixture
    def h(shared: Harness) -> Harness:
        return shared.reset()

    return shared, h


def eventually(condition: Callable[[], bool], within: float = 30.0) -> None:
    """Wait (bounded) for `condition`: a process's loop gets there in its own time."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the scheduler did not get there"
        time.sleep(0.02)
