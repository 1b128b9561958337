"""GET /v1/cases/{id} and GET /v1/cases, the requests that carry the read load, served in
front of FastAPI.

FastAPI's routing, dependency resolution and parameter validation cost about twice the work
of the read itself (services.case_api.case_reads). This middleware serves the plain success
case of a current-state read with the same functions the route uses: the key, the case as of
its latest event, the scope check, the rate limit. Everything else (a query string, an
`Accept-Language` asking for display bodies, a missing
or unknown key, a case out of scope or not found, a limited key, an unreachable database)
passes to the FastAPI route untouched, so every refusal is still answered by one piece of
code. The list is served the same way when its query string is one the route would take as
is (services.case_api.case_list_reads); any other (a repeated or unknown parameter, a value the
route would refuse or read differently) goes to the route. Nothing here writes, so handing a
request over after trying it changes nothing; that includes any failure on the way, which the
route then meets and answers (503, 500) itself.
"""

from __future__ import annotations

import logging
import re
from typing import NamedTuple
from urllib.parse import parse_qsl
from uuid import UUID

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.statuses import RESOLUTIONS
from services.case_api.auth import Principal
from services.case_api.case_list_reads import CaseListReads, ListQuery
from services.case_api.deps import (
    Services,
    client_address,
    in_scope,
    key_holder,
    versioned_response,
)

log = logging.getLogger(__name__)
PREFIX = "/v1/cases/"


class RouteLabel(NamedTuple):
    path: str  # what RequestLog labels the request's metrics with


ROUTE = RouteLabel("/v1/cases/{case_id}")
LIST_PATH = "/v1/cases"
LIST_ROUTE = RouteLabel(LIST_PATH)
LIST_READERS = ("staff", "ops", "store", "consumer")
SORTS = ("-created_at", "created_at", "-updated_at", "updated_at")
IDENTIFIER = re.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}")  # schemas.Identifier
LIMIT = re.compile("[1-9][0-9]{0,2}")


class CaseReadHotPath:
    def __init__(
        self, app: ASGIApp, services: Services, lists: CaseListReads | None = None
    ) -> None:
        """`lists`: None where the list is not served here (SQLite, a read replica)."""
        self.app, self.services, self.lists = app, services, lists

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.lists is not None and (query := _list_read(scope)) is not None:
            try:
                answer = await self._list(scope, self.lists, query)
            except Exception as failure:  # the route meets it again and answers it
                log.debug("hot path handed over GET %s: %r", LIST_PATH, failure)
                answer = None
            if answer is not None:
                scope["route"] = LIST_ROUTE
                await answer(scope, receive, send)
                return
        elif (case_id := _current_state_read(scope)) is not None:
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

    async def _list(self, scope: Scope, lists: CaseListReads, query: ListQuery) -> Response | None:
        principal = await caller(self.services, scope)
        if principal is None or principal.role not in LIST_READERS:
            return None
        body = await lists.page(principal, query)
        if self.services.limiter.retry_after(principal.key_id) is not None:
            return None  # the route answers 429 (a limited key takes no token)
        return Response(body, media_type="application/json")

    async def _answer(self, scope: Scope, case_id: UUID) -> Response | None:
        svc = self.services
        principal = await caller(self.services, scope)
        if principal is None:
            return None
        current = await svc.case_reads.current(case_id)
        if not in_scope(principal, current.store_id, current.consumer_id):
            return None
        if svc.limiter.retry_after(principal.key_id) is not None:
            return None  # the route answers 429 (a limited key takes no token)
        return versioned_response(current.body, current.version)


async def caller(services: Services, scope: Scope) -> Principal | None:
    """Whose valid key the request carries, for a path in front of FastAPI; None (or a
    throttled address's Problem) hands the request to the route, which answers and counts."""
    header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
    return await key_holder(
        services,
        header.decode("latin-1") if header else None,
        client_address(scope),
        count_failure=False,  # the route counts it
    )


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


def _list_read(scope: Scope) -> ListQuery | None:
    """A GET /v1/cases query the route would take as is, else None (the route answers it)."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != LIST_PATH:
        return None
    # As Starlette reads a query string; FastAPI would take the last of a repeated name.
    pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    given = dict(pairs)
    if len(given) != len(pairs):
        return None
    identifiers = {n: given.pop(n, None) for n in ("platform", "store_id", "status")}
    if any(v is not None and not IDENTIFIER.fullmatch(v) for v in identifiers.values()):
        return None
    resolution = given.pop("resolution", None)
    limit = given.pop("limit", "50")
    cursor = given.pop("cursor", None)
    sort = given.pop("sort", "-created_at")
    if (
        given  # a name the route does not read
        or (resolution is not None and resolution not in RESOLUTIONS)
        or not LIMIT.fullmatch(limit)
        or int(limit) > 200
        or (cursor is not None and len(cursor) > 300)
        or sort not in SORTS
    ):
        return None
    return ListQuery(
        identifiers["platform"],
        identifiers["store_id"],
        identifiers["status"],
        resolution,
        int(limit),
        cursor,
        sort,
    )
