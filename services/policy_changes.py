"""What a policy change would move, before it is made: every open case of the platform whose
pending deadlines would fall due at another time under the new version. Nothing is recorded.

Open cases come from the case list read model (so a case filed in the last second may be
missing); each one's deadlines are worked out from its own history in the event store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, select

from domain.policies.schema import Policy
from domain.statuses import TERMINAL
from projections.tables import case_list
from services.application import Redress


def open_cases(engine: Engine, platform: str) -> list[UUID]:
    query = (
        select(case_list.c.case_id)
        .where(case_list.c.platform == platform, case_list.c.status.not_in(sorted(TERMINAL)))
        .order_by(case_list.c.created_at, case_list.c.case_id)
    )
    with engine.connect() as connection:
        return [UUID(row.case_id) for row in connection.execute(query)]


def what_if(redress: Redress, engine: Engine, new: Policy, now: datetime) -> dict[str, Any]:
    """The open cases whose pending deadlines would move under `new`, and how."""
    affected = []
    for case_id in open_cases(engine, new.platform):
        moved = redress.moved_deadlines(case_id, new, now)
        if moved:
            affected.append({"case_id": str(case_id), "deadlines": moved})
    return {"platform": new.platform, "at": now, "cases": affected}
