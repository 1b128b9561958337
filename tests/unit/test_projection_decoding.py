"""The projector's orjson decoder reads back exactly what the library's JSON decoder does, from
the bytes the library's encoder wrote (the stored format is unchanged)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex

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
