"""Translation end to end: `redress api` and `redress translator` processes on SQLite and on
PostgreSQL, a LibreTranslate- or DeepL-compatible engine on loopback, parties over HTTP.

- a French consumer and a German store carry a case to its end, each reading the other in
  their own language, every translation in the audit trail;
- the engine away for 60 s, then back: every text translated once, within 90 s of its return;
- a translator SIGKILLed mid-batch, then restarted: nothing lost, nothing doubled;
- two translators racing over the same texts: nothing doubled.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.fake_engines import DEEPL_KEY, FakeEngine
from support.postgres import free_port
from support.processes import Fleet, Service, wait_until

ADMIN = "e2e-translation-admin-7c1e"
SETTLE = 120.0  # seconds for the translator to catch up, generous on a busy machine


@dataclass
class Stage:
    fleet: Fleet
    url: str
    fake: FakeEngine
    translators: list[Service]
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str, **headers: str) -> httpx.Client:
        headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    @property
    def admin(self) -> httpx.Client:
        return self.client(ADMIN)

    def key(self, role: str, subject: str, stores: list[str] | None = None) -> str:
        answer = self.admin.post(
            "/v1/api-keys", json={"role": role, "subject": subject, "store_ids": stores or []}
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


@pytest.fixture(
    params=[
        ("sqlite", "libretranslate"),
        ("sqlite", "deepl"),
        pytest.param(("postgres", "libretranslate"), marks=pytest.mark.postgres),
        pytest.param(("postgres", "deepl"), marks=pytest.mark.postgres),
    ],
    ids=lambda p: "-".join(p),
)
def stage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stage]:
    backend, kind = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'redress.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    with FakeEngine(kind) as fake:
        engine = (
            {"REDRESS_LIBRETRANSLATE_URL": fake.url}
            if kind == "libretranslate"
            else {"REDRESS_DEEPL_API_KEY": DEEPL_KEY, "REDRESS_DEEPL_URL": fake.url}
        )
        env = {
            "REDRESS_DATABASE_URL": url,
            "REDRESS_ADMIN_TOKEN": ADMIN,
            "REDRESS_RATE_LIMIT_PER_SECOND": "0",
            "REDRESS_TRANSLATOR": kind,
            "REDRESS_TRANSLATOR_ALLOWED_HOSTS": "127.0.0.1:*",
            "REDRESS_TRANSLATOR_TIMEOUT": "2",
            "REDRESS_DB_POOL_SIZE": "3",
            **engine,
        }
        with Fleet(tmp_path, env) as fleet:
            api = fleet.api()
            stage = Stage(fleet, api.url, fake, [fleet.start("translator")])
            try:
                yield stage
            finally:
                for client in stage.clients:
                    client.close()


def register_german_store(stage: Stage, store_id: str = "laden-1") -> str:
    answer = stage.admin.post(
        "/v1/stores",
        json={
            "id": store_id,
            "platform": "biggrey",
            "name": "Laden",
            "certified": True,
            "country": "DE",
            "timezone": "Europe/Berlin",
            "language": "de",
        },
    )
    assert answer.status_code == 201, answer.text
    return store_id


def file_in_french(consumer: httpx.Client, store_id: str, description: str) -> str:
    body = {
        "platform": "biggrey",
        "store_id": store_id,
        "kind": "warranty_claim",
        "order": {"reference": "o-1", "amount": "120.00", "currency": "EUR"},
        "description": description,
        "language": "fr",
    }
    filed = consumer.post("/v1/cases", json=body)
    assert filed.status_code == 201, filed.text
    return str(filed.json()["id"])


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def translations_recorded(staff: httpx.Client, case_ids: list[str]) -> Counter[tuple[str, ...]]:
    """How many times each (case, text, language) was recorded, from the histories."""
    found: Counter[tuple[str, ...]] = Counter()
    for case_id in case_ids:
        for event in ok(staff.get(f"/v1/cases/{case_id}/history"))["events"]:
            if event["type"] in ("MessageTranslated", "TranslationFailed"):
                data = event["data"]
                found[(case_id, data["message_id"], data["language"])] += 1
    return found


def test_a_french_consumer_and_a_german_store_carry_a_case_to_its_end_each_in_their_language(
    stage: Stage,
) -> None:
    store_id = register_german_store(stage)
    consumer = stage.client(stage.key("consumer", "claire"))
    store = stage.client(stage.key("store", "lena", [store_id]))
    staff = stage.client(stage.key("staff", "sam"))
    case_id = file_in_french(consumer, store_id, "L'écran est fissuré.")
    ok(store.post(f"/v1/cases/{case_id}/respond", json={"message": "Danke."}))
    ok(consumer.post(f"/v1/cases/{case_id}/messages", json={"body": "Merci.", "language": "fr"}))
    ok(
        store.post(
            f"/v1/cases/{case_id}/close",
            json={"decision": "replace", "note": "Wir schicken einen Ersatz."},
        )
    )
    ok(consumer.post(f"/v1/cases/{case_id}/reject", json={"explanation": "Thank you."}))
    ok(store.post(f"/v1/cases/{case_id}/close", json={"decision": "repair", "note": "Danke."}))
    final = ok(consumer.post(f"/v1/cases/{case_id}/approve"))
    assert final["status"] == "closed"
    # description, response, message, two notes (for the consumer) and the explanation
    # (written in English: for both), each once.
    expected = 7
    wait_until(
        lambda: sum(translations_recorded(staff, [case_id]).values()) >= expected,
        SETTLE,
        f"{expected} translations:\n{stage.fleet.logs()}",
    )

    french = ok(consumer.get(f"/v1/cases/{case_id}", params={"lang": "fr"}))
    assert [m["display_body"] for m in french["messages"]] == ["Merci.", "Merci."]
    notes = french["text_translations"]
    assert {t["language"]: t["body"] for t in notes["StoreClosed:4"]} == {
        "fr": "Nous enverrons un remplacement."
    }
    german = ok(store.get(f"/v1/cases/{case_id}", headers={"Accept-Language": "de"}))
    assert german["display_description"] == "Der Bildschirm ist gesprungen."
    assert [m["display_body"] for m in german["messages"]] == ["Danke.", "Danke."]
    assert {t["language"] for t in german["text_translations"]["ConsumerRejected:5"]} == {
        "fr",
        "de",
    }
    recorded = translations_recorded(staff, [case_id])
    assert sum(recorded.values()) == expected and set(recorded.values()) == {1}
    assert ok(staff.get(f"/v1/cases/{case_id}/verify"))["valid"]


def post_many(stage: Stage, cases: int, messages: int) -> tuple[httpx.Client, list[str]]:
    store_id = register_german_store(stage)
    consumer = stage.client(stage.key("consumer", "claire"))
    case_ids = [file_in_french(consumer, store_id, f"Texte {n}") for n in range(cases)]
    for case_id in case_ids:
        for n in range(messages):
            body = {"body": f"Message {n} sur {case_id[:8]}", "language": "fr"}
            ok(consumer.post(f"/v1/cases/{case_id}/messages", json=body))
    return stage.client(stage.key("staff", "sam")), case_ids


def all_translated(staff: httpx.Client, case_ids: list[str], each: int) -> bool:
    return sum(translations_recorded(staff, case_ids).values()) >= len(case_ids) * each


# A minute of outage each: one engine per backend, not every pair.
@pytest.mark.parametrize(
    "stage",
    [
        ("sqlite", "libretranslate"),
        pytest.param(("postgres", "deepl"), marks=pytest.mark.postgres),
    ],
    ids=lambda p: "-".join(p),
    indirect=True,
)
def test_an_engine_away_for_60_s_loses_nothing_and_doubles_nothing(stage: Stage) -> None:
    stage.fake.down()
    staff, case_ids = post_many(stage, cases=4, messages=5)
    time.sleep(60)
    assert sum(translations_recorded(staff, case_ids).values()) == 0
    stage.fake.up()
    back = time.monotonic()
    wait_until(lambda: all_translated(staff, case_ids, 6), 90, "every text, 90 s after")
    assert time.monotonic() - back <= 90
    recorded = translations_recorded(staff, case_ids)
    assert len(recorded) == 24 and set(recorded.values()) == {1}
    assert set(stage.fake.requests.values()) == {1}  # the engine translated each text once


def test_a_translator_killed_mid_batch_and_restarted_loses_nothing_and_doubles_nothing(
    stage: Stage,
) -> None:
    stage.fake.hang = 2.0  # slow enough to be caught with a request in flight
    staff, case_ids = post_many(stage, cases=5, messages=6)
    # Texts of one language go together (25 a request): one request is part of a batch.
    wait_until(lambda: stage.fake.received >= 1, SETTLE, "the engine to be asked")
    [translator] = stage.translators
    translator.kill()
    stage.fake.hang = 0.0
    translator.start()
    wait_until(lambda: all_translated(staff, case_ids, 7), SETTLE, stage.fleet.logs())
    recorded = translations_recorded(staff, case_ids)
    assert len(recorded) == 35 and set(recorded.values()) == {1}


def test_two_translators_racing_record_each_translation_once(stage: Stage) -> None:
    stage.translators.append(stage.fleet.start("translator"))
    staff, case_ids = post_many(stage, cases=8, messages=6)
    wait_until(lambda: all_translated(staff, case_ids, 7), SETTLE, stage.fleet.logs())
    recorded = translations_recorded(staff, case_ids)
    assert len(recorded) == 56 and set(recorded.values()) == {1}
    for translator in stage.translators:
        assert translator.running, translator.logs()


def test_redress_serve_translates_in_process_on_sqlite(tmp_path: Path) -> None:
    with FakeEngine("libretranslate") as fake:
        port = free_port()
        env = {
            "REDRESS_DATABASE_URL": f"sqlite:///{tmp_path / 'redress.db'}",
            "REDRESS_ADMIN_TOKEN": ADMIN,
            "REDRESS_TRANSLATOR": "libretranslate",
            "REDRESS_LIBRETRANSLATE_URL": fake.url,
            "REDRESS_TRANSLATOR_ALLOWED_HOSTS": "127.0.0.1:*",
        }
        with Fleet(tmp_path, env) as fleet:
            serve = fleet.start("serve", "--port", str(port))
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: _answers(url), 120, f"redress serve:\n{serve.logs()}")
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {ADMIN}"}) as admin:
                stage = Stage(fleet, url, fake, [])
                try:
                    store_id = register_german_store(stage)
                    consumer = stage.client(stage.key("consumer", "claire"))
                    case_id = file_in_french(consumer, store_id, "L'écran est fissuré.")
                    staff = stage.client(stage.key("staff", "sam"))
                    wait_until(
                        lambda: sum(translations_recorded(staff, [case_id]).values()) == 1,
                        SETTLE,
                        serve.logs(),
                    )
                    assert admin.get(f"/v1/stores/{store_id}").json()["language"] == "de"
                finally:
                    for client in stage.clients:
                        client.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False
