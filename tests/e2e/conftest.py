"""The browser tests' server: `redress serve` as a process on the test's database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.browser import Server, serving


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    with serving(database_url) as running:
        yield running
