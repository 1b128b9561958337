"""Mail in its reader's language: a mailed event that holds a party's text (a close note) in
another language than the recipient's waits for the translator, up to
`REDRESS_TRANSLATION_WAIT` seconds, then goes out with the translation in place of the
original, or as written with a note saying so.

`plan` runs at fan-out (it says what a mail waits for); `settle` runs when the mail is due
(it gives the body to send, or None to wait a little longer).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.languages import primary, same_language
from domain.translations import Translations
from services.translator.texts import text_of

Languages = Callable[[UUID], tuple[str | None, str | None]]  # (consumer's, store's)
Lookup = Callable[[UUID], Translations | None]
RECHECK = timedelta(seconds=1)  # how often a waiting mail looks for its translation
NOTE = (
    "\n\n(A text in this message could not be translated into your language ({language}) in "
    "time: it is shown as written.)\n"
)


def plan(event: Any, role: str, languages: Languages) -> dict[str, Any] | None:
    """What the mail to `role` must wait for, or None when it holds no foreign text."""
    found = text_of(event)
    if found is None:
        return None
    consumer, store = languages(UUID(found.case_id))
    wanted = consumer if role == "consumer" else store
    if wanted is None or (found.language is not None and same_language(found.language, wanted)):
        return None
    return {
        "case_id": found.case_id,
        "message_id": found.message_id,
        "language": wanted,
        "original": getattr(event, found.field),
    }


def settle(
    body: str, waits_for: dict[str, Any], wait_until: datetime, now: datetime, lookup: Lookup
) -> str | None:
    """The body to send now, or None while the translation may still come."""
    translations = lookup(UUID(waits_for["case_id"]))
    language = waits_for["language"]
    if translations is not None:
        outcome = translations.settled.get((waits_for["message_id"], primary(language)))
        if outcome is not None and "body" in outcome:
            return body.replace(waits_for["original"], outcome["body"])
        if outcome is not None:  # the engine refused it for good: no use waiting
            return body + NOTE.format(language=language)
    if now < wait_until:
        return None
    return body + NOTE.format(language=language)
