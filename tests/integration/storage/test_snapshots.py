"""Snapshots every 100 events: current and past states equal a replay from the start."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.db import migrate
from services.eventstore.application import SNAPSHOT_INTERVAL
from services.settings import Settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
CONSUMER = By.at(Actor("consumer", "c"), NOW)


def test_states_from_snapshots_equal_a_full_replay(database_url: str) -> None:
    migrate(Settings(database_url=database_url))
    env = Settings(database_url=database_url).eventsourcing_env()
    app = Redress(env=env)
    replay = Redress(env={**env, "IS_SNAPSHOTTING_ENABLED": "no"})
    try:
        app.register_store(
            By.at(Actor("admin", "a"), NOW),
            store_id="s",
            platform="globalbuy",
            name="S",
            certified=True,
            country="CN",
            timezone="Asia/Shanghai",
        )
        order = Order("o", Decimal("88.00"), "CNY", completed_at=NOW)
        case_id = UUID(
            app.submit_case(CONSUMER, NewCase("globalbuy", "s", "c", "complaint", order, "x"))["id"]
        )
        for n in range(2 * SNAPSHOT_INTERVAL + 10):
            app.act(
                case_id,
                CONSUMER,
                lambda case, policy, n=n: case.post_message(policy, CONSUMER, f"note {n}"),
            )
        staff = By.at(Actor("staff", "st"), NOW)
        app.act(case_id, staff, lambda case, policy: case.suspend(policy, staff, "judicial"))
        assert len(list(app.snapshots.get(case_id))) == 2  # type: ignore[union-attr]
        final = app.get_case(case_id)["version"]
        for version in (1, 99, 100, 101, 200, 201, final):
            assert app.get_case(case_id, version=version) == replay.get_case(
                case_id, version=version
            )
        assert app.get_case(case_id)["status"] == "suspended"
        assert app.get_case(case_id)["deadlines"] == replay.get_case(case_id)["deadlines"]
    finally:
        app.close()
        replay.close()
