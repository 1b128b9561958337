"""Every read model this package maintains, by name."""

from __future__ import annotations

from collections.abc import Iterable

from projections import case_list, case_stats, stores
from projections.tables import refund_totals
from projections.tracking import Projection, Totals

PROJECTIONS = (
    Projection(case_list.NAME, case_list.apply_events, case_list.TABLES, case_list.fold),
    Projection(
        case_stats.NAME,
        case_stats.apply_events,
        case_stats.TABLES,
        case_stats.fold,
        totals=(Totals(refund_totals, case_stats.add_up_refunds),),
    ),
    Projection(stores.NAME, stores.apply_events, stores.TABLES, stores.fold),
)
NAMES = tuple(p.name for p in PROJECTIONS)


class UnknownProjection(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no projection {name!r} (known: {', '.join(NAMES)})")
        self.name = name


def named(names: Iterable[str] | None = None) -> list[Projection]:
    """The projections called `names` (all of them when None), in registry order."""
    if names is None:
        return list(PROJECTIONS)
    wanted = set(names)
    for name in wanted - set(NAMES):
        raise UnknownProjection(name)
    return [p for p in PROJECTIONS if p.name in wanted]
