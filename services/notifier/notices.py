"""Notices the notifier records in the event log, so that the feed and the owner's other
webhooks carry them like any other event (and they survive anything a table would not).

Each disablement is its own small aggregate whose id is derived from the endpoint and the
instant it was disabled: recording the same notice twice (a crash between writing it and
clearing `notice_pending`) is refused by the store, so the owner hears of it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event


def notice_uuid(endpoint_id: str, disabled_at: datetime) -> UUID:
    return uuid5(NAMESPACE_URL, f"redress:webhook:{endpoint_id}:{disabled_at.isoformat()}")


class EndpointNotice(Aggregate):
    """`webhook.endpoint_disabled`: an endpoint stopped receiving deliveries."""

    @event("EndpointDisabled")
    def __init__(
        self,
        endpoint_id: str,
        url: str,
        reason: str,
        store_ids: list[str] | None,
        owner: dict[str, str],
        failing_since: datetime | None,
        occurred_at: datetime,
    ) -> None:
        self.endpoint_id, self.url, self.reason = endpoint_id, url, reason
        self.store_ids, self.owner = store_ids, owner
        self.failing_since, self.occurred_at = failing_since, occurred_at

    @staticmethod
    def create_id(endpoint_id: str, occurred_at: datetime, **_: Any) -> UUID:
        return notice_uuid(endpoint_id, occurred_at)
