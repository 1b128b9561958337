"""Store scorecards: each store's certification, warnings and revocations, from the Store
aggregate's events. Response times come from the `case_stats` rows of the store's cases and
are joined at read time (see `projections.queries`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.domain import Aggregate
from sqlalchemy import Connection

from domain.store import Store
from projections.rows import DatabaseRows, Row, RowStore
from projections.tables import store_scorecards

NAME = "store_scorecards"
TABLES = (store_scorecards,)
MUTABLE = ("certified", "warnings", "revocations", "revocation_reason", "reapply_after")


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    fold(DatabaseRows(connection), events)


def fold(rows: RowStore, events: Sequence[Any]) -> None:
    store_events = [e for e in events if isinstance(e, Store.Event)]
    if not store_events:
        return
    known = rows.load(
        store_scorecards,
        store_scorecards.c.store_uuid,
        (str(e.originator_id) for e in store_events),
    )
    new: dict[str, Row] = {}
    changed: dict[str, Row] = {}
    for event in store_events:
        key = str(event.originator_id)
        if isinstance(event, Aggregate.Created):
            new[key] = _registered(key, event)
            continue
        row = new.get(key) or changed.get(key)
        if row is None:
            row = changed[key] = dict(known[key])
        _evolve(row, event)
    rows.insert(store_scorecards, list(new.values()))
    rows.update(
        store_scorecards,
        ["store_id"],
        [{"store_id": row["store_id"], **{c: row[c] for c in MUTABLE}} for row in changed.values()],
    )


def _registered(key: str, event: Any) -> Row:
    return {
        "store_id": event.store_id,
        "store_uuid": key,
        "platform": event.platform,
        "name": event.name,
        "country": event.country,
        "certified": event.certified,
        "warnings": 0,
        "revocations": 0,
        "revocation_reason": None,
        "reapply_after": None,
        "registered_at": event.occurred_at,
    }


def _evolve(row: Row, event: Any) -> None:
    match type(event).__name__:
        case "StoreWarned":
            row["warnings"] += 1
        case "CertificateRevoked":
            row.update(
                certified=False,
                revocations=row["revocations"] + 1,
                revocation_reason=event.reason,
                reapply_after=event.reapply_after,
            )
        case "CertificateGranted":
            row.update(certified=True, revocation_reason=None)
