"""The translator over a real event store and queue (SQLite and PostgreSQL), against the
fake engines: what is translated into which language, exactly once, with backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from support.fake_engines import DEEPL_KEY, FakeEngine

from domain.actors import Actor, By
from domain.filing import Order
from projections.tables import projection_positions
from services.application import NewCase, Redress
from services.db import migrate, sync_engine
from services.translator.bootstrap import engine_for, translator
from services.translator.jobs import NAME
from services.translator.settings import TranslatorSettings
from services.translator.worker import RoundReport, Translator

ADMIN, CONSUMER, STORE = Actor("admin", "a"), Actor("consumer", "c-1"), Actor("store", "s-1")
START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@dataclass
class Rig:
    app: Redress
    fake: FakeEngine
    translator: Translator
    clock: list[datetime]

    def now(self) -> datetime:
        return self.clock[0]

    def run(self) -> RoundReport:
        return asyncio.run(self._round())

    async def _round(self) -> RoundReport:
        try:
            return await self.translator.run_due(self.now)
        finally:
            await self.translator.engine.aclose()

    def case(self, description: str = "L'écran est fissuré.", language: str | None = "fr") -> UUID:
        order = Order("o-1", Decimal("100"), "EUR", START - timedelta(days=2))
        new = NewCase("biggrey", "s-1", CONSUMER.id, "warranty_claim", order, description, language)
        return UUID(self.app.submit_case(By.at(CONSUMER, START), new)["id"])

    def post(self, case_id: UUID, actor: Actor, body: str, language: str | None) -> None:
        by = By.at(actor, self.now())
        self.app.act(case_id, by, lambda c, p: c.post_message(p, by, body, language))

    def history_types(self, case_id: UUID) -> list[str]:
        return [e["type"] for e in self.app.history(case_id)]


@pytest.fixture(params=["libretranslate", "deepl"])
def rig(request: pytest.FixtureRequest, database_url: str) -> Iterator[Rig]:
    kind = request.param
    with FakeEngine(kind) as fake:
        extra = (
            {"libretranslate_url": fake.url}
            if kind == "libretranslate"
            else {"deepl_api_key": DEEPL_KEY, "deepl_url": fake.url}
        )
        settings = TranslatorSettings(
            database_url=database_url,
            translator=kind,
            translator_allowed_hosts="127.0.0.1:*",
            translator_timeout=2,
            **extra,
        )
        migrate(settings)
        app = Redress(env=settings.eventsourcing_env())
        db = sync_engine(settings)
        engine = engine_for(settings)
        assert engine is not None
        app.register_store(
            By.at(ADMIN, START - timedelta(days=30)),
            store_id="s-1",
            platform="biggrey",
            name="Laden",
            certified=True,
            country="DE",
            timezone="Europe/Berlin",
        )
        try:
            yield Rig(app, fake, translator(settings, app, db, engine), [START])
        finally:
            db.dispose()
            app.close()


def message(state: dict[str, Any], body: str) -> dict[str, Any]:
    return next(m for m in state["messages"] if m["body"] == body)


def test_a_french_consumer_and_a_german_store_each_read_the_other_in_their_language(
    rig: Rig,
) -> None:
    case_id = rig.case()
    rig.post(case_id, STORE, "Wir schicken einen Ersatz.", "de")
    rig.post(case_id, CONSUMER, "Merci.", None)
    report = rig.run()
    assert report.translated == 3 and report.failed == 0
    state = rig.app.get_case(case_id)
    assert message(state, "Wir schicken einen Ersatz.")["translations"] == [
        {"language": "fr", "body": "Nous enverrons un remplacement.", "engine": rig.fake.kind}
    ]
    assert [t["body"] for t in message(state, "Merci.")["translations"]] == ["Danke."]
    assert state["text_translations"]["Submitted:1"][0]["body"] == (
        "Der Bildschirm ist gesprungen."
    )


def test_a_store_without_a_language_reads_its_countrys_main_language(rig: Rig) -> None:
    case_id = rig.case("Thank you.", "en")
    rig.run()
    assert rig.app.get_case(case_id)["text_translations"]["Submitted:1"][0]["language"] == "de"


def test_translations_never_move_the_case_version_and_both_chains_verify(rig: Rig) -> None:
    case_id = rig.case()
    rig.post(case_id, STORE, "Danke.", "de")
    version = rig.app.get_case(case_id)["version"]
    rig.run()
    assert rig.app.get_case(case_id)["version"] == version
    verdict = rig.app.verify(case_id)
    assert verdict["valid"] and verdict["events"] == version
    assert verdict["translations"] == {
        "valid": True,
        "events": 2,
        "head_hash": verdict["translations"]["head_hash"],
    }
    assert rig.history_types(case_id) == [
        "Submitted",
        "MessagePosted",
        "MessageTranslated",
        "MessageTranslated",
    ]


def test_a_language_the_engine_lacks_ends_as_translation_failed_and_is_not_retried(
    rig: Rig,
) -> None:
    case_id = rig.case("nuqneH", "tlh")
    report = rig.run()
    assert (report.failed, report.deferred) == (1, 0)
    failed = [e for e in rig.app.history(case_id) if e["type"] == "TranslationFailed"]
    assert [(e["data"]["message_id"], e["data"]["language"]) for e in failed] == [
        ("Submitted:1", "de")
    ]
    assert rig.run().claimed == 0


def test_an_engine_outage_puts_texts_off_with_backoff_honouring_retry_after(rig: Rig) -> None:
    case_id = rig.case()
    rig.fake.rate_limit(times=1, retry_after=30)
    report = rig.run()
    assert (report.deferred, report.translated) == (1, 0)
    assert rig.translator.queue.next_due() == START + timedelta(seconds=30)
    rig.clock[0] = START + timedelta(seconds=29)
    assert rig.run().claimed == 0
    rig.clock[0] = START + timedelta(seconds=30)
    assert rig.run().translated == 1
    assert "MessageTranslated" in rig.history_types(case_id)


def test_retries_back_off_exponentially_from_one_second_up_to_the_cap(rig: Rig) -> None:
    rig.case()
    rig.fake.down()
    waits = []
    for _ in range(8):
        rig.run()
        due = rig.translator.queue.next_due()
        assert due is not None
        waits.append((due - rig.now()).total_seconds())
        rig.clock[0] = due
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60]
    rig.fake.up()
    assert rig.run().translated == 1


def test_a_replayed_queue_row_is_not_recorded_twice_nor_sent_to_the_engine_again(
    rig: Rig,
) -> None:
    case_id = rig.case()
    rig.run()
    asked = rig.fake.translated
    with rig.translator.db.begin() as connection:  # as if the log were read again
        connection.execute(projection_positions.delete().where(projection_positions.c.name == NAME))
    rig.run()
    assert rig.fake.translated == asked
    assert rig.history_types(case_id).count("MessageTranslated") == 1


def test_texts_asked_together_that_the_engine_refuses_are_each_refused_on_their_own(
    rig: Rig,
) -> None:
    first, second = rig.case("nuqneH", "tlh"), rig.case("Qapla'", "tlh")
    report = rig.run()
    assert (report.failed, report.translated) == (2, 0)
    assert "TranslationFailed" in rig.history_types(first)
    assert "TranslationFailed" in rig.history_types(second)


def test_what_another_translator_recorded_is_seen_before_recording_not_doubled(
    rig: Rig,
) -> None:
    case_id = rig.case()
    rig.run()  # this translator now holds the case's translations
    other = Rig(
        rig.app, rig.fake, Translator(rig.app, rig.translator.db, rig.translator.engine), rig.clock
    )
    rig.post(case_id, STORE, "Danke.", "de")
    assert other.run().translated == 1
    with rig.translator.db.begin() as connection:  # the first reads the log again
        connection.execute(projection_positions.delete().where(projection_positions.c.name == NAME))
    report = rig.run()
    assert (report.translated, report.unchanged) == (0, 2)
    assert rig.history_types(case_id).count("MessageTranslated") == 2
