"""The Store aggregate: registration, certification, warnings and revocation.

`react_to_case` is the process that keeps a store's record in step with its cases: a Biggrey
warning on a case warns the store; three warnings, or a purchase-protection payout (which
happens only when no internal settlement was reached), revoke the certificate, with no
re-application for twelve months.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import NotAllowedInStatus, NotYetAllowed
from domain.languages import default_language

WARNINGS_BEFORE_REVOCATION = 3
REAPPLY_AFTER_MONTHS = 12


def store_uuid(store_id: str) -> UUID:
    """Stores are named by their platform's id; the event store wants a UUID."""
    return uuid5(NAMESPACE_URL, f"redress:store:{store_id}")


def months_later(instant: datetime, months: int) -> datetime:
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


class Store(Aggregate):
    class StoreRegistered(Aggregate.Created):
        """Version 2 added `language`, the store's preferred language (None: its country's)."""

        class_version = 2

        store_id: str
        platform: str
        name: str
        certified: bool
        country: str
        timezone: str
        occurred_at: datetime
        actor: dict[str, str]
        language: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["language"] = None  # stores registered before then chose no language

    @event(StoreRegistered)
    def __init__(
        self,
        store_id: str,
        platform: str,
        name: str,
        certified: bool,
        country: str,
        timezone: str,
        occurred_at: datetime,
        actor: dict[str, str],
        language: str | None = None,
    ) -> None:
        self.store_id, self.platform, self.name = store_id, platform, name
        self.certified, self.country, self.timezone = certified, country, timezone
        self.language = language
        self.registered_at = occurred_at
        self.warnings: list[dict[str, Any]] = []
        self.warnings_since_certified = 0  # a certificate granted again starts a fresh count
        self.reapply_after: datetime | None = None
        self.revocation_reason: str | None = None

    @staticmethod
    def create_id(store_id: str) -> UUID:
        return store_uuid(store_id)

    @property
    def preferred_language(self) -> str:
        """The language chosen at registration, else the main language of its country."""
        return self.language or default_language(self.country)

    def warn(self, case_id: str, occurred_at: datetime, actor: dict[str, str]) -> None:
        """A warning for a missed deadline; the third one costs a Biggrey certificate."""
        self._warned(case_id, len(self.warnings) + 1, occurred_at, actor)
        if self.certified and self.warnings_since_certified >= WARNINGS_BEFORE_REVOCATION:
            self.revoke("three_warnings", occurred_at, actor)

    def revoke(self, reason: str, occurred_at: datetime, actor: dict[str, str]) -> None:
        if not self.certified:
            raise NotAllowedInStatus("the store holds no certificate to revoke")
        self._revoked(reason, months_later(occurred_at, REAPPLY_AFTER_MONTHS), occurred_at, actor)

    def certify(self, occurred_at: datetime, actor: dict[str, str]) -> None:
        if self.certified:
            raise NotAllowedInStatus("the store is already certified")
        if self.reapply_after is not None and occurred_at < self.reapply_after:
            raise NotYetAllowed(
                f"the store may re-apply for a certificate only after "
                f"{self.reapply_after.isoformat()}"
            )
        self._certified(occurred_at, actor)

    @event("StoreWarned")
    def _warned(
        self, case_id: str, count: int, occurred_at: datetime, actor: dict[str, str]
    ) -> None:
        self.warnings.append({"case_id": case_id, "count": count, "at": occurred_at})
        self.warnings_since_certified += 1

    @event("CertificateRevoked")
    def _revoked(
        self, reason: str, reapply_after: datetime, occurred_at: datetime, actor: dict[str, str]
    ) -> None:
        self.certified, self.revocation_reason, self.reapply_after = False, reason, reapply_after

    @event("CertificateGranted")
    def _certified(self, occurred_at: datetime, actor: dict[str, str]) -> None:
        self.certified, self.revocation_reason = True, None
        self.warnings_since_certified = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.store_id,
            "platform": self.platform,
            "name": self.name,
            "certified": self.certified,
            "country": self.country,
            "timezone": self.timezone,
            "language": self.preferred_language,
            "warnings": len(self.warnings),
            "reapply_after": self.reapply_after,
            "revocation_reason": self.revocation_reason,
            "version": self.version,
        }


def react_to_case(store: Store, case_id: str, events: Iterable[Any]) -> bool:
    """Apply a case's new events to its store's record. Returns True if the store changed."""
    changed = False
    for case_event in events:
        name = type(case_event).__name__
        if name == "Warned":
            store.warn(case_id, case_event.occurred_at, case_event.actor)
            changed = True
        elif name == "Refunded" and case_event.reason == "purchase_protection" and store.certified:
            store.revoke(
                "protection_payout_without_settlement", case_event.occurred_at, case_event.actor
            )
            changed = True
    return changed
