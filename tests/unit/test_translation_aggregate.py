"""The translations aggregate, which texts are translated into what, and the retry backoff."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

from domain.translations import Translations, translations_uuid, verify_translations
from services.translator.backoff import Backoff
from services.translator.texts import Text, text_of

AT = datetime(2026, 12, 1, 9, tzinfo=UTC)
TRANSLATOR = {"role": "system", "id": "translator"}


def test_a_case_has_one_translations_aggregate_named_after_it() -> None:
    case_id = uuid4()
    assert Translations.start(case_id).id == translations_uuid(case_id) != case_id


def test_a_translation_already_recorded_is_never_recorded_twice() -> None:
    translations = Translations.start(uuid4())
    assert translations.translated("3", "fr", "Merci.", "deepl", AT, TRANSLATOR)
    assert not translations.translated("3", "fr-FR", "Merci !", "deepl", AT, TRANSLATOR)
    assert not translations.failed("3", "fr", "unsupported", AT, TRANSLATOR)
    assert translations.for_message("3") == [
        {"language": "fr", "body": "Merci.", "engine": "deepl"}
    ]


def test_translations_chain_their_hashes_and_a_changed_one_breaks_the_chain() -> None:
    translations = Translations.start(uuid4())
    translations.translated("3", "fr", "Merci.", "libretranslate", AT, TRANSLATOR)
    translations.failed("Submitted:1", "de", "no such language", AT, TRANSLATOR)
    events = translations.collect_events()[1:]
    valid, checked, head = verify_translations(events)
    assert (valid, checked, head) == (True, 2, events[-1].hash)
    forged = [events[0], events[1].__class__(**{**vars(events[1]), "reason": "edited"})]
    assert verify_translations(forged)[0] is False


def test_a_text_goes_to_each_partys_language_it_is_not_written_in() -> None:
    text = Text("c", "3", 3, "body", "fr")
    assert text.targets(["fr-FR", "de"]) == ["de"]
    assert Text("c", "3", 3, "body", None).targets(["fr", "de", "de-AT", None]) == ["fr", "de"]


def test_messages_are_named_by_version_and_other_texts_by_event_type_and_version() -> None:
    def event(name: str, version: int, **fields: object) -> object:
        cls = type(name, (), {})
        found = cls()
        vars(found).update(originator_id="c", originator_version=version, **fields)
        return found

    posted = text_of(event("MessagePosted", 4, body="Hallo", language="de"))
    assert posted == Text("c", "4", 4, "body", "de")
    closed = text_of(event("StoreClosed", 7, note="Erstattet"))
    assert closed == Text("c", "StoreClosed:7", 7, "note", None)
    assert text_of(event("StoreClosed", 8, note=None)) is None
    assert text_of(SimpleNamespace()) is None


def test_retries_wait_one_second_then_double_up_to_the_cap_and_honour_retry_after() -> None:
    backoff = Backoff(first=1, cap=60)
    assert [backoff.delay(n) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.delay(0, retry_after=30) == 30
    assert backoff.delay(6, retry_after=5) == 60
