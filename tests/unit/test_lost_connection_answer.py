"""A driver error SQLAlchemy recognised as a lost connection answers 503 whatever its SQLSTATE:
the server restarted under a connection in use is an outage, not a bug (never a 500)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import exc as sa_exc

from services.case_api.problems import install


def _app(invalidated: bool) -> FastAPI:
    app = FastAPI()
    install(app)

    @app.get("/read")
    async def read() -> None:
        raise sa_exc.DBAPIError(
            "SELECT 1", None, Exception("lost"), connection_invalidated=invalidated
        )

    return app


@pytest.mark.parametrize(("invalidated", "status"), [(True, 503), (False, 500)])
async def test_a_lost_connection_is_unavailable_not_an_error(
    invalidated: bool, status: int
) -> None:
    transport = httpx.ASGITransport(app=_app(invalidated), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        answer = await client.get("/read")
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
