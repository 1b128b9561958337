"""API keys: random tokens with a recognisable prefix, stored only as SHA-256 hashes.

A token is `rdk_<key id>_<secret>`; the key id finds the row, and the hash of the whole
token is compared in constant time. Tokens carry 256 bits of randomness, so a fast hash is
enough (no password stretching needed).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.actors import Actor
from services.tables import api_keys

TOKEN_PREFIX = "rdk_"
ROLES = ("consumer", "store", "staff", "ops", "admin")
CACHE_SECONDS = 30.0  # a revoked key stops working within this
CACHE_ENTRIES = 10_000


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


class KeyStore:
    def __init__(self, engine: AsyncEngine, admin_token: str | None = None) -> None:
        self.engine = engine
        self.admin_token = admin_token
        self._cache: dict[str, tuple[float, Principal | None]] = {}

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

    async def authenticate(self, token: str) -> Principal | None:
        if self.admin_token and hmac.compare_digest(token.encode(), self.admin_token.encode()):
            return Principal("bootstrap", "admin", "bootstrap-admin")
        if not token.startswith(TOKEN_PREFIX) or token.count("_") < 2:
            return None
        digest = hash_token(token)
        cached = self._cache.get(digest)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        principal = await self._lookup(token, digest)
        if len(self._cache) >= CACHE_ENTRIES:  # bounded: forged tokens must not grow it forever
            self._cache.clear()
        self._cache[digest] = (time.monotonic() + CACHE_SECONDS, principal)
        return principal

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
