"""When to ask the engine again about a text it could not translate for now.

The n-th retry (n counted from 0) waits `first * 2 ** n` seconds, at most `cap`
(`REDRESS_TRANSLATION_RETRY_MAX`): 1, 2, 4, 8, ... 60 s. An engine's `Retry-After` is
honoured: the wait is never shorter than it asks (up to `max_retry_after`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    cap: float = 60.0
    max_retry_after: float = 3600.0

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next try, after `attempts` earlier failures."""
        own = float(min(self.cap, self.first * 2.0 ** min(attempts, 32)))
        if retry_after is None:
            return own
        return float(max(own, min(retry_after, self.max_retry_after)))

    def next_attempt(self, attempts: int, now: datetime, retry_after: float | None) -> datetime:
        return now + timedelta(seconds=self.delay(attempts, retry_after))
