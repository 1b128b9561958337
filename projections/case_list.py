"""The case list: one row per case with what lists filter and sort on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from domain.case import Case
from domain.case_events import CaseEvent, Submitted
from projections.tables import case_list

NAME = "case_list"


def _status_after(status: str, event: CaseEvent) -> str:
    """Let the domain's own event logic decide the new status, on a bare case."""
    shell = Case.__new__(Case)
    Case.__init__(shell)
    shell.status = status
    event.evolve(shell)
    return shell.status


def _next_due(event: CaseEvent) -> Any:
    return min((d["due_at"] for d in event.deadlines), default=None)


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    statuses: dict[str, str] = {}
    for event in events:
        if not isinstance(event, CaseEvent):
            continue
        case_id = str(event.originator_id)
        if isinstance(event, Submitted):
            connection.execute(
                insert(case_list).values(
                    case_id=case_id,
                    platform=event.platform,
                    store_id=event.store_id,
                    consumer_id=event.consumer_id,
                    kind=event.kind,
                    status="awaiting_store",
                    version=event.originator_version,
                    created_at=event.occurred_at,
                    updated_at=event.occurred_at,
                    next_due_at=_next_due(event),
                )
            )
            statuses[case_id] = "awaiting_store"
            continue
        status = statuses.get(case_id)
        if status is None:
            status = connection.execute(
                select(case_list.c.status).where(case_list.c.case_id == case_id)
            ).scalar_one()
        statuses[case_id] = _status_after(status, event)
        connection.execute(
            update(case_list)
            .where(case_list.c.case_id == case_id)
            .values(
                status=statuses[case_id],
                version=event.originator_version,
                updated_at=event.occurred_at,
                next_due_at=_next_due(event),
            )
        )
