"""Group commit: concurrent saves share transactions; a stale save fails alone."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.settings import Settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture
def app(database_url: str) -> Redress:
    redress = Redress(env=Settings(database_url=database_url).eventsourcing_env())
    redress.register_store(
        By.at(Actor("admin", "a"), NOW),
        store_id="s1",
        platform="bigben",
        name="S",
        certified=True,
        country="FR",
        timezone="Europe/Paris",
    )
    yield redress
    redress.close()


def _new(n: int) -> NewCase:
    return NewCase(
        "bigben", "s1", f"c{n}", "complaint", Order(f"o{n}", Decimal("10"), "EUR"), "broken"
    )


def test_concurrent_submissions_are_all_committed(app: Redress) -> None:
    with ThreadPoolExecutor(16) as pool:
        states = list(
            pool.map(
                lambda n: app.submit_case(By.at(Actor("consumer", f"c{n}"), NOW), _new(n)),
                range(200),
            )
        )
    assert len({s["id"] for s in states}) == 200
    for state in states[::20]:
        assert app.get_case(UUID(state["id"]))["consumer_id"] == state["consumer_id"]
    assert app.recorder.max_notification_id() == 201  # the store plus 200 cases


def test_a_stale_save_in_a_batch_fails_alone(app: Redress) -> None:
    state = app.submit_case(By.at(Actor("consumer", "c1"), NOW), _new(1))
    case_id = UUID(state["id"])
    first, second = app._case(case_id), app._case(case_id)  # two readers of version 1
    by = By.at(Actor("consumer", "c1"), NOW)
    first.post_message(app.policies["bigben"], by, "one")
    second.post_message(app.policies["bigben"], by, "two")
    fresh = app.submit_case(by, _new(2))  # another writer in flight
    app.save(first)
    with pytest.raises(IntegrityError):
        app.save(second)
    assert app.get_case(case_id)["version"] == 2
    assert app.get_case(UUID(fresh["id"]))["version"] == 1
