from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.platform_stats import PlatformStats


T = TypeVar("T", bound="PlatformList")


@_attrs_define
class PlatformList:
    """
    Attributes:
        behind (int): events logged but not yet in the figures (head − position)
        generated_at (datetime.datetime):
        head (int): the last position in the event log when answered
        items (list[PlatformStats]): every platform, those without cases too
        position (int): the last event-log position the figures reflect
    """

    behind: int
    generated_at: datetime.datetime
    head: int
    items: list[PlatformStats]
    position: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        behind = self.behind

        generated_at = self.generated_at.isoformat()

        head = self.head

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        position = self.position

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "behind": behind,
                "generated_at": generated_at,
                "head": head,
                "items": items,
                "position": position,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.platform_stats import PlatformStats  # noqa: PLC0415

        d = dict(src_dict)
        behind = d.pop("behind")

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        head = d.pop("head")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = PlatformStats.from_dict(items_item_data)

            items.append(items_item)

        position = d.pop("position")

        platform_list = cls(
            behind=behind,
            generated_at=generated_at,
            head=head,
            items=items,
            position=position,
        )

        platform_list.additional_properties = d
        return platform_list

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
