from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RefundPublic")


@_attrs_define
class RefundPublic:
    """
    Attributes:
        amount (str):
        at (datetime.datetime):
        currency (str):
        payer (str):
        reason (str):
    """

    amount: str
    at: datetime.datetime
    currency: str
    payer: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        at = self.at.isoformat()

        currency = self.currency

        payer = self.payer

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "at": at,
                "currency": currency,
                "payer": payer,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        amount = d.pop("amount")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        currency = d.pop("currency")

        payer = d.pop("payer")

        reason = d.pop("reason")

        refund_public = cls(
            amount=amount,
            at=at,
            currency=currency,
            payer=payer,
            reason=reason,
        )

        refund_public.additional_properties = d
        return refund_public

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
