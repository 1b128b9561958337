"""The OpenAPI document says every answer the API can give: each operation lists every
problem+json status it may return, with the problem schema under `application/problem+json`.

Routes declare their own refusals (services.case_api.routes.problems); what every operation
of a kind can meet whatever its route says is added here, in one place:

- every `/v1` operation: 400 (a body or header that cannot be read), 401, 413, 422 (a
  parameter or body refused), 429 (over the key's rate limit), 503 (database away);
- every POST: 409 (an `Idempotency-Key` still running);
- `/metrics`: 404 (moved to the internal port), and its text exposition format.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

PROBLEM = {"$ref": "#/components/schemas/ProblemDetails"}
RETRY_AFTER = {
    "Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}
}
EVERY_V1 = {
    400: "The body is not JSON in UTF-8 (or nests too deeply)",
    401: "Missing or invalid bearer token",
    413: "Body larger than the limit (64 KiB by default)",
    422: "Invalid request or a business rule refused (see `rule` and `errors`)",
    429: "Over this key's rate limit; `Retry-After` says when to try again",
    503: "Database unavailable; `Retry-After` says when to try again",
}
EVERY_POST = {409: "Conflict: concurrent or repeated (an `Idempotency-Key` still running)"}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            if path.startswith("/v1/"):
                _add(responses, EVERY_V1)
                if method == "post":
                    _add(responses, EVERY_POST)
            if path == "/metrics":
                _add(responses, {404: "Served on the internal port (REDRESS_METRICS_PORT)"})
                responses["200"]["content"] = {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {"application/problem+json": {"schema": PROBLEM}}
                    if int(status) in (429, 503):
                        response["headers"] = RETRY_AFTER
    return schema


def _add(responses: dict[str, Any], wanted: dict[int, str]) -> None:
    for status, description in wanted.items():
        responses.setdefault(str(status), {"description": description})
