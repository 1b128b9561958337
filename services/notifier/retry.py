"""When to try a failed delivery again: the retry schedule as a value object.

Attempt n (1-based) is made `delays[n-1]` after the previous one failed (the first at once):
immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — about 27.6 hours in all, so a
receiver that is down for a day still gets everything. Each delay is stretched by a random
factor in [1 - jitter, 1 + jitter] so that retries after an outage do not arrive in lockstep.
A `Retry-After` answer is honoured: the next attempt is never earlier than it asks (capped at
`max_retry_after`), nor earlier than the schedule. After the last attempt the delivery has
failed; it stays in the log for a manual retry or a recovery.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

DEFAULT_DELAYS = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


@dataclass(frozen=True)
class RetrySchedule:
    delays: tuple[timedelta, ...] = DEFAULT_DELAYS
    jitter: float = 0.1
    max_retry_after: timedelta = timedelta(hours=24)
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @property
    def attempts(self) -> int:
        return len(self.delays)

    def next_attempt(
        self, failed_attempts: int, now: datetime, retry_after: timedelta | None = None
    ) -> datetime | None:
        """When to make the next attempt after `failed_attempts` failures in this series, or
        None when the schedule is spent."""
        if failed_attempts >= self.attempts:
            return None
        delay = self.delays[failed_attempts] * self.rng.uniform(1 - self.jitter, 1 + self.jitter)
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.max_retry_after))
        return now + delay


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """`Retry-After: <seconds>` or `Retry-After: <HTTP date>`; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - now)
