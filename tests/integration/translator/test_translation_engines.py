"""The engine adapters against LibreTranslate- and DeepL-compatible servers on loopback: the
real HTTP path, error mapping, Retry-After, timeouts and the SSRF guard."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from support.fake_engines import DEEPL_KEY, FakeEngine

from services.translator.bootstrap import engine_for
from services.translator.engines import EngineRefused, EngineUnavailable, TranslationEngine
from services.translator.settings import TranslatorSettings

KINDS = ["libretranslate", "deepl"]


def settings_for(kind: str, url: str, **extra: object) -> TranslatorSettings:
    values: dict[str, object] = {"translator": kind, "translator_allowed_hosts": "127.0.0.1:*"}
    if kind == "libretranslate":
        values["libretranslate_url"] = url
    else:
        values.update(deepl_api_key=DEEPL_KEY, deepl_url=url)
    return TranslatorSettings(**{**values, **extra})


@pytest.fixture(params=KINDS)
def fake(request: pytest.FixtureRequest) -> Iterator[FakeEngine]:
    with FakeEngine(request.param) as engine:
        yield engine


@pytest.fixture
async def engine(fake: FakeEngine) -> AsyncIterator[TranslationEngine]:
    found = engine_for(settings_for(fake.kind, fake.url, translator_timeout=1.0))
    assert found is not None
    yield found
    await found.aclose()


async def test_a_known_phrase_is_translated_from_the_language_given(
    engine: TranslationEngine,
) -> None:
    answer = await engine.translate("L'écran est fissuré.", "fr", "de")
    assert (answer.body, answer.source) == ("Der Bildschirm ist gesprungen.", "fr")


async def test_a_text_without_a_language_has_it_detected_first(engine: TranslationEngine) -> None:
    answer = await engine.translate("Danke.", None, "fr")
    assert (answer.body, answer.source) == ("Merci.", "de")


async def test_a_text_already_in_the_target_language_comes_back_unchanged(
    engine: TranslationEngine,
) -> None:
    answer = await engine.translate("Merci.", None, "fr-FR")
    assert answer.body == "Merci." and answer.source.lower() == "fr"


async def test_a_language_the_engine_lacks_is_refused_for_good(engine: TranslationEngine) -> None:
    with pytest.raises(EngineRefused):
        await engine.translate("Thank you.", "en", "tlh")


async def test_a_rate_limit_is_unavailable_for_as_long_as_retry_after_says(
    fake: FakeEngine, engine: TranslationEngine
) -> None:
    fake.rate_limit(times=1, retry_after=7)
    with pytest.raises(EngineUnavailable) as limited:
        await engine.translate("Thank you.", "en", "fr")
    assert limited.value.retry_after == 7
    assert (await engine.translate("Thank you.", "en", "fr")).body == "Merci."


async def test_a_server_error_is_unavailable_without_retry_after(
    fake: FakeEngine, engine: TranslationEngine
) -> None:
    fake.fail(503)
    with pytest.raises(EngineUnavailable) as failed:
        await engine.translate("Thank you.", "en", "fr")
    assert failed.value.retry_after is None and "503" in failed.value.reason


async def test_a_hanging_engine_times_out(fake: FakeEngine, engine: TranslationEngine) -> None:
    fake.hang = 3.0
    with pytest.raises(EngineUnavailable, match="timed out"):
        await engine.translate("Thank you.", "en", "fr")


async def test_an_engine_that_is_down_is_unavailable(
    fake: FakeEngine, engine: TranslationEngine
) -> None:
    fake.down()
    with pytest.raises(EngineUnavailable):
        await engine.translate("Thank you.", "en", "fr")
    fake.up()
    assert (await engine.translate("Thank you.", "en", "fr")).body == "Merci."


@pytest.mark.parametrize("kind", KINDS)
async def test_a_loopback_engine_not_allowed_is_refused_by_the_ssrf_guard(kind: str) -> None:
    with FakeEngine(kind) as fake:
        engine = engine_for(settings_for(kind, fake.url, translator_allowed_hosts=""))
        assert engine is not None
        try:
            with pytest.raises(EngineUnavailable, match="is not allowed"):
                await engine.translate("Thank you.", "en", "fr")
        finally:
            await engine.aclose()
        assert fake.translated == 0


def test_none_is_the_default_and_translates_nothing() -> None:
    assert engine_for(TranslatorSettings()) is None


def test_an_engine_without_its_address_or_key_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="LIBRETRANSLATE_URL"):
        TranslatorSettings(translator="libretranslate")
    with pytest.raises(ValueError, match="DEEPL_API_KEY"):
        TranslatorSettings(translator="deepl")


async def test_several_texts_of_one_language_go_in_one_request(
    fake: FakeEngine, engine: TranslationEngine
) -> None:
    before = fake.received
    answers = await engine.translate_many(["Thank you.", "The screen is cracked."], "en", "de")
    assert [a.body for a in answers] == ["Danke.", "Der Bildschirm ist gesprungen."]
    assert fake.received - before == 1


async def test_a_refused_request_of_several_texts_is_refused_as_a_whole(
    engine: TranslationEngine,
) -> None:
    with pytest.raises(EngineRefused):
        await engine.translate_many(["Thank you.", "Danke."], "en", "tlh")


def test_a_placeholder_engine_key_is_refused_outside_development() -> None:
    with pytest.raises(ValueError, match="DEEPL_API_KEY is a placeholder"):
        TranslatorSettings(environment="production", translator="deepl", deepl_api_key="changeme")
