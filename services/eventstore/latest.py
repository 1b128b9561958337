"""The latest-version query: what the API's case reads ask PostgreSQL before answering from
memory (services.case_api.case_reads), written against the library's events table."""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application

from services.eventstore.tables import events_table


def latest_versions_sql(app: Application[Any]) -> str:
    """For asyncpg: a row per case id of `$1` (an array), in order, with its latest version
    and that of the id at the same place in `$2` (its translations), NULL for one with no
    events. Each a primary-key lookup of the last version, not a scan of every version."""
    latest = f"SELECT max(originator_version) FROM {events_table(app)} WHERE originator_id = "
    return (
        f"SELECT ({latest}ids.case_id), ({latest}ids.other_id) "
        "FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS ids(case_id, other_id, n) "
        "ORDER BY ids.n"
    )
