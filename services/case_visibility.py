"""Who may see a case: one rule for `GET /v1/cases/{id}`, the event feed and webhooks.

A consumer sees its own cases, a store key the cases of its stores, staff every case. Admin and
ops keys manage the service, not disputes: they read no case, so neither the feed nor an admin's
webhook subscription carries them a case's events (they do get store records and endpoint
notices). A subscription sees what its maker's role may see, within the stores it names.
"""

from __future__ import annotations

from collections.abc import Collection

CASE_READERS = frozenset({"consumer", "store", "staff"})


def may_see_case(
    role: str, subject: str, store_ids: Collection[str], store_id: str, consumer_id: str | None
) -> bool:
    if role == "staff":
        return True
    if role == "consumer":
        return consumer_id == subject
    if role == "store":
        return store_id in store_ids
    return False


def reads_cases(role: str) -> bool:
    """Whether a key of this role may see any case at all."""
    return role in CASE_READERS
