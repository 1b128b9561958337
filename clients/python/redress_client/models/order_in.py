from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderIn")


@_attrs_define
class OrderIn:
    """
    Attributes:
        amount (str):
        currency (str):
        reference (str):
        completed_at (datetime.datetime | None | Unset):
        delivered_at (datetime.datetime | None | Unset):
        registered_at (datetime.datetime | None | Unset): buyippee: parcel registered
        warehouse_arrived_at (datetime.datetime | None | Unset): buyippee: the parcel reached the overseas warehouse
    """

    amount: str
    currency: str
    reference: str
    completed_at: datetime.datetime | None | Unset = UNSET
    delivered_at: datetime.datetime | None | Unset = UNSET
    registered_at: datetime.datetime | None | Unset = UNSET
    warehouse_arrived_at: datetime.datetime | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        reference = self.reference

        completed_at: None | str | Unset
        if isinstance(self.completed_at, Unset):
            completed_at = UNSET
        elif isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        delivered_at: None | str | Unset
        if isinstance(self.delivered_at, Unset):
            delivered_at = UNSET
        elif isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

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

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "reference": reference,
            }
        )
        if completed_at is not UNSET:
            field_dict["completed_at"] = completed_at
        if delivered_at is not UNSET:
            field_dict["delivered_at"] = delivered_at
        if registered_at is not UNSET:
            field_dict["registered_at"] = registered_at
        if warehouse_arrived_at is not UNSET:
            field_dict["warehouse_arrived_at"] = warehouse_arrived_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        reference = d.pop("reference")

        def _parse_completed_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        completed_at = _parse_completed_at(d.pop("completed_at", UNSET))

        def _parse_delivered_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at", UNSET))

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

        order_in = cls(
            amount=amount,
            currency=currency,
            reference=reference,
            completed_at=completed_at,
            delivered_at=delivered_at,
            registered_at=registered_at,
            warehouse_arrived_at=warehouse_arrived_at,
        )

        return order_in
