"""Request bodies and `Idempotency-Key` (IETF draft semantics), as one ASGI middleware.

Every body is read once, up to the size limit (413 above it). A POST with an
`Idempotency-Key` is recorded as running before it executes: the same key and body later
replays the stored response (`Idempotent-Replayed: true`), another body gets 422, and a
request that arrives while the first is still running gets 409. Keys are claimed only for
an authenticated caller (anyone else goes on to the route's 401 or 429, and leaves no record),
are scoped to the caller's API key id (not the header's spelling), and kept for 24 hours.
A command that records events commits its answer in the same transaction
(services.idempotent_outcomes), so a crash between that commit and the reply leaves the answer
to replay, not a running claim. 5xx answers are not kept, so they can be retried; nor is 429
(the request never ran: the client is told to send it again, with the same key).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.case_api.auth import Principal
from services.case_api.deps import PRINCIPAL, Services, client_address, key_holder
from services.case_api.problems import DATABASE_UNAVAILABLE, Problem, invalid, problem_response
from services.idempotent_outcomes import CLAIM, KEEP_FOR, Claim
from services.tables import idempotency_keys

log = logging.getLogger(__name__)
UNAVAILABLE = Problem(
    503,
    "Service Unavailable",
    "the database is not reachable right now; retry shortly",
    slug="unavailable",
    headers={"Retry-After": "2"},
)
MAX_BODY = 64 * 1024
ABANDONED_AFTER = timedelta(minutes=2)  # a "running" row older than this died with its process
KEPT_HEADERS = ("content-type", "etag", "location")
# Answers that carry a secret shown once (API tokens, webhook secrets) say so with this header;
# their bodies are never stored, so a replay cannot show the secret again.
SHOWN_ONCE = {"Cache-Control": "no-store"}
NOT_KEPT = frozenset({429})  # rate limited: the request never ran, the client must retry it


class RequestBodies:
    def __init__(
        self,
        app: ASGIApp,
        services: Services,
        engine: AsyncEngine,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_body: int = MAX_BODY,
    ) -> None:
        self.app, self.engine, self.clock, self.max_body = app, engine, clock, max_body
        self.services = services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        body = await self._read_body(scope, receive)
        if body is None:
            await self._answer(
                scope,
                send,
                Problem(
                    413,
                    "Content Too Large",
                    f"the request body exceeds {self.max_body} bytes",
                    slug="too-large",
                ),
            )
            return
        replay = _replaying(body, receive)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get("idempotency-key")
        if scope["method"] != "POST" or key is None:
            await self.app(scope, replay, send)
            return
        await self._idempotent(scope, replay, send, key, headers, body)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        for name, value in scope["headers"]:
            if name.lower() == b"content-length" and value.isdigit() and int(value) > self.max_body:
                return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _idempotent(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: str,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        principal = await self._caller(scope, headers)
        if principal is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            await self._answer(
                scope,
                send,
                invalid(
                    "Idempotency-Key must be 1 to 255 characters",
                    [{"field": "Idempotency-Key", "message": "1 to 255 characters"}],
                ),
            )
            return
        ident = (principal.key_id, key)
        fingerprint = hashlib.sha256(
            b"\0".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        try:
            existing = await self._claim(ident, fingerprint)
        except DATABASE_UNAVAILABLE:
            log.warning("idempotency store unavailable; answering 503")
            await self._answer(scope, send, UNAVAILABLE)
            return
        if existing is not None:
            await self._replay_or_refuse(scope, send, existing, fingerprint)
            return
        captured, claim = _Capture(), Claim(*ident)
        token = CLAIM.set(claim)
        try:
            await self.app(scope, receive, captured)
        except BaseException:
            await self._forget(ident)
            raise
        finally:
            CLAIM.reset(token)
        if claim.settled:  # committed with the command's events (services.idempotent_outcomes)
            await captured.deliver(send)
            return
        # The outcome is stored before the client sees it, so a retry that follows the
        # answer at once finds it replayable rather than still running.
        try:
            await self._settle(ident, captured)
        except DATABASE_UNAVAILABLE:
            # The command itself succeeded: answer it. A retry with this key will find the
            # record still "running" and get 409 until it is abandoned (ABANDONED_AFTER).
            log.error("could not record the outcome of Idempotency-Key %r", ident[1])
        await captured.deliver(send)

    async def _caller(self, scope: Scope, headers: dict[str, str]) -> Principal | None:
        """The authenticated caller, kept in the request's state for the route; None hands
        the request on to the route, which refuses it (and counts the failure)."""
        try:
            principal = await key_holder(
                self.services,
                headers.get("authorization"),
                client_address(scope),
                count_failure=False,
            )
        except Problem:  # throttled: the route answers it
            return None
        if principal is not None:
            scope.setdefault("state", {})[PRINCIPAL] = principal
        return principal

    async def _claim(self, ident: tuple[str, str], fingerprint: str) -> Any:
        """Record the key as running; or return the row already there."""
        now = self.clock()
        for _ in range(3):
            try:
                async with self.engine.begin() as connection:
                    await connection.execute(
                        insert(idempotency_keys).values(
                            scope=ident[0],
                            key=ident[1],
                            request_hash=fingerprint,
                            state="running",
                            created_at=now,
                            expires_at=now + KEEP_FOR,
                        )
                    )
                return None
            except IntegrityError:
                pass
            async with self.engine.begin() as connection:
                row = (
                    await connection.execute(select(idempotency_keys).where(_matches(ident)))
                ).first()
                if row is None:
                    continue
                stale = _aware(row.expires_at) <= now or (
                    row.state == "running" and _aware(row.created_at) <= now - ABANDONED_AFTER
                )
                if not stale:
                    return row
                await connection.execute(delete(idempotency_keys).where(_matches(ident)))
        raise RuntimeError("could not claim the idempotency key")

    async def _replay_or_refuse(self, scope: Scope, send: Send, row: Any, fingerprint: str) -> None:
        if row.request_hash != fingerprint:
            await self._answer(
                scope,
                send,
                Problem(
                    422,
                    "Idempotency Key Reused",
                    "this Idempotency-Key was used with a different request; use a new key",
                    slug="idempotency-key-reused",
                ),
            )
        elif row.state == "running":
            await self._answer(
                scope,
                send,
                Problem(
                    409,
                    "Conflict",
                    "a request with this Idempotency-Key is still running",
                    slug="idempotency-key-in-use",
                    headers={"Retry-After": "1"},
                ),
            )
        elif row.body is None:
            location = (row.headers or {}).get("location")
            await self._answer(
                scope,
                send,
                Problem(
                    409,
                    "Already Done",
                    "this request already succeeded; its answer held a secret that is shown "
                    "only once and was not kept" + (f" (see {location})" if location else ""),
                    slug="idempotency-secret-not-kept",
                ),
            )
        else:
            headers = [(k.encode(), v.encode()) for k, v in (row.headers or {}).items()]
            headers.append((b"idempotent-replayed", b"true"))
            body = row.body.encode("utf-8")
            headers.append((b"content-length", str(len(body)).encode()))
            await send(
                {"type": "http.response.start", "status": row.status_code, "headers": headers}
            )
            await send({"type": "http.response.body", "body": body})

    async def _settle(self, ident: tuple[str, str], captured: _Capture) -> None:
        if captured.status is None or captured.status >= 500 or captured.status in NOT_KEPT:
            await self._forget(ident)
            return
        async with self.engine.begin() as connection:
            await connection.execute(
                update(idempotency_keys)
                .where(_matches(ident))
                .values(
                    state="done",
                    status_code=captured.status,
                    headers=captured.kept_headers(),
                    # None: the answer held a secret shown once, which is never stored.
                    body=None
                    if captured.shown_once()
                    else b"".join(captured.body).decode("utf-8", errors="replace"),
                )
            )

    async def _forget(self, ident: tuple[str, str]) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(delete(idempotency_keys).where(_matches(ident)))

    async def _answer(self, scope: Scope, send: Send, problem: Problem) -> None:
        await problem_response(problem)(scope, _replaying(b"", None), send)


def remembered(response: Response) -> tuple[int, dict[str, str], str]:
    """What this layer would keep of `response`: for an answer committed with the events."""
    headers = {
        k.decode("latin-1"): v.decode("latin-1")
        for k, v in response.raw_headers
        if k.decode("latin-1").lower() in KEPT_HEADERS
    }
    return response.status_code, headers, bytes(response.body).decode("utf-8", errors="replace")


def _matches(ident: tuple[str, str]) -> Any:
    return and_(idempotency_keys.c.scope == ident[0], idempotency_keys.c.key == ident[1])


def _aware(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)  # SQLite drops zones


def _replaying(body: bytes, then: Receive | None) -> Receive:
    """Hand the buffered body to the app once, then the client's own messages (disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive


class _Capture:
    """Holds the response back until it has been recorded."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.append(message.get("body", b""))
        self.messages.append(message)

    async def deliver(self, send: Send) -> None:
        for message in self.messages:
            await send(message)

    def shown_once(self) -> bool:
        return any(k.lower() == b"cache-control" and b"no-store" in v for k, v in self.headers)

    def kept_headers(self) -> dict[str, str]:
        return {
            k.decode(): v.decode() for k, v in self.headers if k.decode().lower() in KEPT_HEADERS
        }
