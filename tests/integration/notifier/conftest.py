"""The notifier tests' SMTP server: a real one per test (support/mail.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.mail import smtp_server_in


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    with smtp_server_in(tmp_path) as running:
        yield running
