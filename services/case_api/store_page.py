"""What the store page shows: the certificate's history from the store's own events (warnings,
revocations, re-application bar, grants), its open cases by status from the read models, and
its first-response time week by week."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from domain.statuses import TERMINAL
from domain.store import Store
from projections.queries import Scope, percentile, stats
from projections.rows import utc
from projections.tables import case_list, case_stats
from services.application import Redress

OPEN_CASES_SHOWN = 50
TREND_WEEKS = 26
# Store events as the certificate history names them; OrderRefunded is not about it.
CERTIFICATE_EVENTS = {
    "StoreRegistered": "registered",
    "StoreWarned": "warning",
    "CertificateRevoked": "revoked",
    "CertificateGranted": "certified",
}
EVENT_FIELDS = ("certified", "case_id", "count", "reason", "reapply_after", "evidence", "actor")


def certificate_history(redress: Redress, store_id: str) -> list[dict[str, Any]]:
    """Every certificate event of the store, oldest first (StoreNotFound if unknown)."""
    redress.get_store(store_id)
    rows = []
    for event in redress.events.get(Store.create_id(store_id)):
        kind = CERTIFICATE_EVENTS.get(type(event).__name__)
        if kind is None:
            continue
        fields = vars(event)
        rows.append(
            {
                "kind": kind,
                "at": fields.get("occurred_at", fields.get("timestamp")),
                "version": event.originator_version,
                "facts": {k: fields[k] for k in EVENT_FIELDS if fields.get(k) is not None},
            }
        )
    return rows


def open_cases(connection: Connection, store_id: str) -> dict[str, Any]:
    block = stats(connection, Scope(store_ids=[store_id])).get(None)
    by_status = {
        status: count
        for status, count in (block["by_status"] if block else {}).items()
        if status not in TERMINAL and count
    }
    rows = connection.execute(
        select(case_list.c.case_id, case_list.c.status, case_list.c.kind, case_list.c.created_at)
        .where(case_list.c.store_id == store_id, case_list.c.status.not_in(TERMINAL))
        .order_by(case_list.c.created_at.desc())
        .limit(OPEN_CASES_SHOWN)
    )
    return {"by_status": by_status, "open": [dict(r._mapping) for r in rows], "stats": block}


def response_trend(connection: Connection, store_id: str, now: datetime) -> dict[str, Any]:
    """Median and 90th-percentile first response (hours) of the cases filed each week."""
    since = now - timedelta(weeks=TREND_WEEKS)
    if connection.dialect.name == "sqlite":  # stored naive UTC there
        since = since.astimezone(UTC).replace(tzinfo=None)
    weeks: dict[str, list[float]] = defaultdict(list)
    query = select(case_stats.c.submitted_at, case_stats.c.first_response_seconds).where(
        case_stats.c.store_id == store_id,
        case_stats.c.first_response_seconds.is_not(None),
        case_stats.c.submitted_at >= since,
    )
    for submitted_at, seconds in connection.execute(query):
        day = (utc(submitted_at) or now).date()
        monday = day - timedelta(days=day.weekday())
        weeks[monday.isoformat()].append(seconds / 3600)
    labels = sorted(weeks)
    ordered = [sorted(weeks[w]) for w in labels]
    return {
        "weeks": labels,
        "median_hours": [round(percentile(v, 0.5) or 0, 2) for v in ordered],
        "p90_hours": [round(percentile(v, 0.9) or 0, 2) for v in ordered],
        "cases": [len(v) for v in ordered],
    }
