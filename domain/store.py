"""The Store aggregate: registration, certification, warnings and revocation.

`react_to_case` is the process that keeps a store's record in step with its cases: a Biggrey
warning on a case warns the store, and the third warning since its certificate was granted
revokes it (the store may re-apply at once, documenting its fixes). A purchase-protection
payout without an internal settlement revokes it too, and bars re-application for twelve
months from the revocation. Staff may also warn, revoke (for cheating) and grant by hand.
Penalties come only from deadlines that fell due after the case was recorded in Redress: an
imported case's overdue deadlines are recorded on it, but never counted against the store.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.calendar import months_later
from domain.errors import NotAllowedInStatus, NotYetAllowed
from domain.languages import default_language

if TYPE_CHECKING:
    from domain.case import Case

WARNINGS_BEFORE_REVOCATION = 3
REAPPLY_AFTER_MONTHS = 12


def store_uuid(store_id: str) -> UUID:
    """Stores are named by their platform's id; the event store wants a UUID."""
    return uuid5(NAMESPACE_URL, f"redress:store:{store_id}")


class Store(Aggregate):
    class StoreRegistered(Aggregate.Created):
        """Version 2 added `subdivision` (its holidays region), `language` (its preferred
        language; None: its country's) and `contact_hours` (["08:00", "20:00"]; None: the
        policy's)."""

        class_version = 2

        store_id: str
        platform: str
        name: str
        certified: bool
        country: str
        timezone: str
        occurred_at: datetime
        actor: dict[str, str]
        subdivision: str | None
        language: str | None
        contact_hours: list[str] | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # Stores registered before then named no subdivision, language or contact hours.
            state["subdivision"] = state["language"] = state["contact_hours"] = None

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
        subdivision: str | None = None,
        language: str | None = None,
        contact_hours: list[str] | None = None,
    ) -> None:
        self.store_id, self.platform, self.name = store_id, platform, name
        self.certified, self.country, self.timezone = certified, country, timezone
        self.subdivision, self.language = subdivision, language
        self.contact_hours_given = contact_hours
        self.registered_at = occurred_at
        self.warnings: list[dict[str, Any]] = []
        self.warnings_since_certified = 0  # a certificate granted again starts a fresh count
        self.reapply_after: datetime | None = None
        self.revocation_reason: str | None = None
        self.refunded_orders: dict[str, str] = {}  # order reference → the case that refunded it

    @staticmethod
    def create_id(store_id: str) -> UUID:
        return store_uuid(store_id)

    @property
    def contact_hours(self) -> tuple[time, time] | None:
        """When mail reaches the store's people (local time), if it registered its own."""
        given = self.contact_hours_given
        return (time.fromisoformat(given[0]), time.fromisoformat(given[1])) if given else None

    @property
    def preferred_language(self) -> str:
        """The language chosen at registration, else the main language of its country."""
        return self.language or default_language(self.country)

    def warn(
        self,
        case_id: str | None,
        occurred_at: datetime,
        actor: dict[str, str],
        reason: str | None = None,
    ) -> None:
        """A warning (a missed deadline on a case, or staff's by hand); the third since the
        certificate was granted revokes it, with no bar on re-applying."""
        self._warned(case_id, len(self.warnings) + 1, occurred_at, actor, reason)
        if self.certified and self.warnings_since_certified >= WARNINGS_BEFORE_REVOCATION:
            self.revoke("three_warnings", occurred_at, actor)

    def revoke(
        self, reason: str, occurred_at: datetime, actor: dict[str, str], *, bar: bool = False
    ) -> None:
        """Revoke the certificate; `bar`: no re-application for twelve months from now."""
        if not self.certified:
            raise NotAllowedInStatus("the store holds no certificate to revoke")
        reapply_after = months_later(occurred_at, REAPPLY_AFTER_MONTHS) if bar else None
        self._revoked(reason, reapply_after, occurred_at, actor)

    def certify(
        self, occurred_at: datetime, actor: dict[str, str], evidence: str | None = None
    ) -> None:
        """Grant a certificate (again); the count of warnings starts afresh."""
        if self.certified:
            raise NotAllowedInStatus("the store is already certified")
        if self.reapply_after is not None and occurred_at < self.reapply_after:
            raise NotYetAllowed(
                f"the store may re-apply for a certificate only after "
                f"{self.reapply_after.isoformat()}"
            )
        self._certified(occurred_at, actor, evidence)

    @event("OrderRefunded")
    def record_refunded_order(self, order_reference: str, case_id: str) -> None:
        """A case on this order ended with a refund (kept where a platform bars a second
        return on a refunded order)."""
        self.refunded_orders[order_reference] = case_id

    @event("StoreWarned")
    def _warned(
        self,
        case_id: str | None,
        count: int,
        occurred_at: datetime,
        actor: dict[str, str],
        reason: str | None = None,  # added later: older warnings came from cases only
    ) -> None:
        self.warnings.append(
            {"case_id": case_id, "count": count, "at": occurred_at, "reason": reason}
        )
        self.warnings_since_certified += 1

    @event("CertificateRevoked")
    def _revoked(
        self,
        reason: str,
        reapply_after: datetime | None,
        occurred_at: datetime,
        actor: dict[str, str],
    ) -> None:
        self.certified, self.revocation_reason, self.reapply_after = False, reason, reapply_after

    @event("CertificateGranted")
    def _certified(
        self,
        occurred_at: datetime,
        actor: dict[str, str],
        evidence: str | None = None,  # added later: older grants carried none
    ) -> None:
        self.certified, self.revocation_reason = True, None
        self.warnings_since_certified = 0
        self.certification_evidence = evidence

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.store_id,
            "platform": self.platform,
            "name": self.name,
            "certified": self.certified,
            "country": self.country,
            "subdivision": self.subdivision,
            "timezone": self.timezone,
            "language": self.preferred_language,
            "contact_hours": self.contact_hours_given,
            "warnings": self.warnings_since_certified,
            "warnings_total": len(self.warnings),
            "reapply_after": self.reapply_after,
            "revocation_reason": self.revocation_reason,
            "version": self.version,
        }


