"""When an API process may trust the keys it has cached: revocation takes effect at once.

Each process caches the keys it has checked, so a read costs no key lookup. Every revocation
(by any process: the API, `redress keys revoke`) moves a *revocation generation* that every
process can see cheaply, and a cached key is trusted only under the generation it was
checked in. Where the generation cannot be known, nothing is cached: every request looks its
key up.

- PostgreSQL: the revoking transaction sends `NOTIFY redress_api_keys`; each API process
  LISTENs on one connection of its own and counts what it hears. The notification leaves at
  commit and arrives within a network round trip, before the revoker's HTTP answer reaches its
  client. While the listening connection is down, nothing is cached; after it comes back, the
  cache starts empty (a notification may have been missed meanwhile).
- SQLite (one host): a revocation replaces a small file beside the database, and a request
  compares the file's identity (`stat`: a few microseconds, no database call).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Protocol

import asyncpg

from services.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "redress_api_keys"
RECONNECT_PAUSE = 2.0  # seconds between attempts to listen again (requests go uncached)


class Revocations(Protocol):
    async def generation(self) -> object | None:
        """A value that changes whenever a key is revoked anywhere; None: trust no cache."""

    def announce_sql(self) -> str | None:
        """SQL the revoking transaction runs so every process hears of it, if any."""

    def announce(self) -> None:
        """Tell every process after the revoking transaction committed."""

    async def close(self) -> None: ...


class FileGeneration:
    """SQLite: the identity of a file that every revocation replaces."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def generation(self) -> object | None:
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return "none"  # no key revoked since the file was last made
        except OSError:
            return None
        return (found.st_ino, found.st_mtime_ns, found.st_size)

    def announce_sql(self) -> str | None:
        return None

    def announce(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        fresh.write_text(f"{time.time_ns()}\n")
        os.replace(fresh, self.path)  # a new inode: every reader sees the change

    async def close(self) -> None:
        return None


class ListenedGeneration:
    """PostgreSQL: notifications heard on a connection this process keeps for them."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._heard = 0
        self._connection: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()
        self._next_try = 0.0

    async def generation(self) -> object | None:
        listening = self._connection is not None and not self._connection.is_closed()
        if not listening and not await self._listen():
            return None
        return (id(self._connection), self._heard)

    def announce_sql(self) -> str | None:
        return f"NOTIFY {CHANNEL}"

    def announce(self) -> None:
        return None  # the NOTIFY went with the commit

    async def _listen(self) -> bool:
        if time.monotonic() < self._next_try:
            return False
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return True
            if time.monotonic() < self._next_try:  # the request before us just failed
                return False
            try:
                connection = await asyncpg.connect(self.dsn, timeout=2)
                await connection.add_listener(CHANNEL, self._hear)
                connection.add_termination_listener(self._lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                log.warning("cannot listen for key revocations (%s); keys go uncached", error)
                self._next_try = time.monotonic() + RECONNECT_PAUSE
                return False
            self._connection = connection
            return True

    def _hear(self, *_: object) -> None:
        self._heard += 1

    def _lost(self, _connection: object) -> None:
        log.warning("lost the key revocation listener; keys go uncached until it is back")
        self._connection = None

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            await self._connection.close()
        self._connection = None


def revocations_for(settings: Settings) -> Revocations:
    if settings.is_sqlite:
        return FileGeneration(settings.sqlite_path.with_name(settings.sqlite_path.name + ".keys"))
    scheme, rest = settings.database_url.split("://", 1)
    return ListenedGeneration(f"{scheme.split('+', 1)[0]}://{rest}")
