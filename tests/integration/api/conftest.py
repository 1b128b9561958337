"""A real Redress API server over HTTP, once per module and backend (SQLite, PostgreSQL);
the server itself and its helpers are in support/api_server.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.api_server import ADMIN_TOKEN, Api, running_api
from support.postgres import fresh_database

from services.case_api.settings import ApiSettings


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def backend_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'redress.db'}"
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as url:
        yield url


@pytest.fixture(scope="module")
def api(backend_url: str) -> Iterator[Api]:
    # Rate limits are off here (tests send bursts); test_rate_limit checks them on its own.
    settings = ApiSettings(
        database_url=backend_url,
        admin_token=ADMIN_TOKEN,
        db_pool_size=3,
        rate_limit_per_second=0,
        auth_failures_per_minute=0,
    )
    with running_api(settings) as api:
        yield api
