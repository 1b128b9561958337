"""What a batch of texts needs from the event store, in few queries: the events holding the
texts, and the cases' translations aggregates. On PostgreSQL one query each (a batch spans
up to a hundred cases); on SQLite, the application's own reads one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from domain.translations import Translations, translations_uuid
from services.application import Redress
from services.eventstore import bulk_get


def source_events(app: Redress, wanted: Sequence[tuple[UUID, int]]) -> dict[tuple[UUID, int], Any]:
    """The case events holding texts, by (case id, version)."""
    if bulk_get.supports(app):
        return bulk_get.events_at(app, wanted)
    found = {}
    for case_id, version in set(wanted):
        for event in app.events.get(case_id, gt=version - 1, lte=version):
            found[(case_id, version)] = event
    return found


def translations_of(app: Redress, case_ids: Sequence[str]) -> dict[str, Translations]:
    """The translations aggregates that exist for these cases, by case id (private copies)."""
    ids = {translations_uuid(UUID(c)): c for c in case_ids}
    return {ids[k]: v for k, v in app.get_many(list(ids)).items()}  # those with none left out
