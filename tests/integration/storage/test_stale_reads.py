"""Filing a case reads its store from memory; the commit checks the store has not moved since
(services.eventstore.recorders), so a filing never rests on a certificate that has changed."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.actors import Actor, By
from domain.case import Case
from domain.filing import Order
from domain.store import Store, store_uuid
from services.application import NewCase, Redress
from services.bootstrap import open_redress
from services.db import migrate
from services.eventstore.recorders import StaleRead
from services.settings import Settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ADMIN = Actor("admin", "a")


def _redress(database_url: str) -> Redress:
    settings = Settings(database_url=database_url)
    migrate(settings)
    return open_redress(settings)


@pytest.fixture
def apps(database_url: str) -> Iterator[tuple[Redress, Redress]]:
    """Two processes' worth of application on one event store."""
    first = _redress(database_url)
    first.register_store(
        By.at(ADMIN, NOW),
        store_id="s1",
        platform="bigben",
        name="S",
        certified=True,
        country="FR",
        timezone="Europe/Paris",
    )
    second = _redress(database_url)
    yield first, second
    first.close()
    second.close()


def _file(app: Redress, n: int) -> dict[str, object]:
    new = NewCase(
        "bigben", "s1", f"c{n}", "complaint", Order(f"o{n}", Decimal("10"), "EUR"), "broken"
    )
    return app.submit_case(By.at(Actor("consumer", f"c{n}"), NOW), new)


def _revoke(app: Redress) -> None:
    store: Store = app.repository.get(store_uuid("s1"))
    store.revoke("staff_decision", NOW, ADMIN.as_dict())
    app.save(store)


def test_a_filing_after_another_process_revoked_the_store_sees_the_revocation(
    apps: tuple[Redress, Redress],
) -> None:
    first, second = apps
    assert _file(first, 1)["certified_store"] is True  # `first` now remembers the store
    _revoke(second)
    refiled = _file(first, 2)
    assert refiled["certified_store"] is False
    assert first.recorder.max_notification_id() == 4  # store, case, revocation, case: no extra


def test_a_stale_read_records_nothing(apps: tuple[Redress, Redress]) -> None:
    first, _ = apps
    case_events = _new_case_events(first)
    before = first.recorder.max_notification_id()
    with pytest.raises(StaleRead):
        first.save(*case_events, reads={store_uuid("s1"): 7})
    assert first.recorder.max_notification_id() == before
    first.save(*case_events, reads={store_uuid("s1"): 1})
    assert first.recorder.max_notification_id() == before + len(case_events)


def test_a_read_changed_in_the_same_commit_is_stale(apps: tuple[Redress, Redress]) -> None:
    first, _ = apps
    store: Store = first.repository.get(store_uuid("s1"))
    store.revoke("staff_decision", NOW, ADMIN.as_dict())
    with pytest.raises(StaleRead):
        first.save(store, *_new_case_events(first), reads={store.id: 1})


def test_filings_racing_a_revocation_each_record_the_certificate_they_were_committed_under(
    apps: tuple[Redress, Redress],
) -> None:
    first, second = apps
    _file(first, 0)
    with ThreadPoolExecutor(8) as pool:
        filings = [pool.submit(_file, first, n) for n in range(1, 30)]
        # Some have landed, more are in flight, and others follow the revocation.
        assert wait(filings, timeout=60, return_when=FIRST_COMPLETED).done
        _revoke(second)
        filings += [pool.submit(_file, first, n) for n in range(30, 60)]
        states = [f.result() for f in filings]
    revoked_at = next(
        n.id
        for n in first.recorder.select_notifications(1, 1000)
        if n.originator_id == store_uuid("s1") and n.originator_version == 2
    )
    filed_at = {
        str(n.originator_id): n.id
        for n in first.recorder.select_notifications(1, 1000)
        if n.originator_version == 1
    }
    before = [s for s in states if filed_at[str(s["id"])] < revoked_at]
    assert 0 < len(before) < len(states), "filings landed on both sides of the revocation"
    for state in states:
        assert state["certified_store"] is (filed_at[str(state["id"])] < revoked_at), state["id"]


def _new_case_events(app: Redress) -> list[object]:
    policy = app.policies["bigben"]
    facts = app._facts("s1", fresh=True)
    case = Case.submit(
        policy,
        By.at(Actor("consumer", "x"), NOW),
        store_id="s1",
        consumer_id=f"x{uuid4().hex[:6]}",
        kind="complaint",
        order=Order("o", Decimal("10"), "EUR"),
        description="broken",
        language=None,
        fields={},
        certified=facts.certified,
        calendar=app._calendar(policy, facts),
    )
    return list(case.collect_events())
