"""Erasing a data subject, and exporting what Redress holds about them (GDPR articles 15, 17).

Erasure, for each case about the subject (docs/personal-data.md):
1. events recorded before sealing existed hold their personal text in plaintext: each is
   sealed in place under a throwaway key, and its hash over the sealed bytes is vouched for
   by the case's `SubjectErased` event (domain.case.verify_chain), so the chain still
   verifies from its original hashes;
2. `SubjectErased` is recorded on the case (the keys erased, the vouchers; no personal data);
3. in one transaction: the rewritten events are stored, the subject's keys shredded, the
   case's snapshots deleted, and the copies other tables made of the texts (idempotent
   answers, webhook payloads and receivers' answers, e-mails) overwritten with `[erased]`.
On SQLite the transaction runs with `secure_delete`, and the write-ahead log is truncated
after, so no freed page keeps the old bytes. Erasing again records nothing new.
The SQL (the case list's lookup, the transaction) is services.eventstore.subject_erasure's.
"""

from __future__ import annotations

import base64
import copy
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.actors import By
from domain.case_events import CaseEvent, SubjectErased
from domain.sealing import (
    ERASED,
    PERSONAL_FIELD_KEYS,
    TOKEN_PREFIX,
    UNAVAILABLE,
    Sealed,
    sealed_values,
)
from domain.translations import TranslationEvent
from services.application import Redress
from services.eventstore.subject_erasure import commit_erasure, listed_cases


class UnknownSubject(Exception):
    def __init__(self, subject_id: str) -> None:
        super().__init__(f"no case concerns subject {subject_id}")
        self.subject_id = subject_id


@dataclass
class _CaseErasure:
    case_id: UUID
    rewritten: list[Any] = field(default_factory=list)  # stored events sealed in place
    texts: set[str] = field(default_factory=set)  # the plaintexts, to find their copies


def cases_of(app: Redress, subject_id: str) -> list[UUID]:
    """Every case about the subject: those with a key (sealed since) and, from the case
    list, those filed before personal data was sealed."""
    found = set(app.keyring.keys_by_case(subject_id)) | listed_cases(app, subject_id)
    return sorted(UUID(case_id) for case_id in found)


def export_subject(app: Redress, subject_id: str, now: datetime) -> dict[str, Any]:
    """Every case and message about the subject, as JSON-ready data."""
    case_ids = cases_of(app, subject_id)
    if not case_ids:
        raise UnknownSubject(subject_id)
    return {
        "subject_id": subject_id,
        "exported_at": now,
        "cases": [
            {"case": app.get_case(case_id), "history": app.history(case_id)} for case_id in case_ids
        ],
    }


def erase_subject(app: Redress, subject_id: str, by: By, reason: str) -> dict[str, Any]:
    case_ids = cases_of(app, subject_id)
    if not case_ids:
        raise UnknownSubject(subject_id)
    keys = app.keyring.keys_by_case(subject_id)
    erasures = [
        _erase_case(app, case_id, keys.get(str(case_id), []), by, reason) for case_id in case_ids
    ]
    all_keys = [k for ks in keys.values() for k in ks]
    rewritten = [stored for e in erasures for stored in e.rewritten]
    commit_erasure(app, subject_id, case_ids, rewritten, set().union(*(e.texts for e in erasures)))
    app.keyring.forget(all_keys)
    return {
        "subject_id": subject_id,
        "cases": [str(case_id) for case_id in case_ids],
        "erased_at": by.recorded_at,
    }


def _erase_case(
    app: Redress, case_id: UUID, key_ids: list[str], by: By, reason: str
) -> _CaseErasure:
    erasure = _CaseErasure(case_id)
    events, translated = app.recorded_events(case_id)
    throwaway = _Throwaway()
    resealed: dict[str, str] = {}
    for prefix, stream in (("c", events), ("t", translated)):
        for event in stream:
            erasure.texts.update(_texts(event))
            sealed = _sealed_in_place(event, throwaway)
            if sealed is not None:
                resealed[f"{prefix}{event.originator_version}"] = sealed.expected_hash()
                erasure.rewritten.append(app.mapper.to_stored_event(sealed))
    erased_before = {k for e in events if isinstance(e, SubjectErased) for k in e.key_ids}
    new_keys = [*(set(key_ids) - erased_before), *throwaway.used]
    if new_keys or resealed:
        app.act(
            case_id,
            by,
            lambda case, policy: case.erase_subject(policy, by, reason, new_keys, resealed),
        )
    return erasure


class _Throwaway:
    """A key that is never stored: what it seals is erased the moment it is written."""

    def __init__(self) -> None:
        self.key_id = uuid4().hex
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.used: list[str] = []

    def seal(self, text: str) -> Sealed:
        self.used = [self.key_id]
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, text.encode(), self.key_id.encode())
        token = f"{TOKEN_PREFIX}{self.key_id}.{base64.b64encode(nonce + sealed).decode()}"
        return Sealed(ERASED, token)


def _sealed_in_place(event: CaseEvent | TranslationEvent, throwaway: _Throwaway) -> Any:
    """A copy of an event recorded before sealing, its plaintext personal fields sealed; or
    None when it has none."""
    changes: dict[str, Any] = {}
    for name in type(event).personal_fields:
        value = getattr(event, name, None)
        if name == "fields" and isinstance(value, dict):
            plain = {k for k, v in value.items() if k in PERSONAL_FIELD_KEYS and _plain(v)}
            if plain:
                changes[name] = {
                    k: throwaway.seal(v) if k in plain else v for k, v in value.items()
                }
        elif isinstance(value, str) and _plain(value):
            changes[name] = throwaway.seal(value)
    if not changes:
        return None
    sealed = copy.copy(event)
    for name, value in changes.items():
        object.__setattr__(sealed, name, value)
    return sealed


def _plain(value: Any) -> bool:
    return isinstance(value, str) and not isinstance(value, Sealed) and bool(value)


def _texts(event: CaseEvent | TranslationEvent) -> Iterator[str]:
    """The personal texts the event holds, as readers were shown them."""
    for name in type(event).personal_fields:
        value = getattr(event, name, None)
        if name == "fields" and isinstance(value, dict):
            values: Iterable[Any] = [v for k, v in value.items() if k in PERSONAL_FIELD_KEYS]
        else:
            values = [value]
        for text in values:
            if isinstance(text, str) and text and text not in (ERASED, UNAVAILABLE):
                yield str(text)
    yield from (str(s) for s in sealed_values(event.__dict__) if str(s) not in (ERASED,))