STORE_EVENTS = frozenset({"Warned", "Refunded"})  # case events a store always reacts to


def concerns_store(events: Iterable[Any], tracks_refunded_orders: bool) -> bool:
    """Whether a case's new events change its store's record (so they are saved together)."""
    return any(
        type(e).__name__ in STORE_EVENTS
        or (tracks_refunded_orders and e.resolution_recorded is not None)
        for e in events
    )


def react_to_case(
    store: Store, case: Case, events: Iterable[Any], *, tracks_refunded_orders: bool = False
) -> bool:
    """Apply a case's new events to its store's record. Returns True if the store changed.
    Only deadlines that fell due after the case was recorded here count against the store;
    a bar counts from when it is imposed (the event's recording). Where the platform bars a
    second return on a refunded order, a case ending with a refund is remembered."""
    events = list(events)
    changed = False
    ended = any(e.resolution_recorded is not None for e in events)
    if tracks_refunded_orders and ended and case.refunds:
        store.record_refunded_order(str(case.order["reference"]), str(case.id))
        changed = True
    for case_event in events:
        name = type(case_event).__name__
        if case_event.occurred_at < case.created_on:  # overdue at an import: no penalty
            continue
        if name == "Warned":
            store.warn(str(case.id), case_event.occurred_at, case_event.actor)
            changed = True
        elif (
            name == "Refunded"
            and case_event.reason == "purchase_protection"
            and case.settlement is None
            and store.certified
        ):
            store.revoke(
                "protection_payout_without_settlement",
                case_event.timestamp,
                case_event.actor,
                bar=True,
            )
            changed = True
    return changed
