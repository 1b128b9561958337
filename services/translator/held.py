"""The cases' translations aggregates a translator has read or recorded, kept between batches.

Reading a case's translations from the store replays all its events: on a busy case, every
batch would replay a growing stream twice (to skip texts already settled, then to record).
Held copies are brought up to date instead, reading only the events after their version
(another replica may have recorded some): one query for a batch, usually returning nothing.

A held copy only ever reflects stored events: outcomes are settled on a private copy, which
replaces the held one once saved. So a text a held copy calls settled is settled for good,
and a failed save leaves nothing behind to forget.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from copy import deepcopy

from domain.translations import Translations
from services.application import Redress
from services.eventstore import bulk_get
from services.translator import reads

KEPT = 20_000  # cases held; beyond, start again (a replay costs time only)


class HeldTranslations:
    def __init__(self, app: Redress, kept: int = KEPT) -> None:
        self.app, self.kept = app, kept
        self._held: dict[str, Translations] = {}
        self._lock = threading.Lock()  # batches read while another records

    def as_known(self, case_ids: Sequence[str]) -> dict[str, Translations]:
        """The cases' translations as last seen (read only; those not held are read). Good
        to skip what is settled: a settled text stays settled."""
        with self._lock:
            found = {c: self._held[c] for c in case_ids if c in self._held}
        missing = [c for c in case_ids if c not in found]
        if missing:
            read = reads.translations_of(self.app, missing)
            self._keep(read)
            found.update(read)
        return found

    def current(self, case_ids: Sequence[str]) -> dict[str, Translations]:
        """Private, up-to-date copies of the cases' translations that exist, to record on."""
        with self._lock:
            held = {c: self._held[c] for c in case_ids if c in self._held}
        found = {c: deepcopy(t) for c, t in held.items()}
        _bring_up_to_date(self.app, list(found.values()))
        missing = [c for c in case_ids if c not in found]
        if missing:
            found.update(reads.translations_of(self.app, missing))
        return found

    def saved(self, translations: Sequence[Translations]) -> None:
        """Hold these copies, just saved (their events are stored)."""
        self._keep({str(t.case_id): t for t in translations})

    def _keep(self, found: dict[str, Translations]) -> None:
        with self._lock:
            if len(self._held) + len(found) > self.kept:
                self._held.clear()
            for case_id, translations in found.items():
                held = self._held.get(case_id)
                if held is None or held.version <= translations.version:
                    self._held[case_id] = translations


def _bring_up_to_date(app: Redress, copies: list[Translations]) -> None:
    """Apply to each copy the events stored after its version."""
    if not copies:
        return
    if bulk_get.supports(app):
        newer = bulk_get.events_after(app, {t.id: t.version for t in copies})
        for copy in copies:
            for event in newer.get(copy.id, ()):
                event.mutate(copy)
        return
    for copy in copies:
        for stored in app.events.get(copy.id, gt=copy.version):
            stored.mutate(copy)  # type: ignore[attr-defined]  # the library's own events
