from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.deadline_at_risk import DeadlineAtRisk


T = TypeVar("T", bound="DeadlinesAtRisk")


@_attrs_define
class DeadlinesAtRisk:
    """
    Attributes:
        count (int): pending deadlines due within the window, overdue included
        items (list[DeadlineAtRisk]): the soonest 50
        overdue (int):
        within_hours (int):
    """

    count: int
    items: list[DeadlineAtRisk]
    overdue: int
    within_hours: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        overdue = self.overdue

        within_hours = self.within_hours

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "items": items,
                "overdue": overdue,
                "within_hours": within_hours,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.deadline_at_risk import DeadlineAtRisk  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count")

        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = DeadlineAtRisk.from_dict(items_item_data)

            items.append(items_item)

        overdue = d.pop("overdue")

        within_hours = d.pop("within_hours")

        deadlines_at_risk = cls(
            count=count,
            items=items,
            overdue=overdue,
            within_hours=within_hours,
        )

        deadlines_at_risk.additional_properties = d
        return deadlines_at_risk

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
