"""A poison event never stalls the read models, on SQLite and PostgreSQL.

The poison is real: a case's second event recorded without its first (a `MessagePosted` for a
case the case list has never seen), which the case list cannot take. Before, the projector
retried that batch for ever and nothing after it reached any read model; now the event is
parked, every other event flows on, /readyz says "degraded", the metric counts it, and
`redress projections parked` / `retry` show and replay it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import Engine, select
from support.projection_workload import open_app, open_engine
from typer.testing import CliRunner

from domain.actors import Actor, By
from domain.case import Case
from domain.filing import Order
from projections.parking import parked, retry_parked
from projections.queries import position
from projections.registry import NAMES, PROJECTIONS
from projections.tables import case_list
from projections.tracking import follow
from services.application import NewCase, Redress
from services.case_api.app import create_app
from services.case_api.settings import ApiSettings
from services.db import migrate
from services.entrypoints import projector_cli
from services.entrypoints.cli import app as cli
from services.settings import Settings

NOW = datetime.now(UTC) - timedelta(hours=1)
CONSUMER = Actor("consumer", "c1")


@pytest.fixture
def world(database_url: str) -> Iterator[tuple[Redress, Engine]]:
    migrate(Settings(database_url=database_url))
    app, engine = open_app(database_url), open_engine(database_url)
    app.register_store(
        By.at(Actor("admin", "a"), NOW),
        store_id="s1",
        platform="biggrey",
        name="Shop",
        certified=True,
        country="GB",
        timezone="Europe/London",
    )
    try:
        yield app, engine
    finally:
        engine.dispose()
        app.close()


def _file(app: Redress, consumer: str) -> UUID:
    order = Order(f"o-{consumer}", Decimal("20"), "GBP")
    new = NewCase("biggrey", "s1", consumer, "warranty_claim", order, "Broken.")
    return UUID(app.submit_case(By.at(Actor("consumer", consumer), NOW), new)["id"])


def _poison(app: Redress) -> UUID:
    """A case's message recorded without the case's submission before it."""
    policy = app.policies["biggrey"]
    case = Case.submit(
        policy,
        By.at(CONSUMER, NOW),
        store_id="s1",
        consumer_id="c1",
        kind="warranty_claim",
        order=Order("o-poison", Decimal("20"), "GBP"),
        description="Broken.",
        certified=True,
        calendar=app._calendar(policy, app._facts("s1", fresh=True)),
    )
    case.post_message(policy, By.at(CONSUMER, NOW), "orphan", None)
    _submitted, message = case.collect_events()
    app.save(message)
    return case.id


def _listed(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(select(case_list.c.case_id, case_list.c.version)).all()
    return {case_id: version for case_id, version in rows}


def test_a_poison_event_is_parked_and_every_other_event_flows_on(
    world: tuple[Redress, Engine],
) -> None:
    app, engine = world
    before = _file(app, "c1")
    poison = _poison(app)
    after = _file(app, "c2")
    by = By.at(CONSUMER, NOW)
    app.act(before, by, lambda c, p: c.post_message(p, by, "hi", None))
    metric = ("redress_projection_parked_events_total", {"projection": "case_list"})
    counted = REGISTRY.get_sample_value(*metric) or 0.0

    follow(engine, app, PROJECTIONS)

    assert _listed(engine) == {str(before): 2, str(after): 1}
    with engine.connect() as connection:
        assert position(connection, NAMES) == app.recorder.max_notification_id()
        [entry] = [e for e in parked(connection) if e.projection == "case_list"]
    assert entry.originator_id == str(poison) and entry.originator_version == 2
    assert entry.topic.endswith(":MessagePosted") and "KeyError" in entry.error
    assert REGISTRY.get_sample_value(*metric) == counted + 1
    # Retrying without a fix parks it again, with its error; nothing else moves.
    assert retry_parked(engine, app, PROJECTIONS, entry.notification_id)[0] == 0
    assert _listed(engine) == {str(before): 2, str(after): 1}


def test_the_commands_list_and_retry_parked_events(
    world: tuple[Redress, Engine], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, engine = world
    monkeypatch.setenv("REDRESS_DATABASE_URL", database_url)
    _poison(app)
    follow(engine, app, PROJECTIONS)
    # The table's width is the console's, fixed when it was made (under pytest-xdist, 80
    # columns whatever COLUMNS says later): wide enough here for every column to be whole.
    monkeypatch.setattr(projector_cli.console, "width", 200)
    listed = CliRunner().invoke(cli, ["projections", "parked"])
    assert listed.exit_code == 0, listed.output
    assert "case_list" in listed.output and "MessagePosted" in listed.output
    with engine.connect() as connection:
        count = len(parked(connection))
    assert f"{count} parked event(s)" in listed.output
    still = CliRunner().invoke(cli, ["projections", "retry"])
    assert still.exit_code == 1 and f"applied 0, still parked {count}" in still.output


async def test_readyz_says_degraded_while_events_are_parked(
    world: tuple[Redress, Engine], database_url: str
) -> None:
    app, engine = world
    settings = ApiSettings(database_url=database_url, admin_token="parking-admin-token-1")
    served = create_app(settings)
    transport = httpx.ASGITransport(app=served)
    async with (
        served.router.lifespan_context(served),  # closes the app's connections after
        httpx.AsyncClient(transport=transport, base_url="http://api") as api,
    ):
        assert (await api.get("/readyz")).json()["status"] == "ready"
        _poison(app)
        follow(engine, app, PROJECTIONS)
        ready = await api.get("/readyz")
    assert ready.status_code == 200  # it still serves; what it lacks is said, not hidden
    assert ready.json()["status"] == "degraded" and ready.json()["parked_events"] >= 1
