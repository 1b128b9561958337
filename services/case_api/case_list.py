"""Reading the case-list read model: caller's scope, filters, sort, keyset cursor."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, overload
from uuid import UUID

from sqlalchemy import Engine, and_, false, literal, select, tuple_

from projections.tables import case_list
from services.case_api.auth import Principal
from services.case_api.problems import invalid
from services.case_api.schemas import in_range


def encode_cursor(sort: str, at: datetime, case_id: str) -> str:
    instant = _utc(at)
    return base64.urlsafe_b64encode(f"{sort}|{instant.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str, sort: str) -> tuple[datetime, str]:
    try:
        given, at, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 2)
        if given != sort:
            raise ValueError(given)
        # Only what this API gives out: an aware instant in range and a case id (a NUL or an
        # overflowing year would otherwise reach the database and fail there).
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError(at)
        return in_range(when), str(UUID(case_id))
    except (ValueError, binascii.Error, UnicodeError):
        raise invalid(
            "the cursor is not one this API gave out for this sort order",
            [{"field": "cursor", "message": "invalid"}],
        ) from None


def _scope(principal: Principal) -> Any:
    if principal.role in ("staff", "ops"):
        return None
    if principal.role == "consumer":
        return case_list.c.consumer_id == principal.subject
    if principal.role == "store" and principal.store_ids:
        return case_list.c.store_id.in_(principal.store_ids)
    return false()


def list_cases(
    engine: Engine,
    principal: Principal,
    platform: str | None,
    store_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
    sort: str = "-created_at",
    resolution: str | None = None,
) -> dict[str, Any]:
    query = select(case_list)
    conditions = [
        c
        for c in (
            _scope(principal),
            case_list.c.platform == platform if platform else None,
            case_list.c.store_id == store_id if store_id else None,
            case_list.c.status == status if status else None,
            case_list.c.resolution == resolution if resolution else None,
        )
        if c is not None
    ]
    column = case_list.c[sort.lstrip("-")]
    descending = sort.startswith("-")
    if cursor:
        at, case_id = decode_cursor(cursor, sort)
        if engine.dialect.name == "sqlite":
            at = at.astimezone(UTC).replace(tzinfo=None)
        # A row comparison: the order's index seeks straight to the cursor (equal to the
        # `column < at OR column = at AND case_id < id` it means: neither is ever NULL).
        keys = tuple_(column, case_list.c.case_id)
        given = tuple_(literal(at, column.type), literal(case_id, case_list.c.case_id.type))
        after = keys < given if descending else keys > given
        conditions.append(after)
    if conditions:
        query = query.where(and_(*conditions))
    order = (
        (column.desc(), case_list.c.case_id.desc())
        if descending
        else (column.asc(), case_list.c.case_id.asc())
    )
    query = query.order_by(*order).limit(limit + 1)
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    items = [summary(row._mapping) for row in rows[:limit]]
    more = len(rows) > limit
    last = rows[limit - 1] if more else None
    next_cursor = encode_cursor(sort, getattr(last, column.name), last.case_id) if last else None
    return {"items": items, "next_cursor": next_cursor}


# A list item's columns, as `summary` names them (the asyncpg reads select exactly these).
SUMMARY_COLUMNS = (
    "case_id",
    "platform",
    "store_id",
    "consumer_id",
    "kind",
    "status",
    "resolution",
    "version",
    "created_at",
    "updated_at",
    "next_due_at",
)


def summary(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A list item from a row's mapping (SQLAlchemy's `_mapping`, or an asyncpg record)."""
    return {
        "id": row["case_id"],
        "platform": row["platform"],
        "store_id": row["store_id"],
        "consumer_id": row["consumer_id"],
        "kind": row["kind"],
        "status": row["status"],
        "resolution": row["resolution"],
        "version": row["version"],
        "created_at": _utc(row["created_at"]),
        "updated_at": _utc(row["updated_at"]),
        "next_due_at": _utc(row["next_due_at"]),
    }


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: datetime | None) -> datetime | None:
    """The instant in UTC, whoever read it: SQLite hands back naive datetimes (every stored
    instant is UTC), psycopg gives them in the server's TimeZone, asyncpg in UTC; so the route
    and the hot path (services.case_api.case_list_reads) write the same bytes."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
