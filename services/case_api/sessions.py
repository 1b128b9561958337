"""Dashboard sessions: the cookie holds a random session id, never a bearer token.

Only the id's SHA-256 is stored (a copy of the table signs no one in), with the key it stands
for and its expiry. Each page checks the key again, so revoking the key ends its sessions.
Expired rows are removed whenever someone signs in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.case_api.auth import KeyStore, Principal
from services.tables import dashboard_sessions

LIFETIME = timedelta(hours=12)
MAX_ID = 100  # a cookie longer than any id this makes is not looked up


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value  # SQLite's are naive


class Sessions:
    def __init__(self, engine: AsyncEngine, keys: KeyStore) -> None:
        self.engine, self.keys = engine, keys

    async def open(self, principal: Principal, now: datetime) -> str:
        """A new session for the key; its id, which only the cookie holds."""
        session_id = secrets.token_urlsafe(32)
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(dashboard_sessions).where(dashboard_sessions.c.expires_at < now)
            )
            await connection.execute(
                insert(dashboard_sessions).values(
                    id_hash=_hash(session_id),
                    key_id=principal.key_id,
                    created_at=now,
                    expires_at=now + LIFETIME,
                )
            )
        return session_id

    async def holder(self, session_id: str, now: datetime) -> Principal | None:
        """Whose live session this is, if it is one and its key is still valid."""
        if not session_id or len(session_id) > MAX_ID or "\x00" in session_id:
            return None
        async with self.engine.connect() as connection:
            row = (
                await connection.execute(
                    select(dashboard_sessions).where(
                        dashboard_sessions.c.id_hash == _hash(session_id)
                    )
                )
            ).first()
        if row is None or _aware(row.expires_at) <= now:
            return None
        return await self.keys.principal(row.key_id)
