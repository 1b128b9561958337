from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ContactHours")


@_attrs_define
class ContactHours:
    """
    Attributes:
        closes (str):
        opens (str):
    """

    closes: str
    opens: str

    def to_dict(self) -> dict[str, Any]:
        closes = self.closes

        opens = self.opens

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "closes": closes,
                "opens": opens,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        closes = d.pop("closes")

        opens = d.pop("opens")

        contact_hours = cls(
            closes=closes,
            opens=opens,
        )

        return contact_hours
