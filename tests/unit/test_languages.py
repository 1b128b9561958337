"""Language tags (BCP 47 syntax), country defaults, and the stores' preferred language."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from support.builders import library_mapper

from domain.languages import COUNTRY_LANGUAGES, default_language, is_language_tag, same_language
from domain.store import Store

ADMIN = {"role": "admin", "id": "root"}


@pytest.mark.parametrize(
    "tag", ["fr", "de-CH", "zh-Hant-TW", "sr-Latn-RS", "es-419", "tlh", "en-GB-oxendict", "x-pig"]
)
def test_well_formed_bcp_47_tags_are_accepted_whatever_an_engine_offers(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize("tag", ["", "f", "french!", "fr_FR", "de-", "-de", "fr--FR", "a" * 70])
def test_malformed_tags_are_refused(tag: str) -> None:
    assert not is_language_tag(tag)


def test_tags_of_one_language_in_different_regions_are_the_same_language() -> None:
    assert same_language("fr", "fr-CA") and same_language("DE", "de-AT")
    assert not same_language("fr", "de")


def test_a_store_without_a_language_defaults_to_its_countrys_main_language() -> None:
    assert default_language("DE") == "de" and default_language("CN") == "zh"
    assert default_language("ZZ") == "en"  # not in the table
    assert all(is_language_tag(tag) for tag in COUNTRY_LANGUAGES.values())


def registered(language: str | None) -> Store:
    return Store(
        store_id="s1",
        platform="biggrey",
        name="Laden",
        certified=True,
        country="DE",
        timezone="Europe/Berlin",
        occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
        actor=ADMIN,
        language=language,
    )


def test_a_store_registered_with_a_language_prefers_it_over_its_countrys() -> None:
    assert registered("fr").preferred_language == "fr"
    assert registered(None).preferred_language == "de"


def test_a_store_registered_before_languages_existed_loads_with_its_countrys_language() -> None:
    mapper = library_mapper()
    shop = registered(None)
    stored = mapper.to_stored_event(shop.collect_events()[0])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["language"]  # what version 1 of StoreRegistered held
    old = replace(stored, state=json.dumps(state).encode())
    event = mapper.to_domain_event(old)
    loaded = event.mutate(None)
    assert loaded is not None
    assert loaded.language is None and loaded.preferred_language == "de"


def test_the_readme_documents_every_countrys_default_language() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for country, language in COUNTRY_LANGUAGES.items():
        assert f"{country} `{language}`" in readme, country
