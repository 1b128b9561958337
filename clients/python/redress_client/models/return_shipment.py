from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="ReturnShipment")


@_attrs_define
class ReturnShipment:
    """
    Attributes:
        carrier (str):
        waybill (str):
    """

    carrier: str
    waybill: str

    def to_dict(self) -> dict[str, Any]:
        carrier = self.carrier

        waybill = self.waybill

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "carrier": carrier,
                "waybill": waybill,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        carrier = d.pop("carrier")

        waybill = d.pop("waybill")

        return_shipment = cls(
            carrier=carrier,
            waybill=waybill,
        )

        return return_shipment
