"""What a batch of texts needs from the event store, in few queries: the events holding the
texts, and the cases' translations aggregates. On PostgreSQL one query each (a batch spans
up to a hundred cases); on SQLite, the application's own reads one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Identifier

from domain.translations import Translations, translations_uuid
from services.application import Redress
from services.eventstore import bulk_get

# The events at these (aggregate, version) pairs.
EVENTS_AT = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
FROM unnest(%s::{id_type}[], %s::bigint[]) AS s(id, version)
JOIN {schema}.{table} AS e ON e.originator_id = s.id AND e.originator_version = s.version
"""


def source_events(app: Redress, wanted: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], Any]:
    """The case events holding texts, by (case id, version)."""
    recorder = app.recorder
    if not isinstance(recorder, PostgresAggregateRecorder):
        found = {}
        for case_id, version in set(wanted):
            for event in app.events.get(case_id, gt=version - 1, lte=version):
                found[(case_id, version)] = event
        return found
    statement = SQL(EVENTS_AT).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
        id_type=Identifier(recorder.datastore.originator_id_type),
    )
    ids, versions = zip(*set(wanted), strict=True) if wanted else ((), ())
    with recorder.datastore.get_connection() as connection:
        rows = connection.execute(statement, [list(ids), list(versions)]).fetchall()
    events = (
        app.mapper.to_domain_event(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
        )
        for row in rows
    )
    return {(e.originator_id, e.originator_version): e for e in events}


def translations_of(app: Redress, case_ids: Sequence[str]) -> dict[str, Translations]:
    """The translations aggregates that exist for these cases, by case id (private copies)."""
    if not bulk_get.supports(app):
        found: dict[str, Translations] = {}
        for case_id in case_ids:
            try:
                found[case_id] = app.repository.get(translations_uuid(UUID(case_id)))
            except AggregateNotFoundError:
                continue  # none yet
        return found
    ids = {translations_uuid(UUID(c)): c for c in case_ids}
    return {ids[k]: v for k, v in bulk_get.get_many(app, list(ids)).items()}
