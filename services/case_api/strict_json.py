"""JSON bodies with a key given twice are refused (422), before any route sees them.

Python's JSON decoder keeps the last of two equal keys, another component may keep the first:
`{"payer": "store", "payer": "platform"}` must not mean one thing to a proxy or a log and
another to us. The body is already in memory (services.case_api.idempotency reads it once,
within the size limit), so the extra decode costs a few microseconds per write.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.case_api.problems import invalid, problem_response

WRITES = frozenset({"POST", "PUT", "PATCH"})


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(key)
        found[key] = value
    return found


def duplicate_key(body: bytes) -> str | None:
    """The first key an object of `body` repeats, if it is JSON with one."""
    try:
        json.loads(body, object_pairs_hook=_no_duplicates)
    except DuplicateKey as duplicate:
        return str(duplicate)
    except (ValueError, RecursionError):  # not JSON: the route's own parsing answers that
        return None
    return None


class RefuseDuplicateKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        messages = await buffered(receive)
        body = body_of(messages)
        if body and (key := duplicate_key(body)) is not None:
            key = key[:100]
            errors = [{"field": key, "message": "given more than once", "type": "duplicate_key"}]
            refusal = invalid(f"the JSON body gives the key {key!r} more than once", errors)
            await problem_response(refusal)(scope, receive, send)
            return
        await self.app(scope, replaying(messages, receive), send)


async def buffered(receive: Receive) -> list[Message]:
    """A request's messages up to its last body part (or a disconnect); the body is already in
    memory, within its size limit (services.case_api.idempotency)."""
    messages = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages


def body_of(messages: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in messages)


def replaying(messages: list[Message], then: Receive) -> Receive:
    """The messages `buffered` read, once each, then the client's own."""
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else await then()

    return receive
