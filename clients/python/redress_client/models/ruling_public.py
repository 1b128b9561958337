from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="RulingPublic")


@_attrs_define
class RulingPublic:
    """
    Attributes:
        at (datetime.datetime):
        in_favour_of (str):
        note (str):
        payer (None | str):
        refund_amount (None | str):
    """

    at: datetime.datetime
    in_favour_of: str
    note: str
    payer: None | str
    refund_amount: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        in_favour_of = self.in_favour_of

        note = self.note

        payer: None | str
        payer = self.payer

        refund_amount: None | str
        refund_amount = self.refund_amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "in_favour_of": in_favour_of,
                "note": note,
                "payer": payer,
                "refund_amount": refund_amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        in_favour_of = d.pop("in_favour_of")

        note = d.pop("note")

        def _parse_payer(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payer = _parse_payer(d.pop("payer"))

        def _parse_refund_amount(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        refund_amount = _parse_refund_amount(d.pop("refund_amount"))

        ruling_public = cls(
            at=at,
            in_favour_of=in_favour_of,
            note=note,
            payer=payer,
            refund_amount=refund_amount,
        )

        ruling_public.additional_properties = d
        return ruling_public

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
