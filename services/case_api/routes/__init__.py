"""One router per resource."""

from __future__ import annotations

from typing import Any

from services.case_api.schemas import ProblemDetails

_TITLES = {
    400: "Bad request",
    401: "Missing or invalid bearer token",
    403: "Role may not do this",
    404: "Not found, or outside the caller's scope",
    409: "Conflict (concurrent or repeated)",
    412: "If-Match names a stale version",
    413: "Body larger than 64 KiB",
    422: "Invalid request or a business rule refused (see `rule`)",
    503: "Database unavailable",
}


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem+json answers an endpoint may give."""
    return {
        code: {
            "model": ProblemDetails,
            "description": _TITLES[code],
            "content": {"application/problem+json": {}},
        }
        for code in (401, 413, 503, *codes)
    }
