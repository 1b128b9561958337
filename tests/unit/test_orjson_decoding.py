"""The event store's orjson transcoder (every process reads and writes with it) writes exactly
the bytes the library's JSON encoder does (the stored format is unchanged) and reads back
exactly what the library's decoder does, and so does its mapper reading only some fields of
an event."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    StoredEvent,
    UUIDAsHex,
)
from eventsourcing.utils import Environment
from hypothesis import given
from hypothesis import strategies as st
from support.json_values import PLAIN, nested, outcome

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline
from domain.sealing import Sealed
from services.eventstore.transcodings import (
    CalendarAsDict,
    DeadlineAsDict,
    OrjsonTranscoder,
    OutageAwareMapper,
    SealedAsToken,
    SealingTranscoder,
)

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in (
        UUIDAsHex(),
        DecimalAsStr(),
        DatetimeAsISO(),
        DeadlineAsDict(),
        CalendarAsDict(),
    ):
        transcoder.register(transcoding)
    return transcoder


LIBRARY, ORJSON = registered(JSONTranscoder()), registered(OrjsonTranscoder())

STATES: list[Any] = [
    {"occurred_at": AT, "actor": {"role": "store", "id": "shop"}, "deadlines": []},
    {
        "deadlines": [{"id": "first_response-1", "due_at": AT, "action": "remind"}],
        "order": {"amount": Decimal("120.00"), "delivered_at": None, "lines": [[AT, 1.5]]},
        "case": UUID(int=7),
        "calendar": BusinessCalendar("CN", "Asia/Shanghai"),
        "fields": {"_type_": "not a transcoding name, three keys", "_data_": 1, "x": 2},
        "text": 'quotes " and \\ and ünïcode ✓',
    },
    [AT, {"nested": [Decimal("0.1"), [UUID(int=1)]]}],
    {"big": 2**80, "nan": float("nan")},  # orjson refuses both: the library's decoder reads it
]


@pytest.mark.parametrize("state", STATES)
def test_orjson_decodes_what_the_library_encoded_as_the_library_does(state: Any) -> None:
    encoded = LIBRARY.encode(state)
    assert ORJSON.encode(state) == encoded
    decoded, expected = ORJSON.decode(encoded), LIBRARY.decode(encoded)
    assert repr(decoded) == repr(expected)  # repr: NaN is not equal to itself


def test_a_transcoding_receives_its_data_already_decoded_innermost_first() -> None:
    deadline = Deadline("payout-1", "payout", AT, "auto_approve")
    decoded = ORJSON.decode(LIBRARY.encode({"pending": [deadline]}))
    assert decoded == {"pending": [deadline]}
    assert decoded["pending"][0].due_at == AT


# Any JSON document the encoder may write: the registered types at any depth, among plain
# values, including dicts that look like typed values but are not (other keys, unknown names).
_leaves = (
    PLAIN
    | st.datetimes(timezones=st.just(UTC))
    | st.builds(BusinessCalendar, st.sampled_from(["CN", "FR", "GB"]), st.just("Europe/Paris"))
)
_keys = st.text(max_size=8) | st.sampled_from(["_type_", "_data_"])
_values = nested(_leaves, _keys)


@given(_values)
def test_orjson_writes_and_reads_any_document_as_the_library_does(state: Any) -> None:
    encoded = LIBRARY.encode(state)
    assert ORJSON.encode(state) == encoded
    assert outcome(ORJSON.decode, encoded) == outcome(LIBRARY.decode, encoded)


def test_every_character_is_written_as_the_library_writes_it() -> None:
    text = "".join(map(chr, range(0x800))) + "\u2028\u2029\ufeff\U0001f600"
    state = {text: [text, {"nested": text}]}
    assert ORJSON.encode(state) == LIBRARY.encode(state)


@pytest.mark.parametrize(
    "state",
    [
        {1: "an integer key"},  # the standard encoder writes it as text; orjson refuses it
        {"float": 1e-05},  # orjson would write 0.00001
        {"big": -(2**64)},
        {"subclass": type("Text", (str,), {})("text")},
        {"sealed": Sealed("Ada", "token-of-ada")},
    ],
    ids=["int key", "float", "big int", "str subclass", "sealed"],
)
def test_what_orjson_would_write_otherwise_is_written_as_the_library_writes_it(
    state: dict[Any, Any],
) -> None:
    library = registered(SealingTranscoder())
    library.register(SealedAsToken(lambda token: Sealed("?", token)))
    orjson_transcoder = registered(OrjsonTranscoder())
    orjson_transcoder.register(SealedAsToken(lambda token: Sealed("?", token)))
    assert orjson_transcoder.encode(state) == library.encode(state)


def _fields(state: Any) -> list[str]:
    return sorted(state)[::2] if isinstance(state, dict) else ["absent"]


@given(st.dictionaries(st.text(max_size=8), _values, max_size=6))
def test_a_field_read_alone_reads_as_it_does_in_the_whole_document(state: dict[str, Any]) -> None:
    encoded = LIBRARY.encode(state)
    try:
        whole = LIBRARY.decode(encoded)
    except Exception:  # a dict shaped like a typed value of no registered type
        return
    fields = ORJSON.decode_fields(encoded, [*_fields(state), "absent"])
    if fields is None:  # orjson does not read it: the mapper reads such an event whole
        return
    assert repr(fields) == repr(
        {k: whole[k] for k in [*_fields(state), "class_version"] if k in whole}
    )


# -- reading only some fields of a stored event (the deadline index reads one) ----------------


class Thing(Aggregate):
    class Dated(Aggregate.Event):
        class_version = 2
        deadlines: list[dict[str, Any]]
        note: str
        amount: Decimal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["note"] = "upcast"
            state["deadlines"] = [{"due_at": AT, "upcast": True}]

    @event(Dated)
    def date(self, deadlines: list[dict[str, Any]], note: str, amount: Decimal) -> None:
        pass


def _mapper(cipher: bool) -> OutageAwareMapper:
    if not cipher:
        return OutageAwareMapper(transcoder=registered(OrjsonTranscoder()))
    key = AESCipher.create_key(16)
    return OutageAwareMapper(
        transcoder=registered(OrjsonTranscoder()),
        cipher=AESCipher(Environment(env={"CIPHER_KEY": key})),
    )


def _dated() -> Thing.Dated:
    thing = Thing()
    thing.date([{"id": "d-1", "due_at": AT}], "kept", Decimal("9.50"))
    dated = thing.collect_events()[-1]
    assert isinstance(dated, Thing.Dated)
    return dated


@pytest.mark.parametrize("cipher", [False, True], ids=["plain", "encrypted"])
def test_an_event_read_in_part_has_those_fields_as_read_whole(cipher: bool) -> None:
    mapper, dated = _mapper(cipher), _dated()
    stored = mapper.to_stored_event(dated)
    partial = mapper.to_partial_event(stored, {"deadlines"})
    assert type(partial) is Thing.Dated
    assert partial.originator_id == dated.originator_id
    assert partial.originator_version == dated.originator_version
    assert partial.deadlines == dated.deadlines == mapper.to_domain_event(stored).deadlines
    assert not hasattr(partial, "note")  # what was not asked for is not decoded


def test_an_event_of_an_older_class_version_is_read_whole_through_its_upcasters() -> None:
    mapper, dated = _mapper(cipher=False), _dated()
    stored = mapper.to_stored_event(dated)
    state = orjson.loads(stored.state)
    del state["class_version"]  # as version 1 stored it
    older = StoredEvent(
        stored.originator_id, stored.originator_version, stored.topic, orjson.dumps(state)
    )
    partial = mapper.to_partial_event(older, {"deadlines"})
    assert partial.deadlines == [{"due_at": AT, "upcast": True}]
    assert partial.note == "upcast"


def test_an_event_orjson_does_not_read_is_read_whole() -> None:
    mapper, dated = _mapper(cipher=False), _dated()
    stored = mapper.to_stored_event(dated)
    state = stored.state.replace(b'"kept"', b"NaN")  # the library's decoder reads NaN
    odd = StoredEvent(stored.originator_id, stored.originator_version, stored.topic, state)
    partial = mapper.to_partial_event(odd, {"deadlines"})
    assert partial.deadlines == dated.deadlines
    assert partial.note != partial.note  # NaN: the whole event was read


def test_the_values_events_hold_are_written_by_orjson_not_handed_back() -> None:
    deadline = Deadline("payout-1", "payout", AT, "auto_approve")
    state = {
        "occurred_at": AT,
        "case": UUID(int=7),
        "amount": Decimal("120.00"),
        "calendar": BusinessCalendar("CN", "Asia/Shanghai"),
        "pending": (deadline, {"due_at": AT}),
        "text": "plain",
        "count": 3,
        "flag": None,
    }
    plain = ORJSON._plain(state)  # raises if the standard encoder would be asked instead
    assert orjson.dumps(plain) == LIBRARY.encode(state)
