"""A list item and its cursor write every instant in UTC, whichever driver read it: psycopg
gives the server's TimeZone, asyncpg UTC, SQLite naive UTC (the route and the hot path must
answer the same bytes)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.case_api.case_list import decode_cursor, encode_cursor, summary

CASE_ID = "5f0c1d52-8a3e-4a7b-9a55-2a1d6c0e9b11"
INSTANT = datetime(2026, 12, 6, 8, 30, tzinfo=UTC)


def _row(at: datetime) -> dict[str, object]:
    return {
        "case_id": CASE_ID,
        "platform": "bigben",
        "store_id": "s-1",
        "consumer_id": "u-1",
        "kind": "complaint",
        "status": "awaiting_store",
        "resolution": None,
        "version": 1,
        "created_at": at,
        "updated_at": at,
        "next_due_at": None,
    }


def test_an_item_reads_the_same_from_every_driver() -> None:
    read_as = [
        INSTANT,  # asyncpg
        INSTANT.astimezone(ZoneInfo("Asia/Shanghai")),  # psycopg, a server in Shanghai
        INSTANT.replace(tzinfo=None),  # SQLite
    ]
    items = [summary(_row(at)) for at in read_as]
    assert items[0]["created_at"] == INSTANT and items[0]["created_at"].utcoffset().seconds == 0
    for item in items:
        assert item == items[0]
        assert str(item["updated_at"]) == str(INSTANT)


def test_a_cursor_reads_the_same_from_every_driver() -> None:
    cursors = {
        encode_cursor("-created_at", at, CASE_ID)
        for at in (
            INSTANT,
            INSTANT.astimezone(ZoneInfo("Europe/Paris")),
            INSTANT.replace(tzinfo=None),
        )
    }
    assert len(cursors) == 1
    assert decode_cursor(cursors.pop(), "-created_at") == (INSTANT, CASE_ID)
