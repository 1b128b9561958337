"""Reading the case-list read model: caller's scope, filters, keyset cursor (newest first)."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, false, or_, select

from projections.tables import case_list
from services.case_api.auth import Principal
from services.case_api.problems import Problem


def encode_cursor(created_at: datetime, case_id: str) -> str:
    return base64.urlsafe_b64encode(f"{created_at.isoformat()}|{case_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, case_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), case_id
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Problem(
            422,
            "Invalid Request",
            "the cursor is not one this API gave out",
            slug="validation",
            errors=[{"field": "cursor", "message": "invalid"}],
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
) -> dict[str, Any]:
    query = select(case_list)
    conditions = [
        c
        for c in (
            _scope(principal),
            case_list.c.platform == platform if platform else None,
            case_list.c.store_id == store_id if store_id else None,
            case_list.c.status == status if status else None,
        )
        if c is not None
    ]
    if cursor:
        created_at, case_id = decode_cursor(cursor)
        if engine.dialect.name == "sqlite":
            created_at = created_at.astimezone(UTC).replace(tzinfo=None)
        conditions.append(
            or_(
                case_list.c.created_at < created_at,
                and_(case_list.c.created_at == created_at, case_list.c.case_id < case_id),
            )
        )
    if conditions:
        query = query.where(and_(*conditions))
    query = query.order_by(case_list.c.created_at.desc(), case_list.c.case_id.desc()).limit(
        limit + 1
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    items = [_summary(row) for row in rows[:limit]]
    more = len(rows) > limit
    next_cursor = (
        encode_cursor(rows[limit - 1].created_at, rows[limit - 1].case_id) if more else None
    )
    return {"items": items, "next_cursor": next_cursor}


def _summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.case_id,
        "platform": row.platform,
        "store_id": row.store_id,
        "consumer_id": row.consumer_id,
        "kind": row.kind,
        "status": row.status,
        "version": row.version,
        "created_at": _aware(row.created_at),
        "updated_at": _aware(row.updated_at),
        "next_due_at": _aware(row.next_due_at),
    }


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
