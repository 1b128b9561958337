from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReturnShipmentPublic")


@_attrs_define
class ReturnShipmentPublic:
    """
    Attributes:
        carrier (str):
        shipped_at (datetime.datetime):
        waybill (str):
    """

    carrier: str
    shipped_at: datetime.datetime
    waybill: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        carrier = self.carrier

        shipped_at = self.shipped_at.isoformat()

        waybill = self.waybill

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "carrier": carrier,
                "shipped_at": shipped_at,
                "waybill": waybill,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        carrier = d.pop("carrier")

        shipped_at = datetime.datetime.fromisoformat(d.pop("shipped_at"))

        waybill = d.pop("waybill")

        return_shipment_public = cls(
            carrier=carrier,
            shipped_at=shipped_at,
            waybill=waybill,
        )

        return_shipment_public.additional_properties = d
        return return_shipment_public

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
