"""Personal data sealed per data subject (crypto-shredding), as the domain sees it.

A personal field's value is a `Sealed`: a `str` whose text is the plaintext (or `[erased]`,
`[unavailable]`) and whose `token` is the ciphertext that is stored and hashed. Business rules
read the text like any string; the hash chain covers the token (`hashed`), so erasing the
subject's key leaves every hash verifiable. The cipher itself is at the edge
(services.eventstore.subject_keys); the domain asks for it through `SEALER`, which the service layer
sets around a command (`sealing`), and declares which fields are personal (`personal_fields`
on each event class, `PERSONAL_FIELD_KEYS` inside a case's platform `fields`).

Subjects: the consumer of a case (`subject_of(platform, consumer_id)`). A store's record holds
no person's data (its name is a business's), so stores have no subject.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from uuid import NAMESPACE_URL, uuid5

ERASED = "[erased]"
UNAVAILABLE = "[unavailable]"
TOKEN_PREFIX = "rs1."  # rs1.<key id, 32 hex>.<base64 nonce + ciphertext>

# Keys of a case's platform `fields` that hold a person's identity, contact or bank details.
PERSONAL_FIELD_KEYS = frozenset(
    {
        "name",
        "consumer_name",
        "email",
        "consumer_email",
        "phone",
        "consumer_phone",
        "address",
        "consumer_address",
        "iban",
        "bank_account",
        "bank_details",
        "withdrawal_form",
    }
)


def subject_of(platform: str, consumer_id: str) -> str:
    """The data subject id of a platform's consumer: derived, so every case of one person
    shares it, and it names no one by itself."""
    return str(uuid5(NAMESPACE_URL, f"redress:subject:consumer:{platform}:{consumer_id}"))


class Sealed(str):
    """A personal value: reads as its text, is stored and hashed as its `token`."""

    __slots__ = ("token",)
    token: str

    def __new__(cls, text: str, token: str) -> Sealed:
        sealed = super().__new__(cls, text)
        sealed.token = token
        return sealed

    def __reduce__(self) -> tuple[Any, ...]:
        return (Sealed, (str(self), self.token))

    def __deepcopy__(self, memo: dict[int, Any]) -> Sealed:
        return self  # immutable

    @property
    def key_id(self) -> str:
        return key_id_of(self.token)

    def erased(self) -> Sealed:
        return Sealed(ERASED, self.token)


def key_id_of(token: str) -> str:
    return token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 32]


Seal = Callable[[str], Sealed]
# The seal of the subject the current command is about; None: values stay as given (domain
# unit tests, and commands that write no personal text).
SEALER: ContextVar[Seal | None] = ContextVar("redress_sealer", default=None)


@contextmanager
def sealing(seal: Seal) -> Iterator[None]:
    token = SEALER.set(seal)
    try:
        yield
    finally:
        SEALER.reset(token)


def seal_personal(personal: Iterable[str], data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its personal fields sealed under the current subject (if any)."""
    seal = SEALER.get()
    if seal is None:
        return data
    sealed = dict(data)
    for name in personal:
        value = sealed.get(name)
        if name == "fields" and isinstance(value, Mapping):
            sealed[name] = {
                k: seal(v) if k in PERSONAL_FIELD_KEYS and _plain(v) else v
                for k, v in value.items()
            }
        elif isinstance(value, str) and _plain(value):
            sealed[name] = seal(value)
    return sealed


def _plain(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, Sealed)


def hashed(value: Any) -> Any:
    """`value` as the hash chain covers it: each sealed value by its token."""
    kind = type(value)
    if kind is Sealed:
        return {"sealed": value.token}
    if kind is dict:
        return {k: hashed(v) for k, v in value.items()}
    if kind is list:
        return [hashed(v) for v in value]
    return value


def scrubbed(value: Any, key_ids: frozenset[str]) -> Any:
    """`value` with every value sealed under one of `key_ids` read as erased."""
    kind = type(value)
    if kind is Sealed:
        return value.erased() if value.key_id in key_ids else value
    if kind is dict:
        return {k: scrubbed(v, key_ids) for k, v in value.items()}
    if kind is list:
        return [scrubbed(v, key_ids) for v in value]
    return value


def erased_text(value: Any) -> Any:
    """A personal value recorded before an erasure, as it reads after it."""
    if isinstance(value, Sealed):
        return value.erased()
    return ERASED if isinstance(value, str) else value


def sealed_values(value: Any) -> Iterator[Sealed]:
    kind = type(value)
    if kind is Sealed:
        yield value
    elif kind is dict:
        for item in value.values():
            yield from sealed_values(item)
    elif kind is list:
        for item in value:
            yield from sealed_values(item)
