"""The translations of one case's texts: a separate aggregate beside the case.

A translation is not something a party did to the case, so it is not a case event: the case's
version (the `ETag` a party's `If-Match` names) moves only on the parties' and the
scheduler's own events. Each case has at most one `Translations` aggregate (its id derived
from the case id), whose events form their own SHA-256 hash chain, so `/verify` checks both
chains; history merges the two streams in the order they were recorded.

Each text is named by a `message_id`: a message's `id` in the case body (its version, as a
string), or `{event type}:{version}` for the other texts (`Submitted:1` for the description,
`StoreClosed:7` for a close note). A (text, language) pair is settled once: translated, or
failed for good. Recording it again changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.hashchain import GENESIS, chain_hash
from domain.languages import primary
from domain.sealing import hashed, seal_personal

ENGINES = ("libretranslate", "deepl")


def translations_uuid(case_id: UUID) -> UUID:
    """The id of a case's translations aggregate."""
    return uuid5(NAMESPACE_URL, f"redress:translations:{case_id}")


class TranslationEvent(Aggregate.Event):
    # A translation of a personal text is personal too: sealed under the case's subject.
    personal_fields: ClassVar[tuple[str, ...]] = ()

    case_id: UUID
    message_id: str
    language: str
    occurred_at: datetime
    actor: dict[str, str]
    prev_hash: str
    hash: str

    def apply(self, aggregate: Any) -> None:
        translations: Translations = aggregate
        translations.head_hash = self.hash
        translations.settled[(self.message_id, primary(self.language))] = self.outcome()

    def outcome(self) -> dict[str, Any]:
        return {}

    @property
    def data(self) -> dict[str, Any]:
        skip = {"originator_id", "originator_version", "timestamp", "originator_topic"}
        skip |= {"occurred_at", "actor", "prev_hash", "hash"}
        return {k: v for k, v in vars(self).items() if k not in skip}

    def expected_hash(self) -> str:
        return chain_hash(self.prev_hash, _payload(self, hashed(self.data)))


class Translations(Aggregate):
    """What each party was shown of a case's texts in another language."""

    class Started(Aggregate.Created):
        case_id: UUID

    class MessageTranslated(TranslationEvent):
        personal_fields: ClassVar[tuple[str, ...]] = ("body",)

        body: str
        engine: str

        def outcome(self) -> dict[str, Any]:
            return {"language": self.language, "body": self.body, "engine": self.engine}

    class TranslationFailed(TranslationEvent):
        reason: str

        def outcome(self) -> dict[str, Any]:
            return {"language": self.language, "failed": self.reason}

    def __init__(self, case_id: UUID) -> None:
        self.case_id = case_id
        self.head_hash = GENESIS
        self.settled: dict[tuple[str, str], dict[str, Any]] = {}

    @classmethod
    def start(cls, case_id: UUID) -> Translations:
        return cls._create(cls.Started, id=translations_uuid(case_id), case_id=case_id)

    def is_settled(self, message_id: str, language: str) -> bool:
        return (message_id, primary(language)) in self.settled

    def translated(
        self,
        message_id: str,
        language: str,
        body: str,
        engine: str,
        at: datetime,
        actor: dict[str, str],
    ) -> bool:
        """Record a translation; False (nothing recorded) when this one is already settled."""
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}")
        return self._settle(
            self.MessageTranslated, message_id, language, at, actor, body=body, engine=engine
        )

    def failed(
        self, message_id: str, language: str, reason: str, at: datetime, actor: dict[str, str]
    ) -> bool:
        """Record that the engine refused this text for good; False when already settled."""
        return self._settle(self.TranslationFailed, message_id, language, at, actor, reason=reason)

    def for_message(self, message_id: str) -> list[dict[str, Any]]:
        """The translations of one text (failures left out), in the order they were made."""
        return [
            outcome
            for (text, _language), outcome in self.settled.items()
            if text == message_id and "body" in outcome
        ]

    def _settle(
        self,
        event_class: type[TranslationEvent],
        message_id: str,
        language: str,
        at: datetime,
        actor: dict[str, str],
        **data: Any,
    ) -> bool:
        if self.is_settled(message_id, language):
            return False
        fields = {"case_id": self.case_id, "message_id": message_id, "language": language, **data}
        fields = seal_personal(event_class.personal_fields, fields)
        prev = self.head_hash
        payload = {
            "type": event_class.__name__,
            "version": self.version + 1,
            "occurred_at": at,
            "actor": actor,
            "data": hashed(fields),
        }
        self.trigger_event(
            event_class,
            timestamp=at,
            occurred_at=at,
            actor=actor,
            prev_hash=prev,
            hash=chain_hash(prev, {**payload, "recorded_at": at}),
            **fields,
        )
        return True


def _payload(event: TranslationEvent, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type(event).__name__,
        "version": event.originator_version,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        "data": data,
        "recorded_at": event.timestamp,
    }


def verify_translations(
    events: list[TranslationEvent], vouched: dict[str, str] | None = None
) -> tuple[bool, int, str]:
    """Recompute the translations' chain: (valid, events checked, head hash). `vouched`: the
    hashes over sealed bytes of translations an erasure sealed in place (`t<version>`, from
    the case's SubjectErased events; see domain.case.verify_chain)."""
    vouched = vouched or {}
    head = GENESIS
    for count, event in enumerate(events, start=1):
        expected = event.expected_hash()
        sealed_in_place = vouched.get(f"t{event.originator_version}") == expected
        if event.prev_hash != head or (expected != event.hash and not sealed_in_place):
            return False, count, head
        head = event.hash
    return True, len(events), head
