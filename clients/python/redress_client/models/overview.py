from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.deadlines_at_risk import DeadlinesAtRisk
    from ..models.stats import Stats


T = TypeVar("T", bound="Overview")


@_attrs_define
class Overview:
    """
    Attributes:
        behind (int): events logged but not yet in the figures (head − position)
        certified_stores (int):
        deadlines_at_risk (DeadlinesAtRisk):
        generated_at (datetime.datetime):
        head (int): the last position in the event log when answered
        platform (None | str): the platform filter, if any
        position (int): the last event-log position the figures reflect
        stats (Stats):
        stores (int):
    """

    behind: int
    certified_stores: int
    deadlines_at_risk: DeadlinesAtRisk
    generated_at: datetime.datetime
    head: int
    platform: None | str
    position: int
    stats: Stats
    stores: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        behind = self.behind

        certified_stores = self.certified_stores

        deadlines_at_risk = self.deadlines_at_risk.to_dict()

        generated_at = self.generated_at.isoformat()

        head = self.head

        platform: None | str
        platform = self.platform

        position = self.position

        stats = self.stats.to_dict()

        stores = self.stores

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "behind": behind,
                "certified_stores": certified_stores,
                "deadlines_at_risk": deadlines_at_risk,
                "generated_at": generated_at,
                "head": head,
                "platform": platform,
                "position": position,
                "stats": stats,
                "stores": stores,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.deadlines_at_risk import DeadlinesAtRisk  # noqa: PLC0415
        from ..models.stats import Stats  # noqa: PLC0415

        d = dict(src_dict)
        behind = d.pop("behind")

        certified_stores = d.pop("certified_stores")

        deadlines_at_risk = DeadlinesAtRisk.from_dict(d.pop("deadlines_at_risk"))

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        head = d.pop("head")

        def _parse_platform(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        platform = _parse_platform(d.pop("platform"))

        position = d.pop("position")

        stats = Stats.from_dict(d.pop("stats"))

        stores = d.pop("stores")

        overview = cls(
            behind=behind,
            certified_stores=certified_stores,
            deadlines_at_risk=deadlines_at_risk,
            generated_at=generated_at,
            head=head,
            platform=platform,
            position=position,
            stats=stats,
            stores=stores,
        )

        overview.additional_properties = d
        return overview

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
