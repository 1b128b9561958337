"""API keys: random tokens with a recognisable prefix, stored only as SHA-256 hashes.

A token is `rdk_<key id>_<secret>`; the key id finds the row, and the hash of the whole
token is compared in constant time. Tokens carry 256 bits of randomness, so a fast hash is
enough (no password stretching needed). Checked keys are cached per process, each under the
revocation generation it was checked in (services.case_api.revocations): a revoked key stops
working at once in every process.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actors import Actor
from services.case_api.revocations import Revocations
from services.tables import api_keys

TOKEN_PREFIX = "rdk_"
ROLES = ("consumer", "store", "staff", "ops", "admin")
CACHE_SECONDS = 300.0  # a backstop: revocation empties the cache at once anyway
CACHE_ENTRIES = 10_000
LIST_LIMIT = 1000
KEY_ID = re.compile("[0-9a-f]{1,40}")  # what new_token makes (a NUL never reaches the database)


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    subject: str
    store_ids: tuple[str, ...] = field(default=())

    @property
    def actor(self) -> Actor:
        return Actor(self.role, self.subject)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    key_id = secrets.token_hex(8)
    return key_id, f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class KeyStore:
    def __init__(
        self,
        engine: AsyncEngine,
        admin_token: str | None = None,
        revocations: Revocations | None = None,
    ) -> None:
        """Without `revocations`, nothing is cached (a tool's short-lived store)."""
        self.engine = engine
        self.admin_token = admin_token
        self.revocations = revocations
        self._cache: dict[str, tuple[float, object, Principal | None]] = {}

    async def create(
        self, role: str, subject: str, store_ids: list[str], now: datetime
    ) -> tuple[Principal, str]:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        key_id, token = new_token()
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(api_keys).values(
                    id=key_id,
                    token_hash=hash_token(token),
                    role=role,
                    subject=subject,
                    store_ids=list(store_ids),
                    created_at=now,
                )
            )
        return Principal(key_id, role, subject, tuple(store_ids)), token

    async def has_admin(self) -> bool:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(api_keys.c.id)
                .where(api_keys.c.role == "admin", api_keys.c.revoked_at.is_(None))
                .limit(1)
            )
            return found.first() is not None

    async def listed(
        self, after: str | None = None, limit: int = LIST_LIMIT
    ) -> list[dict[str, Any]]:
        """Keys in id order, never their hashes."""
        query = select(
            api_keys.c.id,
            api_keys.c.role,
            api_keys.c.subject,
            api_keys.c.store_ids,
            api_keys.c.created_at,
            api_keys.c.revoked_at,
        ).order_by(api_keys.c.id)
        if after is not None:
            query = query.where(api_keys.c.id > after)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query.limit(limit))).all()
        return [
            {
                "id": row.id,
                "role": row.role,
                "subject": row.subject,
                "store_ids": list(row.store_ids or ()),
                "created_at": _aware(row.created_at),
                "revoked_at": _aware(row.revoked_at),
            }
            for row in rows
        ]

    async def revoke(self, key_id: str, now: datetime) -> bool:
        """Revoke a key (again is fine); False if there is no such key."""
        if not KEY_ID.fullmatch(key_id):
            return False
        async with self.engine.begin() as connection:
            found = await connection.execute(
                select(api_keys.c.revoked_at).where(api_keys.c.id == key_id)
            )
            row = found.first()
            if row is None:
                return False
            if row.revoked_at is None:
                await connection.execute(
                    update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now)
                )
            if self.revocations is not None and (sql := self.revocations.announce_sql()):
                await connection.execute(text(sql))
        self._cache.clear()
        if self.revocations is not None:
            self.revocations.announce()
        return True

    async def authenticate(self, token: str) -> Principal | None:
        if self.admin_token and hmac.compare_digest(token.encode(), self.admin_token.encode()):
            return Principal("bootstrap", "admin", "bootstrap-admin")
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            return None
        digest = hash_token(token)
        generation = await self.revocations.generation() if self.revocations else None
        cached = self._cache.get(digest)
        if (
            generation is not None
            and cached is not None
            and cached[1] == generation
            and cached[0] > time.monotonic()
        ):
            return cached[2]
        principal = await self._lookup(token, digest)
        if generation is not None:
            if len(self._cache) >= CACHE_ENTRIES:  # bounded: forged tokens must not grow it
                self._cache.clear()
            self._cache[digest] = (time.monotonic() + CACHE_SECONDS, generation, principal)
        return principal

    async def principal(self, key_id: str) -> Principal | None:
        """The holder of a key that is still valid (no token: a session knows the id)."""
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(api_keys).where(api_keys.c.id == key_id))
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        return Principal(row.id, row.role, row.subject, tuple(row.store_ids or ()))

    async def _lookup(self, token: str, digest: str) -> Principal | None:
        key_id = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(select(api_keys).where(api_keys.c.id == key_id))
            ).first()
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.token_hash, digest):
            return None
        return Principal(row.id, row.role, row.subject, tuple(row.store_ids or ()))

    async def close(self) -> None:
        if self.revocations is not None:
            await self.revocations.close()
