"""The event store's orjson decoder (every process reads with it) reads back exactly what the
library's JSON decoder does, from the bytes the library's encoder wrote (the stored format is
unchanged)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline
from services.eventstore.transcodings import CalendarAsDict, DeadlineAsDict, OrjsonTranscoder

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
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False).map(lambda d: Decimal(str(d)))
    | st.datetimes(timezones=st.just(UTC))
    | st.uuids()
    | st.builds(BusinessCalendar, st.sampled_from(["CN", "FR", "GB"]), st.just("Europe/Paris"))
)
_keys = st.text(max_size=8) | st.sampled_from(["_type_", "_data_"])
_values = st.recursive(
    _leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)


def _read(transcoder: JSONTranscoder, encoded: bytes) -> str:
    try:
        return repr(transcoder.decode(encoded))
    except Exception as refused:  # a dict shaped like a typed value of no registered type
        return type(refused).__name__


@given(_values)
def test_orjson_decodes_any_document_as_the_library_does(state: Any) -> None:
    encoded = LIBRARY.encode(state)
    assert _read(ORJSON, encoded) == _read(LIBRARY, encoded)
