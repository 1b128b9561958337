"""The same aggregate tests run against every event store the library offers us.

`EventStoreContract` holds the tests; each subclass names a store (a fresh SQLite file, a fresh
PostgreSQL database) and how to read its raw rows.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import psycopg
import pytest

from domain.actors import Actor, By
from domain.filing import Order
from services.application import CaseNotFound, NewCase, Redress, StoreExists
from services.db import migrate
from services.settings import Settings

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
ADMIN, CONSUMER, STORE = Actor("admin", "a-1"), Actor("consumer", "c-1"), Actor("store", "s-1")
DESCRIPTION = "The kettle leaks from the base after two weeks"

OpenApp = Callable[..., Redress]


def register_store(app: Redress, *, certified: bool = True) -> None:
    app.register_store(
        By.at(ADMIN, T0),
        store_id="s-1",
        platform="biggrey",
        name="Kettles Ltd",
        certified=certified,
        country="GB",
        timezone="Europe/London",
    )


def submit_case(app: Redress) -> UUID:
    order = Order("order-1", Decimal("120.00"), "USD", delivered_at=T0 - timedelta(days=14))
    new = NewCase("biggrey", "s-1", "c-1", "warranty_claim", order, DESCRIPTION)
    return UUID(app.submit_case(By.at(CONSUMER, T0), new)["id"])


def post(app: Redress, case_id: UUID, body: str, at: datetime = T0) -> dict[str, Any]:
    return app.act(
        case_id,
        By.at(STORE, at),
        lambda case, policy: case.post_message(policy, By.at(STORE, at), body),
    )


def fire_next_deadline(app: Redress, case_id: UUID) -> dict[str, Any]:
    """Time out the case's earliest pending deadline, a minute after it fell due."""
    deadline: dict[str, Any] = min(app.get_case(case_id)["deadlines"], key=lambda d: d["due_at"])
    assert app.record_timeout(case_id, deadline["id"], deadline["due_at"] + timedelta(minutes=1))
    return deadline


