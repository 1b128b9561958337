"""Translations over HTTP, on both backends: store languages, messages with their
translations, `?lang=` and `Accept-Language`, history, /verify, the feed and webhooks, and a
party's `If-Match` that a translation never makes stale."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support.api_server import Api, case_body
from support.fake_engines import FakeEngine

from services.application import Redress
from services.db import sync_engine
from services.translator.bootstrap import engine_for, translator
from services.translator.settings import TranslatorSettings


@pytest.fixture(scope="module")
def translate(api: Api) -> Iterator[Any]:
    """One translator round against a LibreTranslate-compatible engine, on demand."""
    with FakeEngine("libretranslate") as fake:
        settings = TranslatorSettings(
            database_url=api.settings.database_url,
            translator="libretranslate",
            libretranslate_url=fake.url,
            translator_allowed_hosts="127.0.0.1:*",
        )
        app = Redress(env=settings.eventsourcing_env())
        db = sync_engine(settings)

        def round_() -> None:
            engine = engine_for(settings)
            assert engine is not None
            worker = translator(settings, app, db, engine)

            async def run() -> None:
                try:
                    await worker.run_due(lambda: datetime.now(UTC))
                finally:
                    await engine.aclose()

            asyncio.run(run())

        yield round_
        db.dispose()
        app.close()


def german_store(api: Api, language: str | None = "de") -> str:
    store_id = f"laden-{datetime.now(UTC).timestamp():.6f}"
    body = {
        "id": store_id,
        "platform": "biggrey",
        "name": "Laden",
        "certified": True,
        "country": "DE",
        "timezone": "Europe/Berlin",
    }
    if language:
        body["language"] = language
    answer = api.admin.post("/v1/stores", json=body)
    assert answer.status_code == 201, answer.text
    return store_id


def french_case(api: Api, store_id: str) -> tuple[httpx.Client, httpx.Client, str]:
    consumer = api.as_role("consumer")
    store = api.as_role("store", stores=[store_id])
    filed = consumer.post(
        "/v1/cases",
        json=case_body(
            "biggrey",
            store_id,
            "warranty_claim",
            description="L'écran est fissuré.",
            language="fr",
        ),
    )
    assert filed.status_code == 201, filed.text
    return consumer, store, filed.json()["id"]


def test_a_store_registers_with_a_language_or_gets_its_countrys(api: Api) -> None:
    chosen = german_store(api, "fr-CH")
    defaulted = german_store(api, None)
    assert api.admin.get(f"/v1/stores/{chosen}").json()["language"] == "fr-CH"
    assert api.admin.get(f"/v1/stores/{defaulted}").json()["language"] == "de"


def test_a_malformed_language_tag_is_refused_naming_the_field(api: Api) -> None:
    store_id = german_store(api)
    consumer = api.as_role("consumer")
    body = case_body("biggrey", store_id, "warranty_claim", language="français")
    refused = consumer.post("/v1/cases", json=body)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "language" in str(refused.json()["errors"])


def test_each_party_reads_the_other_in_its_own_language(api: Api, translate: Any) -> None:
    store_id = german_store(api)
    consumer, store, case_id = french_case(api, store_id)
    posted = store.post(
        f"/v1/cases/{case_id}/messages",
        json={"body": "Wir schicken einen Ersatz.", "language": "de"},
    )
    assert posted.status_code == 200, posted.text
    etag = posted.headers["ETag"]
    translate()

    mine = consumer.get(f"/v1/cases/{case_id}", params={"lang": "fr"}).json()
    [message] = mine["messages"]
    assert message["display_body"] == "Nous enverrons un remplacement."
    assert message["translations"] == [
        {"language": "fr", "body": "Nous enverrons un remplacement.", "engine": "libretranslate"}
    ]
    theirs = store.get(f"/v1/cases/{case_id}", headers={"Accept-Language": "de-DE;q=0.9, *"})
    assert theirs.json()["display_description"] == "Der Bildschirm ist gesprungen."
    assert theirs.json()["messages"][0]["display_body"] == "Wir schicken einen Ersatz."

    plain = consumer.get(f"/v1/cases/{case_id}")  # the remembered answer saw the translation
    assert plain.json()["messages"][0]["translations"] and plain.headers["ETag"] == etag
    reply = consumer.post(
        f"/v1/cases/{case_id}/messages", json={"body": "Merci."}, headers={"If-Match": etag}
    )
    assert reply.status_code == 200, reply.text  # the translation did not make it stale


def test_history_shows_translations_in_order_and_verify_checks_both_chains(
    api: Api, translate: Any
) -> None:
    store_id = german_store(api)
    _consumer, _store, case_id = french_case(api, store_id)
    translate()
    staff = api.as_role("staff")
    events = staff.get(f"/v1/cases/{case_id}/history").json()["events"]
    assert [(e["type"], e.get("chain")) for e in events] == [
        ("Submitted", None),
        ("MessageTranslated", "translations"),
    ]
    assert events[1]["data"] == {
        "message_id": "Submitted:1",
        "language": "de",
        "body": "Der Bildschirm ist gesprungen.",
        "engine": "libretranslate",
    }
    verdict = staff.get(f"/v1/cases/{case_id}/verify").json()
    assert verdict["valid"] and verdict["events"] == 1
    assert verdict["translations"]["valid"] and verdict["translations"]["events"] == 1


def test_the_feed_and_webhooks_name_translations_case_message_translated(
    api: Api, translate: Any
) -> None:
    store_id = german_store(api)
    consumer, _store, case_id = french_case(api, store_id)
    translate()
    items = consumer.get("/v1/events", params={"after": "0", "limit": 500}).json()["items"]
    mine = [e for e in items if e["subject"] == case_id]
    assert [e["type"] for e in mine] == ["case.submitted", "case.message_translated"]
    assert mine[1]["data"]["body"] == "Der Bildschirm ist gesprungen."
    subscribed = api.admin.post(
        "/v1/webhooks",
        json={"url": "https://hooks.example.com/x", "event_types": ["case.message_translated"]},
    )
    assert subscribed.status_code in (201, 422), subscribed.text  # 422 only: DNS, not the type
    if subscribed.status_code == 422:
        assert "event_types" not in subscribed.text


def test_an_unreadable_lang_is_refused_and_an_unreadable_accept_language_ignored(
    api: Api,
) -> None:
    store_id = german_store(api)
    consumer, _store, case_id = french_case(api, store_id)
    refused = consumer.get(f"/v1/cases/{case_id}", params={"lang": "fr_FR!"})
    assert refused.status_code == 422 and "lang" in refused.text
    ignored = consumer.get(f"/v1/cases/{case_id}", headers={"Accept-Language": "*;q=1, ??"})
    assert ignored.status_code == 200 and "display_description" not in ignored.json()


def test_the_dashboard_shows_the_translation_backlog_and_failures(api: Api, translate: Any) -> None:
    store_id = german_store(api)
    consumer, _store, case_id = french_case(api, store_id)
    consumer.post(f"/v1/cases/{case_id}/messages", json={"body": "nuqneH", "language": "tlh"})
    translate()  # the description is translated; Klingon is refused for good
    translate()  # the next round counts what the last one recorded, as it passes in the log
    browser = api.client()
    signed = browser.get("/dashboard", params={"token": api.key("ops")})
    assert signed.status_code == 303
    page = browser.get("/dashboard/live").text
    assert "Translation backlog" in page and "Translation failures" in page
    failures = int(page.split('data-stat="translation_failures" data-value="')[1].split('"')[0])
    assert failures >= 1
