"""How domain values that are not plain JSON are stored in snapshots, a faster way to read
stored JSON back, and the mapper that reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    InterfaceError,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    OperationalError,
    StoredEvent,
    Transcoding,
)

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline
from domain.sealing import Sealed


class DeadlineAsDict(Transcoding):
    type = Deadline
    name = "deadline"

    def encode(self, obj: Deadline) -> dict[str, Any]:
        return obj.as_dict()

    def decode(self, data: dict[str, Any]) -> Deadline:
        return Deadline.from_dict(data)


class CalendarAsDict(Transcoding):
    type = BusinessCalendar
    name = "business_calendar"

    def encode(self, obj: BusinessCalendar) -> dict[str, str]:
        return obj.as_dict()

    def decode(self, data: dict[str, str]) -> BusinessCalendar:
        return BusinessCalendar.from_dict(data)


class TokenBox:
    """A sealed value on its way to storage. Not a `str`, so the JSON encoder hands it to the
    `sealed` transcoding (a `str` subclass it would write as its text, the plaintext)."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token


class SealedAsToken(Transcoding):
    """Sealed personal data is stored as its token (ciphertext) and read back through the
    keyring (services.eventstore.subject_keys): its text, or `[erased]` once its key is shredded."""

    type = TokenBox
    name = "sealed"

    def __init__(self, unseal: Callable[[str], Sealed]) -> None:
        self._unseal = unseal

    def encode(self, obj: TokenBox) -> str:
        return obj.token

    def decode(self, data: str) -> Sealed:
        return self._unseal(data)


def _tokens(obj: Any) -> Any:
    """`obj` with each Sealed value boxed as its token."""
    kind = type(obj)
    if kind is Sealed:
        return TokenBox(obj.token)
    if kind is dict:
        return {k: _tokens(v) for k, v in obj.items()}
    if kind is list:
        return [_tokens(v) for v in obj]
    return obj


class SealingTranscoder(JSONTranscoder):
    """The library's JSON transcoder, writing sealed values as their tokens."""

    def encode(self, obj: Any) -> bytes:
        return super().encode(_tokens(obj))


class OrjsonTranscoder(SealingTranscoder):
    """The library's JSON transcoder with a faster decode: orjson parses, then one pass turns
    `{"_type_": name, "_data_": data}` objects back into values, innermost first, as the
    standard decoder's object hook does. Encoding, and so the stored format, is unchanged.

    JSON that orjson refuses but the standard module reads (NaN, Infinity) is handed to the
    standard decoder, and so is JSON with an integer beyond 64 bits, which orjson does not
    refuse but reads as a float: any float of that size sends the document there (a float
    written as such reads the same either way).
    """

    def __init__(self) -> None:
        super().__init__()
        self._decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._decoders[transcoding.name] = transcoding.decode

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
            return self._revive(parsed) if type(parsed) is dict else self._revive_item(parsed)
        except (orjson.JSONDecodeError, _MaybeBigInteger):
            return super().decode(data)

    def _revive(self, obj: dict[str, Any]) -> Any:
        """`obj` with its typed values revived, or the value it stands for."""
        decoders = self._decoders
        for key, item in obj.items():  # assigning to existing keys is safe while iterating
            kind = type(item)
            if kind is dict:
                # The common case in short, with no call of its own: a typed value whose
                # data is text (a time, an amount, a sealed value).
                if len(item) == 2 and type(data := item.get("_data_")) is str:
                    decoder = decoders.get(item.get("_type_"))
                    if decoder is not None:
                        obj[key] = decoder(data)
                        continue
                obj[key] = self._revive(item)
            elif kind is list:
                obj[key] = self._revive_item(item)
            elif kind is float and not -_BIG < item < _BIG:
                raise _MaybeBigInteger
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            return self._decode_obj(obj)
        return obj

    def _revive_item(self, item: Any) -> Any:
        if type(item) is dict:
            return self._revive(item)
        if type(item) is list:
            for index, element in enumerate(item):
                kind = type(element)
                if kind is dict or kind is list:
                    item[index] = self._revive_item(element)
                elif kind is float and not -_BIG < element < _BIG:
                    raise _MaybeBigInteger
        elif type(item) is float and not -_BIG < item < _BIG:
            raise _MaybeBigInteger
        return item


# orjson reads integers in [-2**63, 2**64) as int, and any other as the nearest float, whose
# magnitude is then at least 2**63.
_BIG = float(2**63)


class _MaybeBigInteger(Exception):
    """A float that may have been written as an integer beyond 64 bits."""


class OutageAwareMapper(Mapper[UUID]):
    """The library's mapper, except that a database error met while decoding is raised as
    such, not as a decoding failure: a sealed value's key is looked up in `subject_keys` as
    it is read, and the database may go away meanwhile. Every caller knows what to do with a
    database that went away (the API answers 503, a role retries); none would with the
    library's MapperDeserialisationError, which the API answered as a 500."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        try:
            return super().to_domain_event(stored_event)
        except MapperDeserialisationError as failure:
            cause = failure.__cause__
            if isinstance(cause, OperationalError | InterfaceError):
                raise type(cause)(str(failure)) from cause
            raise


# For TRANSCODER_TOPIC: every process's (services.eventstore.application). Reading a case's
# history, a sweep's cases or the log for the projector is mostly decoding.
ORJSON_TRANSCODER = f"{__name__}:{OrjsonTranscoder.__qualname__}"
