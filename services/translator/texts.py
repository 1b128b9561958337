"""Which texts of a case are translated, and into which languages.

A text is one party's writing for the other: a message (its `id` in the case body is its
version), the description at filing, the store's response message, a close note, a reject
explanation. Each has a `message_id` (see domain.translations) and, where the writer named
it, a language; otherwise the engine detects it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.languages import same_language

# Event type → (the field holding the text, whether it is a message in the case body, the
# field naming the text's language, if the event has one).
TEXT_FIELDS: dict[str, tuple[str, bool, str | None]] = {
    "Submitted": ("description", False, "language"),
    "StoreResponded": ("message", True, None),
    "MessagePosted": ("body", True, "language"),
    "StoreClosed": ("note", False, None),
    "ConsumerRejected": ("explanation", False, None),
}


@dataclass(frozen=True)
class Text:
    case_id: str
    message_id: str
    version: int  # the case event that holds it
    field: str
    language: str | None

    def targets(self, preferred: Iterable[str | None]) -> list[str]:
        """The parties' languages this text is not written in (all of them when unknown)."""
        wanted: list[str] = []
        for tag in preferred:
            if tag is None or any(same_language(tag, w) for w in wanted):
                continue
            if self.language is None or not same_language(tag, self.language):
                wanted.append(tag)
        return wanted


def message_id(event_type: str, version: int) -> str:
    _field, is_message, _language = TEXT_FIELDS[event_type]
    return str(version) if is_message else f"{event_type}:{version}"


def text_of(event: Any) -> Text | None:
    """The translatable text an event holds, or None."""
    name = type(event).__name__
    if name not in TEXT_FIELDS:
        return None
    field, _is_message, language_field = TEXT_FIELDS[name]
    body = getattr(event, field, None)
    if not isinstance(body, str) or not body.strip():
        return None
    version = event.originator_version
    language = getattr(event, language_field) if language_field else None
    return Text(str(event.originator_id), message_id(name, version), version, field, language)
