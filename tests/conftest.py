"""Fixtures every test tier shares: databases on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from support.postgres import NoPostgres, fresh_database, postgres_server, throwaway_cluster

# Every way a test gets PostgreSQL: these fixtures (or one that depends on them), or a
# parameter "postgres" of a test or fixture that then asks for one (`getfixturevalue`).
POSTGRES_FIXTURES = {"postgres_url", "postgres_database", "postgres_cluster"}
POSTGRES_PARAMETER = "postgres"


# The tiers whose folder is their marker: real processes over HTTP, and faults under load.
FOLDER_MARKERS = {"e2e": pytest.mark.e2e, "reliability": pytest.mark.reliability}
TESTS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use PostgreSQL carry the `postgres` marker (select with `-m postgres`), and
    those under tests/e2e and tests/reliability their folder's marker. `browser` and `slow`
    are set by the modules themselves (pyproject.toml lists every marker)."""
    for item in items:
        if uses_postgres(item):
            item.add_marker(pytest.mark.postgres)
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])


def uses_postgres(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    parameters = list(callspec.params.values()) if callspec is not None else []
    return bool(POSTGRES_FIXTURES & fixtures) or any(p == POSTGRES_PARAMETER for p in parameters)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A PostgreSQL server for this session (see tests/support/postgres.py). Never skipped:
    without one, every test that needs it fails and says how to install one."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_server())
        except NoPostgres as missing:
            reason = str(missing)
        else:
            yield url
            return
    pytest.fail(reason, pytrace=False)


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A fresh, uniquely named database on that server, dropped after the test."""
    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture
def postgres_cluster() -> Iterator[str]:
    """A PostgreSQL cluster of this test's own (support.postgres.throwaway_cluster), for tests
    that stop and start the server: the shared one is not theirs to stop."""
    with throwaway_cluster() as server:
        yield server


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'redress.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The test runs once on each backend: sqlite:///... and postgresql://.../fresh_db."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_database"
    url: str = request.getfixturevalue(fixture)
    return url
