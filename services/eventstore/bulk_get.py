"""Many aggregates from PostgreSQL in two queries, where `repository.get` takes two per
aggregate (its latest snapshot, then the events after it): what a scheduler batch of
timeouts reads. And many single events in one query (the translator's source texts).
Decoding goes through the application's own mappers, so ciphers, compression and upcasting
apply as for any read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg.sql import SQL, Identifier

# The ids and versions go as binary arrays (%b): as text, psycopg writes each element and
# tests it against a regular expression for quoting, three times the CPU for 100 ids.

# The newest snapshot of each aggregate, if any.
LATEST_SNAPSHOTS = """
SELECT DISTINCT ON (originator_id) originator_id, originator_version, topic, state
FROM {schema}.{table} WHERE originator_id = ANY(%b::{id_type}[])
ORDER BY originator_id, originator_version DESC
"""
# Each aggregate's events after its snapshot (after version 0 without one), in order.
EVENTS_AFTER = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
FROM unnest(%b::{id_type}[], %b::bigint[]) AS s(id, after)
JOIN {schema}.{table} AS e ON e.originator_id = s.id AND e.originator_version > s.after
ORDER BY e.originator_id, e.originator_version
"""

# The events at these (aggregate, version) pairs.
EVENTS_AT = """
SELECT e.originator_id, e.originator_version, e.topic, e.state
FROM unnest(%b::{id_type}[], %b::bigint[]) AS s(id, version)
JOIN {schema}.{table} AS e ON e.originator_id = s.id AND e.originator_version = s.version
"""


def supports(app: Application[Any]) -> bool:
    return isinstance(app.recorder, PostgresAggregateRecorder)


def get_many(app: Application[UUID], ids: Sequence[UUID]) -> dict[UUID, Any]:
    """The current state of each aggregate found (absent ids are left out)."""
    recorder = app.recorder
    assert isinstance(recorder, PostgresAggregateRecorder)
    snapshots: dict[UUID, Any] = {}
    with recorder.datastore.get_connection() as connection:
        if app.snapshots is not None:
            table = app.snapshots.recorder
            assert isinstance(table, PostgresAggregateRecorder)
            rows = connection.execute(_statement(LATEST_SNAPSHOTS, table), [list(ids)])
            snapshots = {s.originator_id: s for s in _decode(app.snapshots.mapper, rows)}
        after = [snapshots[i].originator_version if i in snapshots else 0 for i in ids]
        events = _events_after(app, connection, ids, after)
    found: dict[UUID, Any] = {}
    for aggregate_id in ids:
        aggregate = snapshots[aggregate_id].mutate(None) if aggregate_id in snapshots else None
        for event in events[aggregate_id]:
            # What the library's project_aggregate does, without its per-event assert of a
            # runtime-checkable Protocol: a fifth of a timeout's CPU.
            aggregate = event.mutate(aggregate)
        if aggregate is not None:
            found[aggregate_id] = aggregate
    return found


def events_at(
    app: Application[UUID], keys: Sequence[tuple[UUID, int]]
) -> dict[tuple[UUID, int], Any]:
    """The events at these (aggregate, version) pairs, in one query; absent ones left out."""
    recorder = app.recorder
    assert isinstance(recorder, PostgresAggregateRecorder)
    ids, versions = zip(*set(keys), strict=True) if keys else ((), ())
    with recorder.datastore.get_connection() as connection:
        rows = connection.execute(_statement(EVENTS_AT, recorder), [list(ids), list(versions)])
        events = list(_decode(app.mapper, rows))
    return {(e.originator_id, e.originator_version): e for e in events}


def events_after(app: Application[UUID], versions: Mapping[UUID, int]) -> dict[UUID, list[Any]]:
    """Each aggregate's events after the version given, in order, in one query: what brings
    copies already held up to date."""
    recorder = app.recorder
    assert isinstance(recorder, PostgresAggregateRecorder)
    with recorder.datastore.get_connection() as connection:
        return _events_after(app, connection, list(versions), list(versions.values()))


def _events_after(
    app: Application[UUID], connection: Any, ids: Sequence[UUID], after: Sequence[int]
) -> dict[UUID, list[Any]]:
    recorder = app.recorder
    assert isinstance(recorder, PostgresAggregateRecorder)
    rows = connection.execute(_statement(EVENTS_AFTER, recorder), [list(ids), list(after)])
    events: dict[UUID, list[Any]] = defaultdict(list)
    for event in _decode(app.mapper, rows):
        events[event.originator_id].append(event)
    return events


def _statement(template: str, recorder: PostgresAggregateRecorder) -> Any:
    return SQL(template).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
        id_type=Identifier(recorder.datastore.originator_id_type),
    )


def _decode(mapper: Any, rows: Iterable[dict[str, Any]]) -> Iterable[Any]:
    for row in rows:
        yield mapper.to_domain_event(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
        )
