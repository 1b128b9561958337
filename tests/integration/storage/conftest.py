"""The PostgreSQL recorder of a migrated database of the test's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.bootstrap import open_redress
from services.db import migrate
from services.eventstore.recorders import PostgresRecorder
from services.settings import Settings


@pytest.fixture
def recorder(postgres_database: str) -> Iterator[PostgresRecorder]:
    settings = Settings(database_url=postgres_database)
    migrate(settings)
    app = open_redress(settings)
    assert isinstance(app.recorder, PostgresRecorder)
    yield app.recorder
    app.close()
