from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.ruling_in_favour_of import RulingInFavourOf
from ..models.ruling_payer_type_0 import RulingPayerType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="Ruling")


@_attrs_define
class Ruling:
    """Staff decide an escalated case.

    Attributes:
        in_favour_of (RulingInFavourOf):
        note (str):
        payer (None | RulingPayerType0 | Unset):
        refund_amount (None | str | Unset):
    """

    in_favour_of: RulingInFavourOf
    note: str
    payer: None | RulingPayerType0 | Unset = UNSET
    refund_amount: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        in_favour_of = self.in_favour_of.value

        note = self.note

        payer: None | str | Unset
        if isinstance(self.payer, Unset):
            payer = UNSET
        elif isinstance(self.payer, RulingPayerType0):
            payer = self.payer.value
        else:
            payer = self.payer

        refund_amount: None | str | Unset
        if isinstance(self.refund_amount, Unset):
            refund_amount = UNSET
        else:
            refund_amount = self.refund_amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "in_favour_of": in_favour_of,
                "note": note,
            }
        )
        if payer is not UNSET:
            field_dict["payer"] = payer
        if refund_amount is not UNSET:
            field_dict["refund_amount"] = refund_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        in_favour_of = RulingInFavourOf(d.pop("in_favour_of"))

        note = d.pop("note")

        def _parse_payer(data: object) -> None | RulingPayerType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                payer_type_0 = RulingPayerType0(data)

                return payer_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RulingPayerType0 | Unset, data)

        payer = _parse_payer(d.pop("payer", UNSET))

        def _parse_refund_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refund_amount = _parse_refund_amount(d.pop("refund_amount", UNSET))

        ruling = cls(
            in_favour_of=in_favour_of,
            note=note,
            payer=payer,
            refund_amount=refund_amount,
        )

        return ruling
