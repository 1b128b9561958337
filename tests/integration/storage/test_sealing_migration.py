"""A database from before personal data was sealed, on SQLite and PostgreSQL: its events hold
plaintext under hashes over the plaintext. It upgrades, its chains verify, and its subject
can be erased: the old events are sealed in place and vouched for by `SubjectErased`, so the
chains still verify and no byte of the texts stays in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

from sqlalchemy import text
from support.database_bytes import database_bytes, leaks

from domain.actors import Actor, By
from domain.case import Case
from domain.filing import Order
from domain.sealing import subject_of
from domain.translations import Translations
from projections.registry import PROJECTIONS
from projections.tracking import follow
from services.application import Redress
from services.db import migrate, sync_engine
from services.erasure import erase_subject, export_subject
from services.settings import Settings

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)


def _file_before_sealing(app: Redress, secrets: dict[str, str]) -> UUID:
    """A case, a message and a translation saved as the code before sealing saved them:
    no sealer, so plaintext, hashed as such."""
    admin, consumer = By.at(Actor("admin", "a"), NOW), By.at(Actor("consumer", "c-1"), NOW)
    app.register_store(
        admin, store_id="old-shop", platform="biggrey", name="Shop", certified=True,
        country="GB", timezone="Europe/London",
    )  # fmt: skip
    policy = app.policies["biggrey"]
    case = Case.submit(
        policy,
        consumer,
        store_id="old-shop",
        consumer_id="c-1",
        kind="warranty_claim",
        order=Order("O-1", Decimal("80"), "EUR", completed_at=NOW, delivered_at=NOW),
        description=secrets["description"],
        calendar=policy.calendar.calendar(),
        certified=True,
        fields={"consumer_name": secrets["name"]},
    )
    case.post_message(policy, consumer, secrets["message"])
    translations = Translations.start(case.id)
    translations.translated("2", "fr", secrets["translation"], "deepl", NOW, {"role": "system"})
    app.save(case, translations)
    return case.id


def _before_the_migration(settings: Settings) -> None:
    """Back to the schema before 0010: no key table, its revision not applied."""
    engine = sync_engine(settings)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE subject_keys"))
        connection.execute(
            text("DELETE FROM alembic_version WHERE version_num = '0010_subject_keys'")
        )
    engine.dispose()


def test_a_database_from_before_sealing_upgrades_verifies_and_erases(
    database_url: str, tmp_path: Path
) -> None:
    secrets = {k: f"OLD-{k}-{uuid4().hex[:10]}" for k in ("description", "name", "message")}
    secrets["translation"] = f"OLD-translation-{uuid4().hex[:10]}"
    settings = Settings(database_url=database_url)
    migrate(settings)
    old = Redress(env=settings.eventsourcing_env())
    case_id = _file_before_sealing(old, secrets)
    engine = sync_engine(settings)
    follow(engine, old, PROJECTIONS)  # the case list, as the projector kept it then
    engine.dispose()
    old.close()
    _before_the_migration(settings)
    assert leaks(database_bytes(settings, tmp_path), list(secrets.values()))

    migrate(settings)
    app = Redress(env=settings.eventsourcing_env())
    assert app.verify(case_id)["valid"] is True
    assert app.get_case(case_id)["description"] == secrets["description"]
    subject = subject_of("biggrey", "c-1")
    assert leaks(str(export_subject(app, subject, NOW)), list(secrets.values()))

    stale = Redress(env=settings.eventsourcing_env())  # another process, read before
    assert stale.get_case(case_id)["messages"][0]["translations"][0]["body"]
    staff = By.at(Actor("staff", "dpo"), datetime.now(UTC))
    assert erase_subject(app, subject, staff, "asked")["cases"] == [str(case_id)]

    engine = sync_engine(settings)
    follow(engine, app, PROJECTIONS)  # the read models take SubjectErased like any event
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM projection_parked")).scalar() == 0
        row = connection.execute(text("SELECT version FROM case_list")).one()
    engine.dispose()
    assert row.version == 3  # filed, message, erased

    verdict = app.verify(case_id)
    assert verdict["valid"] is True and verdict["translations"]["valid"] is True
    state = app.get_case(case_id)
    assert (state["description"], state["fields"]["consumer_name"]) == ("[erased]", "[erased]")
    assert state["messages"][0]["body"] == "[erased]"
    assert state["messages"][0]["translations"][0]["body"] == "[erased]"
    cached = stale.get_case(case_id)  # its aggregates take the erasure as they catch up
    assert leaks(str(cached), list(secrets.values())) == []
    assert cached["messages"][0]["translations"][0]["body"] == "[erased]"
    stale.close()
    fresh = Redress(env=settings.eventsourcing_env())  # nothing of it cached
    reads = [str(fresh.get_case(case_id)), str(fresh.history(case_id))]
    assert [leaks(read, list(secrets.values())) for read in reads] == [[], []]
    assert fresh.verify(case_id)["valid"] is True
    assert leaks(database_bytes(settings, tmp_path), list(secrets.values())) == []
    fresh.close()
    app.close()
