"""The event feed: CloudEvents over all history, in the caller's scope, cursor-paged.

The cursor is a position in the event log (a notification id). A page reads the log after it,
keeps what the caller may see, and stops at `limit` events, at the head of the log, or after
`MAX_SCAN` notifications (a caller who sees little of a busy log then gets a short or empty
page and a cursor further on, with `has_more`). Pages never overlap and never skip.

A page may be read on a streaming replica (`engine` other than the primary's). Commits to the
log take its table lock, so notification ids become visible in order, and a replica, which
replays commits in order, holds a prefix of the primary's log: a page read there after one
read on the primary is at worst empty, with the cursor where it was, never past an event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from services.application import Redress
from services.case_visibility import may_see_case
from services.eventstore.log_pages import Log, ReplicaLog
from services.notifier.envelope import Scope, envelope, event_type, scope_key
from services.notifier.fanout import Scopes

CHUNK = 500
MAX_SCAN = 10_000


def visible(role: str, subject: str, store_ids: Sequence[str], kind: str, scope: Scope) -> bool:
    """A case's events: as `GET /v1/cases/{id}` allows (services.case_visibility). Store
    records and endpoint notices: a store key its own stores'; staff, ops and admin all."""
    if scope.kind == "case" or kind.startswith("case."):
        store_id = scope.store_ids[0] if scope.store_ids else ""
        return may_see_case(role, subject, store_ids, store_id, scope.consumer_id)
    if role in ("staff", "ops", "admin"):
        return True
    if role == "store":
        return scope.store_ids is not None and not set(scope.store_ids).isdisjoint(store_ids)
    return False


class Feed:
    def __init__(self, app: Redress, engine: Engine) -> None:
        self.app, self.engine = app, engine
        self.scopes = Scopes(app)

    def page(
        self,
        role: str,
        subject: str,
        store_ids: Sequence[str],
        after: int,
        limit: int,
        engine: Engine | None = None,
    ) -> dict[str, Any]:
        """One page, read through `engine` (a read replica's) or else the primary's."""
        engine = engine or self.engine
        log: Log = self.app.recorder if engine is self.engine else ReplicaLog(engine, self.app)
        head = log.max_notification_id() or 0
        items: list[dict[str, Any]] = []
        position, scanned = after, 0
        while len(items) < limit and scanned < MAX_SCAN and position < head:
            notifications = log.select_notifications(start=position + 1, limit=CHUNK)
            if not notifications:
                break
            scanned += len(notifications)
            events = [(n.id, self.app.mapper.to_domain_event(n)) for n in notifications]
            with engine.connect() as connection:
                scopes = self.scopes.lookup(
                    connection, [e for _, e in events if event_type(e) is not None]
                )
            for notification_id, event in events:
                position = notification_id
                kind, scope = event_type(event), scopes.get(scope_key(event))
                if kind and scope and visible(role, subject, store_ids, kind, scope):
                    items.append(envelope(event, scope))
                    if len(items) == limit:
                        break
        return {"items": items, "next_cursor": str(position), "has_more": position < head}
