"""What the case projections share: a batch's case events with their ids, and each case's
status as the domain's own event logic decides it."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from domain.case import Case
from domain.case_events import CaseEvent, Submitted

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
    """Each case's status through one batch: its events evolve a bare case, one per case,
    which starts from the status the read model holds."""

    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}

    def after(self, case_id: str, status: str, event: CaseEvent) -> str:
        case = self._cases.get(case_id)
        if case is None:
            case = self._cases[case_id] = Case.__new__(Case)
            Case.__init__(case)
            case.status = status
        event.evolve(case)
        return case.status
