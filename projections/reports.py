"""What the statistics endpoints and the dashboard show, read from one consistent snapshot of
the read models, with the log position it reflects."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy import case as when

from domain.policies import PLATFORMS
from domain.statuses import TERMINAL
from projections import queries
from projections.queries import ALL, Scope
from projections.tables import case_stats

Report = dict[str, Any]


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A read-only connection whose queries all see the same committed state, so the
    position reported is exactly the one the figures reflect."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            connection.exec_driver_sql("BEGIN")  # a read transaction: one WAL snapshot
        try:
            yield connection
        finally:
            connection.rollback()


def overview(connection: Connection, now: datetime, platform: str | None = None) -> Report:
    scope = Scope(platform) if platform else ALL
    return {
        "position": queries.position(connection, queries.STORE_READ_MODELS),
        "platform": platform,
        "stats": queries.stats(connection, scope).get(None) or queries.empty_stats(),
        **queries.store_counts(connection, scope),
        "deadlines_at_risk": queries.deadlines_at_risk(connection, now, scope),
    }


def platforms(connection: Connection) -> Report:
    """Every platform, those without cases too."""
    blocks = queries.stats(connection, by="platform")
    return {
        "position": queries.position(connection, queries.STATS_READ_MODELS),
        "items": [
            {"platform": name, **(blocks.get(name) or queries.empty_stats())} for name in PLATFORMS
        ],
    }


class BadCursor(ValueError):
    pass


def encode_cursor(store_id: str) -> str:
    return base64.urlsafe_b64encode(store_id.encode()).decode()


def decode_cursor(cursor: str) -> str:
    try:
        store_id = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(cursor) from None
    if "\x00" in store_id:  # no store id has one, and PostgreSQL text cannot hold it
        raise BadCursor(cursor)
    return store_id


def stores(
    connection: Connection, platform: str | None, limit: int, cursor: str | None = None
) -> Report:
    """Store scorecards in id order, a page at a time."""
    after = decode_cursor(cursor) if cursor else None
    cards = queries.scorecards(connection, platform, limit + 1, after)
    more = len(cards) > limit
    return {
        "position": queries.position(connection, queries.STORE_READ_MODELS),
        "items": cards[:limit],
        "next_cursor": encode_cursor(cards[limit - 1]["store_id"]) if more else None,
    }


def needing_attention(connection: Connection, platform: str | None, limit: int) -> list[Report]:
    """The stores with the most SLA-breached cases, then the most open ones."""
    c = case_stats.c
    breached = func.sum(when((queries.BREACHED, 1), else_=0))
    open_cases = func.sum(when((c.status.in_(sorted(TERMINAL)), 0), else_=1))
    ranked = (
        select(c.store_id)
        .where(Scope(platform).on(case_stats))
        .group_by(c.store_id)
        .order_by(breached.desc(), open_cases.desc(), c.store_id)
        .limit(limit)
    )
    ids = [row[0] for row in connection.execute(ranked)]
    cards = {card["store_id"]: card for card in queries.scorecards_of(connection, ids)}
    return [cards[store_id] for store_id in ids if store_id in cards]
