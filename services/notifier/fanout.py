"""Fan-out: follow the event log and write what must go out, durably, exactly once.

For every logged event the outside world sees, one delivery row per matching subscription
(its type is wanted, its store is in the subscription's stores, it was recorded after the
subscription was made), and one outbox row per email. The rows are written by
`projections.tracking.catch_up` in the same transaction that advances the notifier's position,
so a crash can neither lose them nor write them twice.

Disabled endpoints keep receiving rows (they wait, unclaimed): when the owner recovers the
endpoint, nothing that happened while it was disabled is missing. Deleted ones receive none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import Engine

from projections.tracking import catch_up
from services.application import CaseNotFound, Redress
from services.case_visibility import reads_cases
from services.notifier.email import EmailComposer
from services.notifier.envelope import (
    ENDPOINT_DISABLED,
    Scope,
    dumps,
    envelope,
    event_id,
    event_type,
    matches,
    own_scope,
    scope_key,
)
from services.notifier.tables import (
    DELETED,
    PENDING,
    notifier_emails,
    notifier_scopes,
    utc,
    webhook_deliveries,
    webhook_endpoints,
)

log = logging.getLogger(__name__)
NAME = "notifier"
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Subscription:
    id: str
    event_types: list[str]
    store_ids: frozenset[str] | None
    created_at: datetime
    owner_role: str = "store"

    def wants(self, kind: str, scope: Scope, recorded_at: datetime) -> bool:
        if recorded_at < self.created_at or not matches(self.event_types, kind):
            return False
        if kind.startswith("case.") and not reads_cases(self.owner_role):
            return False  # its maker may not read cases (services.case_visibility)
        if kind == ENDPOINT_DISABLED and scope.subject == self.id:
            return False  # a disabled endpoint is not told through itself
        if self.store_ids is None:  # an admin's subscription: every store
            return True
        return scope.store_ids is not None and not self.store_ids.isdisjoint(scope.store_ids)


def subscriptions(connection: Connection) -> list[Subscription]:
    rows = connection.execute(
        select(webhook_endpoints).where(webhook_endpoints.c.status != DELETED)
    ).all()
    return [
        Subscription(
            r.id,
            list(r.event_types),
            None if r.store_ids is None else frozenset(r.store_ids),
            utc(r.created_at) or r.created_at,
            r.owner_role,
        )
        for r in rows
    ]


class Scopes:
    """Who may see each aggregate's events, from the notifier's own index (or the store)."""

    def __init__(self, app: Redress) -> None:
        self.app = app

    def lookup(self, connection: Connection, events: Sequence[Any]) -> dict[UUID, Scope]:
        """Scopes by `scope_key` (the aggregate, or a translation's case)."""
        found: dict[UUID, Scope] = {}
        for e in events:
            if (scope := own_scope(e)) is not None:
                found[e.originator_id] = scope
        missing = {str(scope_key(e)) for e in events if scope_key(e) not in found}
        if missing:
            for row in connection.execute(
                select(notifier_scopes).where(notifier_scopes.c.originator_id.in_(missing))
            ):
                found[UUID(row.originator_id)] = Scope(
                    row.kind, row.subject, (row.store_id,), row.consumer_id
                )
        for e in events:
            if scope_key(e) in found or event_type(e) is None:
                continue
            if (scope := self._from_store(e)) is not None:
                found[scope_key(e)] = scope
        return found

    def _from_store(self, event: Any) -> Scope | None:
        """The slow way, for aggregates created before the index was (rebuilt)."""
        try:
            if event_type(event).startswith("case."):  # type: ignore[union-attr]
                case_id = scope_key(event)
                _platform, store_id, consumer_id = self.app.case_header(case_id)
                return Scope("case", str(case_id), (store_id,), consumer_id)
            store: Any = self.app.repository.get(event.originator_id)
            return Scope("store", store.store_id, (store.store_id,))
        except (CaseNotFound, AggregateNotFoundError):
            log.warning("no aggregate %s for event %s", event.originator_id, event_id(event))
            return None


def remember(connection: Connection, events: Sequence[Any]) -> None:
    """Index the scope of every case and store created in this batch."""
    rows = []
    for e in events:
        scope = own_scope(e)
        if scope is not None and scope.kind in ("case", "store") and scope.store_ids:
            rows.append(
                {
                    "originator_id": str(e.originator_id),
                    "kind": scope.kind,
                    "subject": scope.subject,
                    "store_id": scope.store_ids[0],
                    "consumer_id": scope.consumer_id,
                }
            )
    if rows:
        connection.execute(insert(notifier_scopes), rows)


class FanOut:
    def __init__(self, app: Redress, clock: Clock, emails: EmailComposer | None = None) -> None:
        self.app, self.clock, self.emails = app, clock, emails
        self.scopes = Scopes(app)

    def run(self, engine: Engine) -> int:
        """Fan out everything logged since the last run; returns how many events were read."""
        return catch_up(engine, self.app, NAME, self.apply)

    def apply(self, connection: Connection, events: Sequence[Any]) -> None:
        remember(connection, events)
        visible = [e for e in events if event_type(e) is not None]
        if not visible:
            return
        scopes = self.scopes.lookup(connection, visible)
        subs = subscriptions(connection)
        now = self.clock()
        deliveries: list[dict[str, Any]] = []
        mails: list[dict[str, Any]] = []
        for e in visible:
            scope = scopes.get(scope_key(e))
            if scope is None:
                continue
            kind = str(event_type(e))
            wanted = [s for s in subs if s.wants(kind, scope, e.timestamp)]
            if wanted:
                body = dumps(envelope(e, scope)).decode()
                deliveries.extend(self._delivery(s.id, e, kind, scope, body, now) for s in wanted)
            if self.emails is not None:
                mails.extend(self.emails.compose(e, scope, now))
        if deliveries:
            connection.execute(insert(webhook_deliveries), deliveries)
        if mails:
            connection.execute(insert(notifier_emails), mails)

    @staticmethod
    def _delivery(
        endpoint_id: str, event: Any, kind: str, scope: Scope, body: str, now: datetime
    ) -> dict[str, Any]:
        return {
            "endpoint_id": endpoint_id,
            "event_id": event_id(event),
            "event_type": kind,
            "subject": scope.subject,
            "payload": body,
            "status": PENDING,
            "attempts": 0,
            "retry_step": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
