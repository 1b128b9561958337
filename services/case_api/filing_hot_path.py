"""POST /v1/cases, the request that carries the write load, served in front of FastAPI.

FastAPI resolves the route's dependencies (the services, the caller, the body) through its
general machinery on every request: a tenth of the workers' samples under a filing load
(py-spy), the key's check and the body's validation included. This middleware takes the plain
case: a JSON body the route's own model accepts, from a valid key that is not rate limited. It
then calls the function the route calls (services.case_api.case_filing.file_case). Anything
else (no or a bad key, a limited key, a body the model refuses, another content type, a query
string) passes to the route untouched, before anything is recorded, so FastAPI still answers
every malformed request.

Once the filing has begun it is never handed over: a failure whose outcome is unknown (the
database gone mid-commit) would otherwise file the case twice. Its refusals and failures are
answered by the application's own exception handlers, the ones the route's would reach; an
exception only the catch-all handles propagates, as the route's would.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.case_api.auth import Principal
from services.case_api.case_filing import file_case
from services.case_api.deps import PRINCIPAL, Services
from services.case_api.hot_path import RouteLabel, caller
from services.case_api.schemas import CaseCreate
from services.case_api.strict_json import body_of, buffered, replaying

log = logging.getLogger(__name__)
PATH = "/v1/cases"
ROUTE = RouteLabel(PATH)

Handlers = Mapping[Any, Any]  # FastAPI's exception_handlers: an exception class → handler
CATCH_ALL = (Exception, BaseException, object)  # Starlette answers these outside, and logs them


class CaseFilingHotPath:
    def __init__(self, app: ASGIApp, services: Services, handlers: Handlers) -> None:
        """`handlers`: the FastAPI application's `exception_handlers`."""
        self.app, self.services, self.handlers = app, services, handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _plain_filing(scope):
            await self.app(scope, receive, send)
            return
        messages = await buffered(receive)  # read already by RefuseDuplicateKeys, outside
        replay = replaying(messages, receive)
        try:
            filing = await self._filing(scope, body_of(messages))
        except Exception as failure:  # the route meets it again and answers it
            # The type only: a validation error's text holds the body, personal data included.
            log.debug("hot path handed over POST %s: %s", PATH, type(failure).__name__)
            filing = None
        if filing is None:
            await self.app(scope, replay, send)
            return
        scope["route"] = ROUTE
        try:
            answer = await file_case(*filing, self.services)
        except Exception as failure:
            answer = await self._handled(scope, replay, failure)
        await answer(scope, replay, send)

    async def _filing(self, scope: Scope, body: bytes) -> tuple[CaseCreate, Principal] | None:
        """The body and the caller, when the route would take both as they are; else None."""
        principal = scope.get("state", {}).get(PRINCIPAL)  # services.case_api.idempotency
        if principal is None:
            principal = await caller(self.services, scope)
        if principal is None:
            return None
        document = json.loads(body)  # as FastAPI reads a JSON body
        if not isinstance(document, dict):
            return None
        filing = CaseCreate.model_validate(document)
        if self.services.limiter.retry_after(principal.key_id) is not None:
            return None  # the route answers 429 (a limited key takes no token)
        return filing, principal

    async def _handled(self, scope: Scope, receive: Receive, failure: Exception) -> Response:
        """The application's answer to `failure`, from the handler of its nearest class; an
        exception for the catch-all only is raised on, as it would be from the route."""
        handler = next(
            (
                self.handlers[c]
                for c in type(failure).__mro__
                if c in self.handlers and c not in CATCH_ALL
            ),
            None,
        )
        if handler is None:
            raise failure
        answer = handler(Request(scope, receive), failure)
        response: Response = await answer if inspect.isawaitable(answer) else answer
        return response


def _plain_filing(scope: Scope) -> bool:
    """A POST /v1/cases with no query string and a JSON body (or no content type, which
    FastAPI also reads as JSON)."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != PATH:
        return False
    if scope["query_string"]:
        return False
    kind = next((v for k, v in scope["headers"] if k == b"content-type"), None)
    return kind is None or kind.split(b";", 1)[0].strip().lower() == b"application/json"
