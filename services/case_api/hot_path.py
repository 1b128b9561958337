"""GET /v1/cases/{id}, the request that carries the read load, served in front of FastAPI.

FastAPI's routing, dependency resolution and parameter validation cost about twice the work
of the read itself (services.case_api.case_reads). This middleware serves the plain success
case of a current-state read with the same functions the route uses: the key, the case as of
its latest event, the scope check, the rate limit. Everything else (a query string, an
`Accept-Language` asking for display bodies, a missing
or unknown key, a case out of scope or not found, a limited key, an unreachable database)
passes to the FastAPI route untouched, so every refusal is still answered by one piece of
code. Nothing here writes, so handing a request over after trying it changes nothing; that
includes any failure on the way, which the route then meets and answers (503, 500) itself.
"""

from __future__ import annotations

import logging
from typing import NamedTuple
from uuid import UUID

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.case_api.deps import (
    Services,
    client_address,
    in_scope,
    key_holder,
    versioned_response,
)

log = logging.getLogger(__name__)
PREFIX = "/v1/cases/"


class _Route(NamedTuple):
    path: str  # what RequestLog labels the request's metrics with


ROUTE = _Route("/v1/cases/{case_id}")


class CaseReadHotPath:
    def __init__(self, app: ASGIApp, services: Services) -> None:
        self.app, self.services = app, services

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (case_id := _current_state_read(scope)) is not None:
            try:
                answer = await self._answer(scope, case_id)
            except Exception as failure:  # the route meets it again and answers it
                log.debug("hot path handed over GET %s: %r", scope["path"], failure)
                answer = None
            if answer is not None:
                scope["route"] = ROUTE
                await answer(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _answer(self, scope: Scope, case_id: UUID) -> Response | None:
        svc = self.services
        header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        principal = await key_holder(
            svc,
            header.decode("latin-1") if header else None,
            client_address(scope),
            count_failure=False,  # the route counts it
        )
        if principal is None:
            return None
        current = await svc.case_reads.current(case_id)
        if not in_scope(principal, current.store_id, current.consumer_id):
            return None
        if svc.limiter.retry_after(principal.key_id) is not None:
            return None  # the route answers 429 (a limited key takes no token)
        return versioned_response(current.body, current.version)


def _current_state_read(scope: Scope) -> UUID | None:
    if scope["type"] != "http" or scope["method"] != "GET" or scope["query_string"]:
        return None
    if any(name == b"accept-language" for name, _value in scope["headers"]):
        return None  # display bodies in the reader's language: the route adds them
    path: str = scope["path"]
    if not path.startswith(PREFIX) or "/" in (rest := path[len(PREFIX) :]):
        return None
    try:
        return UUID(rest)
    except ValueError:
        return None
