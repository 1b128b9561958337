"""How domain values that are not plain JSON are stored in events and snapshots, a faster way
to write that JSON and read it back (whole, or only some of an event's fields), and the mapper
that reads it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from typing import Any, cast
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
    find_id_convertor,
)
from eventsourcing.utils import resolve_topic

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
    """The library's JSON transcoder, with orjson doing the work: the same bytes written, the
    same values read back.

    Encoding: one pass turns each value of a registered type into the library's
    `{"_type_": name, "_data_": data}` object, as the standard encoder's `default` does, and
    orjson writes the result. Anything that pass does not know for certain orjson writes as
    the standard module does (a float, a subclass of a plain type, a type of no transcoding)
    sends the whole object to the library's encoder, and so does anything orjson refuses (an
    integer beyond 64 bits, a key that is not text).

    Decoding: orjson parses, then one pass turns `{"_type_": name, "_data_": data}` objects
    back into values, innermost first, as the standard decoder's object hook does. JSON that
    orjson refuses but the standard module reads (NaN, Infinity) is handed to the standard
    decoder, and so is JSON with an integer beyond 64 bits, which orjson does not refuse but
    reads as a float: any float of that size sends the document there (a float written as
    such reads the same either way).
    """

    def __init__(self) -> None:
        super().__init__()
        self._decoders: dict[str, Callable[[Any], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        self._decoders[transcoding.name] = transcoding.decode

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj))
        except (_NotPlain, orjson.JSONEncodeError):
            return super().encode(obj)

    def _plain(self, obj: Any) -> Any:
        """`obj` as plain JSON values, as the standard encoder with `default` sees it."""
        kind = type(obj)
        if kind is dict:
            # Text, the commonest value, is kept here rather than in a call of its own.
            plain = self._plain
            return {k: v if type(v) is str else plain(v) for k, v in obj.items()}
        if kind is str or kind is int or kind is bool or obj is None:
            return obj
        if kind is list or kind is tuple:
            plain = self._plain
            return [v if type(v) is str else plain(v) for v in obj]
        if kind is Sealed:
            return {"_type_": SealedAsToken.name, "_data_": obj.token}
        transcoding = self.types.get(kind)
        if transcoding is None:  # a float, a subclass, a type of no transcoding
            raise _NotPlain
        return {"_type_": transcoding.name, "_data_": self._plain(transcoding.encode(obj))}

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
            return self._revive(parsed) if type(parsed) is dict else self._revive_item(parsed)
        except (orjson.JSONDecodeError, _MaybeBigInteger):
            return super().decode(data)

    def decode_fields(self, data: bytes, fields: Collection[str]) -> dict[str, Any] | None:
        """Only `fields` of a stored object (those it has), revived, with its `class_version`
        if it has one; None for anything `decode` would not read through orjson."""
        try:
            parsed = orjson.loads(data)
            if type(parsed) is not dict:
                return None
            wanted = (*fields, "class_version")
            return {key: self._revive_item(parsed[key]) for key in wanted if key in parsed}
        except (orjson.JSONDecodeError, _MaybeBigInteger):
            return None

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


class _NotPlain(Exception):
    """A value orjson might not write as the standard encoder does."""


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

    def to_partial_event(
        self, stored_event: StoredEvent, fields: Collection[str]
    ) -> DomainEventProtocol[UUID]:
        """The event with only `fields` read, beside its originator's id and version: for a
        reader of a few fields of many events (the deadline index), which then skips reviving
        the rest. An event stored by an older class version is read whole, through its
        upcasters (which may set any field), and so is one the fast decode does not read."""
        cls = resolve_topic(stored_event.topic)
        partial = None
        if isinstance(self.transcoder, OrjsonTranscoder):
            state = stored_event.state
            try:
                if self.cipher:
                    state = self.cipher.decrypt(state)
                if self.compressor:
                    state = self.compressor.decompress(state)
            except Exception:  # the whole decode reports it, as it always has
                return self.to_domain_event(stored_event)
            partial = self.transcoder.decode_fields(state, fields)
        if partial is None or partial.pop("class_version", 1) != getattr(cls, "class_version", 1):
            return self.to_domain_event(stored_event)
        convert = find_id_convertor(cls, cast(Hashable, type(stored_event.originator_id)))
        partial["originator_id"] = convert(stored_event.originator_id)
        partial["originator_version"] = stored_event.originator_version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", partial)
        return event  # type: ignore[no-any-return]


# For TRANSCODER_TOPIC: every process's (services.eventstore.application). Reading a case's
# history, a sweep's cases or the log for the projector is mostly decoding.
ORJSON_TRANSCODER = f"{__name__}:{OrjsonTranscoder.__qualname__}"
