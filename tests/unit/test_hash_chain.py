"""The per-case SHA-256 chain: valid for a real history, broken by any tampering."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.builders import (
    CONSUMER,
    MONDAY,
    STAFF,
    by,
    events,
    fire,
    library_mapper,
    policy,
    submit,
)
from support.json_values import PLAIN, nested, outcome

from domain.case import Case, verify_chain
from domain.case_events import CaseEvent
from domain.hashchain import GENESIS, canonical_json, chain_hash, standard_json

BIGGREY = policy("biggrey")


def long_history() -> Case:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.post_message(BIGGREY, by(CONSUMER, MONDAY + timedelta(hours=1)), "Any news?", "en")
    fire(case, "first_response")
    fire(case, "extra_time")
    case.post_message(BIGGREY, by(STAFF, MONDAY + timedelta(days=9)), "We are on it")
    fire(case, "protection")
    case.confirm_payout(BIGGREY, by(STAFF, MONDAY + timedelta(days=40)), "transfer-9")
    return case


def test_a_whole_history_verifies_and_its_head_is_the_cases_head() -> None:
    case = long_history()
    history = events(case)
    assert len(history) == 8
    assert verify_chain(history) == (True, 8, case.head_hash)


def test_each_event_links_to_the_one_before() -> None:
    history = events(long_history())
    assert history[0].prev_hash == GENESIS
    for before, after in pairwise(history):
        assert after.prev_hash == before.hash


def test_the_chain_survives_storage_through_the_library_mapper() -> None:
    mapper = library_mapper()
    original = events(long_history())
    loaded = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in original]
    assert verify_chain([e for e in loaded if isinstance(e, CaseEvent)]) == verify_chain(original)


@pytest.mark.parametrize(
    ("index", "field", "value"),
    [
        (0, "description", "it was fine"),
        (0, "order", {"reference": "order-1", "amount": Decimal("1"), "currency": "USD"}),
        (1, "body", "Never mind"),
        (2, "count", 5),
        (2, "occurred_at", MONDAY),
        (2, "timestamp", MONDAY),
        (2, "actor", {"role": "staff", "id": "staff-1"}),
        (2, "deadlines", []),
        (6, "amount", Decimal("5000")),
        (6, "payer", "store"),
    ],
)
def test_tampering_with_any_part_of_an_event_breaks_the_chain_there(
    index: int, field: str, value: Any
) -> None:
    history = events(long_history())
    object.__setattr__(history[index], field, value)
    valid, checked, head = verify_chain(history)
    assert (valid, checked) == (False, index + 1)
    assert head == (history[index - 1].hash if index else GENESIS)


def test_rehashing_a_tampered_event_still_breaks_the_chain_at_the_next_one() -> None:
    history = events(long_history())
    tampered = history[6]
    object.__setattr__(tampered, "amount", Decimal("4999"))
    object.__setattr__(tampered, "hash", tampered.expected_hash())
    assert verify_chain(history)[:2] == (False, 8)


@pytest.mark.parametrize("edit", ["drop", "swap"])
def test_dropping_or_reordering_events_breaks_the_chain(edit: str) -> None:
    history = events(long_history())
    if edit == "drop":
        del history[3]
    else:
        history[3], history[4] = history[4], history[3]
    assert verify_chain(history)[:2] == (False, 4)


def test_an_empty_history_is_trivially_valid() -> None:
    assert verify_chain([]) == (True, 0, GENESIS)


def test_the_hash_is_sha256_over_the_previous_hash_and_canonical_json() -> None:
    payload = {"b": 1, "a": "é"}
    assert canonical_json(payload) == '{"a":"é","b":1}'
    expected = hashlib.sha256((GENESIS + '{"a":"é","b":1}').encode()).hexdigest()
    assert chain_hash(GENESIS, payload) == expected


def test_canonical_json_names_each_instant_in_utc_whatever_its_offset() -> None:
    shanghai = datetime(2026, 11, 23, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    utc = datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert canonical_json({"at": shanghai}) == canonical_json({"at": utc})
    assert canonical_json({"amount": Decimal("10.50")}) == '{"amount":"10.50"}'


def test_canonical_json_refuses_what_it_cannot_hash_exactly() -> None:
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


_leaves = (
    PLAIN
    | st.datetimes(
        timezones=st.sampled_from([UTC, ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Paris")])
    )
    | st.frozensets(st.integers(), max_size=3)
    | st.lists(st.text(), max_size=3).map(tuple)
    | st.text().map(lambda text: type("Text", (str,), {})(text))
)
_payloads = st.dictionaries(st.text(max_size=8), nested(_leaves, st.text(max_size=8)), max_size=6)


@given(_payloads)
def test_canonical_json_is_what_the_standard_module_writes(payload: dict[str, Any]) -> None:
    """Every hash already recorded was computed over the standard module's output."""
    assert outcome(canonical_json, payload) == outcome(standard_json, payload)


def test_canonical_json_writes_every_character_as_the_standard_module_does() -> None:
    text = "".join(map(chr, range(0x800))) + "\u2028\u2029\ufeff\U0001f600"
    payload = {text: [text, {"nested": text, "é": 1, "e": 2, "\U0001f600": 3, "\uffff": 4}]}
    assert canonical_json(payload) == standard_json(payload)
