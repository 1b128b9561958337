"""The latest-version query: what the API's case reads ask PostgreSQL before answering from
memory (services.case_api.case_reads), written against the library's events table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application

from services.eventstore.tables import events_table


def latest_versions_sql(app: Application[Any], parameters: Sequence[str]) -> str:
    """One row: the latest version of each aggregate whose id is in `parameters` (`$1`, `$2`
    for asyncpg), NULL for one with no events; each a primary-key lookup."""
    latest = f"SELECT max(originator_version) FROM {events_table(app)} WHERE originator_id = "
    return "SELECT " + ", ".join(f"({latest}{p})" for p in parameters)