class EventStoreContract:
    """Every event store must pass these. Subclasses provide `url` and `stored_states`."""

    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    def stored_states(self, url: str) -> list[bytes]:
        """The raw `state` column of every stored event."""
        raise NotImplementedError

    @pytest.fixture
    def open_app(self, url: str) -> Iterator[OpenApp]:
        """Open a Redress application on the store (another process, as far as the store can
        tell); all are closed after the test."""
        apps: list[Redress] = []
        migrate(Settings(database_url=url))

        def open_app(encryption_key: str | None = None) -> Redress:
            settings = Settings(database_url=url, encryption_key=encryption_key)
            apps.append(Redress(env=settings.eventsourcing_env()))
            return apps[-1]

        yield open_app
        for app in apps:
            app.close()

    @pytest.fixture
    def app(self, open_app: OpenApp) -> Redress:
        app = open_app()
        register_store(app)
        return app

    def test_a_submitted_case_reads_back_after_a_restart(
        self, app: Redress, open_app: OpenApp
    ) -> None:
        case_id = submit_case(app)
        case = open_app().get_case(case_id)
        assert (case["status"], case["version"], case["description"]) == (
            "awaiting_store",
            1,
            DESCRIPTION,
        )
        assert case["order"]["amount"] == Decimal("120.00")
        assert [d["kind"] for d in case["deadlines"]] == ["first_response"]

    def test_commands_append_events_whose_hash_chain_verifies(self, app: Redress) -> None:
        case_id = submit_case(app)
        by = By.at(STORE, T0 + timedelta(hours=1))
        app.act(case_id, by, lambda case, policy: case.respond(policy, by, "hi"))
        post(app, case_id, "we will send a new kettle", T0 + timedelta(hours=2))
        history = app.history(case_id)
        assert [e["type"] for e in history] == ["Submitted", "StoreResponded", "MessagePosted"]
        assert [e["prev_hash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]
        assert app.verify(case_id) == {"valid": True, "events": 3, "head_hash": history[-1]["hash"]}
        assert app.get_case(case_id)["status"] == "in_progress"

    def test_the_case_as_of_an_earlier_version_is_replayed(self, app: Redress) -> None:
        case_id = submit_case(app)
        by = By.at(STORE, T0 + timedelta(hours=1))
        app.act(case_id, by, lambda case, policy: case.respond(policy, by, "hi"))
        then = app.get_case(case_id, version=1)
        assert (then["status"], then["version"]) == ("awaiting_store", 1)
        assert app.get_case(case_id)["status"] == "in_progress"

    def test_an_unknown_case_is_not_found(self, app: Redress) -> None:
        with pytest.raises(CaseNotFound):
            app.get_case(UUID(int=1))

    def test_a_store_registered_twice_is_refused(self, app: Redress) -> None:
        with pytest.raises(StoreExists):
            register_store(app)

    def test_a_concurrent_write_is_retried_and_no_update_is_lost(
        self, app: Redress, open_app: OpenApp
    ) -> None:
        case_id = submit_case(app)
        rival, attempts = open_app(), []

        def post_after_a_rival_wrote(case: Any, policy: Any) -> None:
            attempts.append(case.version)
            if len(attempts) == 1:  # the rival saves between our read and our write
                post(rival, case_id, "from the rival")
            case.post_message(policy, By.at(STORE, T0), "from us")

        app.act(case_id, By.at(STORE, T0), post_after_a_rival_wrote)
        case = open_app().get_case(case_id)
        assert attempts == [1, 2]
        assert [m["body"] for m in case["messages"]] == ["from the rival", "from us"]
        assert app.verify(case_id)["valid"]

    def test_a_missed_biggrey_chain_ends_in_a_refund_that_revokes_the_certificate(
        self, app: Redress
    ) -> None:
        case_id = submit_case(app)
        fired = [fire_next_deadline(app, case_id)["action"] for _ in range(3)]
        assert fired == ["remind", "warn_and_escalate", "protection_refund"]
        assert [e["type"] for e in app.history(case_id)] == [
            "Submitted",
            "Reminded",
            "Warned",
            "Escalated",
            "Refunded",
        ]
        case, store = app.get_case(case_id), app.get_store("s-1")
        assert case["status"] == "closed"
        assert [(r["payer"], r["amount"]) for r in case["refunds"]] == [
            ("platform", Decimal("120.00"))
        ]
        assert (store["certified"], store["warnings"]) == (False, 1)
        assert store["revocation_reason"] == "protection_payout_without_settlement"
        assert app.verify(case_id)["valid"]

    def test_a_duplicate_timeout_changes_nothing(self, app: Redress) -> None:
        case_id = submit_case(app)
        deadline = fire_next_deadline(app, case_id)
        before = app.history(case_id)
        assert not app.record_timeout(
            case_id, deadline["id"], deadline["due_at"] + timedelta(days=1)
        )
        assert app.history(case_id) == before

    def test_events_are_encrypted_at_rest_and_read_back_in_clear(
        self, open_app: OpenApp, url: str
    ) -> None:
        from eventsourcing.cryptography import AESCipher  # needs eventsourcing[cryptography]

        app = open_app(encryption_key=AESCipher.create_key(num_bytes=32))
        register_store(app)
        case_id = submit_case(app)
        assert app.get_case(case_id)["description"] == DESCRIPTION
        states = self.stored_states(url)
        assert len(states) == 2  # the store and the case
        assert not any(DESCRIPTION.encode() in state for state in states)

    def test_without_a_key_the_rows_are_plain_json_with_personal_data_sealed(
        self, app: Redress, url: str
    ) -> None:
        submit_case(app)
        states = self.stored_states(url)
        assert any(b'"order-1"' in state for state in states)  # not personal data
        assert not any(DESCRIPTION.encode() in state for state in states)  # sealed
        assert any(b'"_type_":"sealed"' in state.replace(b" ", b"") for state in states)


class TestSQLiteStore(EventStoreContract):
    @pytest.fixture
    def url(self, sqlite_url: str) -> str:
        return sqlite_url

    def stored_states(self, url: str) -> list[bytes]:
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            return [bytes(row[0]) for row in db.execute("SELECT state FROM stored_events")]


class TestPostgresStore(EventStoreContract):
    @pytest.fixture
    def url(self, postgres_database: str) -> str:
        return postgres_database

    def stored_states(self, url: str) -> list[bytes]:
        with psycopg.connect(url) as db:
            return [bytes(row[0]) for row in db.execute("SELECT state FROM redress_events")]

    def test_processes_starting_together_on_a_new_database_all_start(
        self, postgres_database: str
    ) -> None:
        # A fleet's processes start at the same moment on a database just migrated: none of
        # them runs DDL (they once created the library's tables, and raced on it: "already
        # exists", a duplicate pg_type key, "tuple concurrently updated").
        settings = Settings(database_url=postgres_database, db_pool_size=1)
        migrate(settings)
        env = settings.eventsourcing_env()
        start = threading.Barrier(8, timeout=60)

        def open_app() -> Redress:
            start.wait()
            return Redress(env=env)

        with ThreadPoolExecutor(8) as pool:
            apps = list(pool.map(lambda _: open_app(), range(8)))
        register_store(apps[0])
        assert all(app.get_store("s-1")["certified"] for app in apps)
        for app in apps:
            app.close()
