"""Personal fields sealed per subject (domain.sealing): rules read the text, the hash chain
covers the token, so a history whose texts are erased verifies as it did; an event sealed in
place by an erasure verifies only under the hash its `SubjectErased` vouches for."""

from __future__ import annotations

import copy
from datetime import timedelta
from itertools import count

from support.builders import CONSUMER, MONDAY, STAFF, by, events, policy, submit

from domain.case import Case, verify_chain
from domain.case_events import Submitted
from domain.sealing import ERASED, Sealed, hashed, scrubbed, sealing
from domain.translations import Translations, verify_translations

BIGGREY = policy("biggrey")
_n = count()


def fake_seal(text: str) -> Sealed:
    """A stand-in cipher: the domain only needs a token that is not the text."""
    return Sealed(text, f"rs1.{'k' * 32}.{next(_n)}-{len(text)}")


def sealed_case() -> Case:
    with sealing(fake_seal):
        case = submit("biggrey", "warranty_claim")
        case.post_message(BIGGREY, by(CONSUMER, MONDAY + timedelta(hours=1)), "IBAN FR76 1234")
    return case


def test_personal_fields_are_sealed_and_read_as_their_text() -> None:
    first, message = events(sealed_case())
    assert isinstance(first, Submitted) and type(first.description) is Sealed
    assert first.description == "it broke"
    assert type(message.data["body"]) is Sealed
    assert type(first.data["kind"]) is str  # not personal: left as it is


def test_the_hash_covers_the_token_not_the_text() -> None:
    first = events(sealed_case())[0]
    covered = hashed(first.data)
    assert covered["description"] == {"sealed": first.description.token}
    assert "it broke" not in str(covered)


def test_a_history_whose_texts_are_erased_still_verifies() -> None:
    history = events(sealed_case())
    before = verify_chain(history)
    erased = [copy.copy(e) for e in history]
    for event in erased:
        for name in type(event).personal_fields:
            value = getattr(event, name)
            if isinstance(value, Sealed):
                object.__setattr__(event, name, value.erased())
    assert erased[0].description == ERASED
    assert verify_chain(erased) == before == (True, 2, history[-1].hash)


def test_an_event_sealed_in_place_verifies_only_under_its_vouched_hash() -> None:
    case = submit("biggrey", "warranty_claim")  # no sealer: plaintext, as before sealing
    original = events(case)[0]
    resealed = copy.copy(original)
    object.__setattr__(resealed, "description", fake_seal("it broke").erased())
    assert verify_chain([resealed])[0] is False  # its stored hash is over the plaintext
    vouch = {"c1": resealed.expected_hash()}
    case.erase_subject(BIGGREY, by(STAFF, MONDAY + timedelta(days=1)), "asked", ["k" * 32], vouch)
    erasure = events(case)[-1]
    assert case.description == ERASED  # plain text held before the erasure reads erased too
    assert verify_chain([resealed, erasure]) == (True, 2, case.head_hash)
    tampered = copy.copy(resealed)
    object.__setattr__(tampered, "description", fake_seal("something else").erased())
    assert verify_chain([tampered, erasure])[0] is False


def test_the_erasure_reads_the_cases_sealed_values_as_erased() -> None:
    case = sealed_case()
    case.erase_subject(BIGGREY, by(STAFF, MONDAY + timedelta(days=1)), "asked", ["k" * 32], {})
    assert (case.description, case.messages[0]["body"]) == (ERASED, ERASED)
    assert case.status == "awaiting_store" and case.deadlines  # the case goes on
    assert scrubbed({"b": [fake_seal("x")]}, frozenset(["k" * 32])) == {"b": [ERASED]}


def test_a_translation_of_a_personal_text_is_sealed_and_verifies() -> None:
    translations = Translations.start(sealed_case().id)
    with sealing(fake_seal):
        translations.translated("2", "fr", "IBAN FR76 1234", "deepl", MONDAY, {"role": "system"})
    recorded = [e for e in translations.collect_events() if hasattr(e, "prev_hash")]
    assert type(recorded[0].body) is Sealed
    assert verify_translations(recorded)[0] is True
