"""Per-key rate limiting: a token bucket per API key, in each API process.

A key may burst `burst` requests, then `rate` per second; beyond that it gets 429 with
`Retry-After`. Limits are per process, so a fleet of N API processes allows up to N times
the rate per key (documented in the README).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, updated at)
        self._lock = threading.Lock()

    def waiting(self, key: str) -> int | None:
        """Like `retry_after`, but takes no token."""
        if self.rate <= 0:
            return None
        with self._lock:
            tokens, _ = self._refilled(key, self.clock())
            return None if tokens >= 1 else max(1, math.ceil((1 - tokens) / self.rate))

    def _refilled(self, key: str, now: float) -> tuple[float, float]:
        tokens, updated = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - updated) * self.rate), now

    def retry_after(self, key: str) -> int | None:
        """Take a token for `key`; None if allowed, else whole seconds until one is free."""
        if self.rate <= 0:
            return None
        now = self.clock()
        with self._lock:
            tokens, _ = self._refilled(key, now)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:  # forget idle keys; full buckets lose nothing
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.burst}
            return max(1, math.ceil((1 - tokens) / self.rate))


class FailureThrottle:
    """Failed authentication per client address: `burst` failures, then `per_minute`.

    Only failures take a token; while an address has none left, its requests get 429 before
    their token is even looked up, so guessing costs the guesser time and the database nothing.
    """

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._failures = RateLimiter(per_minute / 60, burst, clock)

    def retry_after(self, address: str) -> int | None:
        """None if `address` may try (nothing taken), else whole seconds until it may."""
        return self._failures.waiting(address)

    def failed(self, address: str) -> None:
        self._failures.retry_after(address)
