"""Losing the master key (REDRESS_ENCRYPTION_KEY), on SQLite and PostgreSQL: the subject keys
it wrapped cannot be opened, so sealed fields read "[unavailable]"; every other read, the
hash chain and new commands still work."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import OperationalError

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.db import migrate
from services.settings import Settings

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
CONSUMER = By.at(Actor("consumer", "c-9"), NOW)


def _app(database_url: str, key: str | None) -> Redress:
    settings = Settings(database_url=database_url, encryption_key=key, encrypt_events=False)
    migrate(settings)
    return Redress(env=settings.eventsourcing_env())


def _file(app: Redress) -> dict[str, Any]:
    admin = By.at(Actor("admin", "a"), NOW)
    app.register_store(
        admin, store_id="shop", platform="biggrey", name="Shop", certified=False,
        country="GB", timezone="Europe/London",
    )  # fmt: skip
    order = Order("O-9", Decimal("30"), "EUR", completed_at=NOW, delivered_at=NOW)
    new = NewCase("biggrey", "shop", "c-9", "warranty_claim", order, "my address is 1 Rue X")
    state = app.submit_case(CONSUMER, new)
    app.act(
        UUID(state["id"]), CONSUMER, lambda case, p: case.post_message(p, CONSUMER, "call 0601")
    )
    return state


@pytest.mark.parametrize(
    "later_key",
    [None, AESCipher.create_key(num_bytes=32)],
    ids=["no-master-key", "another-master-key"],  # fixed ids: every xdist worker collects alike
)
def test_without_the_master_key_sealed_fields_read_unavailable(
    database_url: str, later_key: str | None
) -> None:
    written = _app(database_url, AESCipher.create_key(num_bytes=32))
    case_id = UUID(_file(written)["id"])
    written.close()

    app = _app(database_url, later_key)
    state = app.get_case(case_id)
    assert state["description"] == "[unavailable]"
    assert state["messages"][0]["body"] == "[unavailable]"
    assert state["order"]["reference"] == "O-9"  # not personal data: readable
    assert app.history(case_id)[1]["data"]["body"] == "[unavailable]"
    assert app.verify(case_id)["valid"] is True
    after = app.act(case_id, CONSUMER, lambda case, p: case.post_message(p, CONSUMER, "new"))
    assert after["messages"][-1]["body"] == "new"
    app.close()


def test_the_database_going_away_while_a_key_is_looked_up_is_an_outage_not_bad_data(
    postgres_database: str,
) -> None:
    """A sealed value's key is looked up as the event is decoded: the database going away
    then is raised as the database error it is (the API answers 503, a role retries), not as
    the library's failure to decode the event (which the API answered 500)."""
    written = _app(postgres_database, None)
    case_id = UUID(_file(written)["id"])
    written.close()
    app = _app(postgres_database, None)  # nothing cached: each key is looked up
    try:
        [submitted, *_] = app.recorder.select_events(case_id)
        with psycopg.connect(postgres_database, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        with pytest.raises(OperationalError):
            app.mapper.to_domain_event(submitted)
        assert app.get_case(case_id)["description"] == "my address is 1 Rue X"  # back
    finally:
        app.close()
