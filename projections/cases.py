"""What the case projections share: a batch's case events with their ids, and each case's
status and resolution as the domain's own event logic decides them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from domain.case import Case
from domain.case_events import CaseEvent, Submitted
from projections.rows import Row

Keyed = list[tuple[str, CaseEvent]]


class _LastBatch(threading.local):
    def __init__(self) -> None:
        self.events: tuple[Any, ...] = ()  # held, so its identity is not reused
        self.keyed: Keyed = []


_last = _LastBatch()


def case_events(events: Sequence[Any]) -> Keyed:
    """The case events of a batch, each with its case id as text. A rebuild hands the case
    list and the case statistics the same batch, as a tuple (which cannot change): the answer
    for it is worked out once."""
    if events is _last.events:
        return _last.keyed
    keyed = [(str(e.originator_id), e) for e in events if isinstance(e, CaseEvent)]
    if isinstance(events, tuple):
        _last.events, _last.keyed = events, keyed
    return keyed


def earlier_cases(events: Keyed) -> set[str]:
    """Cases these events change that were filed before them (so they have rows already)."""
    filed = {case_id for case_id, e in events if isinstance(e, Submitted)}
    return {case_id for case_id, _ in events} - filed


class Statuses:
    """Each case's status and resolution through one batch: its events evolve a bare case, one
    per case, which starts from what the read model holds: the row's `status` and
    `resolution`, and whether staff have had the case (`escalated`, which a projection reads
    from its row its own way: a rejection returns an escalated case to staff)."""

    def __init__(self, escalated: Callable[[Row], bool]) -> None:
        self._cases: dict[str, Case] = {}
        self._escalated = escalated

    def after(self, case_id: str, row: Row, event: CaseEvent) -> None:
        """Evolve the case by `event`; set the row's `status` and `resolution`."""
        case = self._cases.get(case_id)
        if case is None:
            case = self._cases[case_id] = Case.__new__(Case)
            Case.__init__(case)
            case.status, case.resolution = row["status"], row["resolution"]
            case.escalated = self._escalated(row)
        event.evolve(case)
        row["status"], row["resolution"] = case.status, case.resolution
