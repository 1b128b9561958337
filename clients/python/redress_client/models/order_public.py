from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderPublic")


@_attrs_define
class OrderPublic:
    """
    Attributes:
        amount (str):
        completed_at (datetime.datetime | None):
        currency (str):
        delivered_at (datetime.datetime | None):
        reference (str):
        registered_at (datetime.datetime | None | Unset): buyippee: parcel registered (absent: not given)
        warehouse_arrived_at (datetime.datetime | None | Unset): buyippee: the parcel reached the overseas warehouse
            (absent: not given)
    """

    amount: str
    completed_at: datetime.datetime | None
    currency: str
    delivered_at: datetime.datetime | None
    reference: str
    registered_at: datetime.datetime | None | Unset = UNSET
    warehouse_arrived_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        completed_at: None | str
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        currency = self.currency

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        reference = self.reference

        registered_at: None | str | Unset
        if isinstance(self.registered_at, Unset):
            registered_at = UNSET
        elif isinstance(self.registered_at, datetime.datetime):
            registered_at = self.registered_at.isoformat()
        else:
            registered_at = self.registered_at

        warehouse_arrived_at: None | str | Unset
        if isinstance(self.warehouse_arrived_at, Unset):
            warehouse_arrived_at = UNSET
        elif isinstance(self.warehouse_arrived_at, datetime.datetime):
            warehouse_arrived_at = self.warehouse_arrived_at.isoformat()
        else:
            warehouse_arrived_at = self.warehouse_arrived_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "completed_at": completed_at,
                "currency": currency,
                "delivered_at": delivered_at,
                "reference": reference,
            }
        )
        if registered_at is not UNSET:
            field_dict["registered_at"] = registered_at
        if warehouse_arrived_at is not UNSET:
            field_dict["warehouse_arrived_at"] = warehouse_arrived_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        currency = d.pop("currency")

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        reference = d.pop("reference")

        def _parse_registered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                registered_at_type_0 = datetime.datetime.fromisoformat(data)

                return registered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        registered_at = _parse_registered_at(d.pop("registered_at", UNSET))

        def _parse_warehouse_arrived_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                warehouse_arrived_at_type_0 = datetime.datetime.fromisoformat(data)

                return warehouse_arrived_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        warehouse_arrived_at = _parse_warehouse_arrived_at(d.pop("warehouse_arrived_at", UNSET))

        order_public = cls(
            amount=amount,
            completed_at=completed_at,
            currency=currency,
            delivered_at=delivered_at,
            reference=reference,
            registered_at=registered_at,
            warehouse_arrived_at=warehouse_arrived_at,
        )

        order_public.additional_properties = d
        return order_public

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
