"""The port every translation engine sits behind, and the errors it may raise.

An engine answers or raises one of two errors, and the translator acts on which:

- `EngineUnavailable`: try again later (the engine is down, slow, rate-limited, misconfigured);
  `retry_after` carries the engine's own `Retry-After`, when it sent one;
- `EngineRefused`: this text will never be translated into this language (e.g. a language the
  engine lacks); recorded as `TranslationFailed` and not retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class EngineUnavailable(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


class EngineRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Translated:
    body: str
    source: str  # the text's language: as given, or as the engine detected it


class TranslationEngine(Protocol):
    name: str  # recorded as MessageTranslated.engine

    async def translate(self, text: str, source: str | None, target: str) -> Translated:
        """`text` in `target`; a `source` of None is detected first. A text already in the
        target language comes back unchanged."""
        ...

    async def translate_many(
        self, texts: list[str], source: str | None, target: str
    ) -> list[Translated]:
        """Several texts of one language in one request, answers in the same order. A
        refusal or an outage concerns them all (ask one by one to tell which is refused)."""
        ...

    async def aclose(self) -> None: ...
