from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.store_close_decision import StoreCloseDecision
from ..types import UNSET, Unset

T = TypeVar("T", bound="StoreClose")


@_attrs_define
class StoreClose:
    """
    Attributes:
        decision (StoreCloseDecision):
        note (None | str | Unset):
        refund_amount (None | str | Unset):
    """

    decision: StoreCloseDecision
    note: None | str | Unset = UNSET
    refund_amount: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        decision = self.decision.value

        note: None | str | Unset
        if isinstance(self.note, Unset):
            note = UNSET
        else:
            note = self.note

        refund_amount: None | str | Unset
        if isinstance(self.refund_amount, Unset):
            refund_amount = UNSET
        else:
            refund_amount = self.refund_amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "decision": decision,
            }
        )
        if note is not UNSET:
            field_dict["note"] = note
        if refund_amount is not UNSET:
            field_dict["refund_amount"] = refund_amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        decision = StoreCloseDecision(d.pop("decision"))

        def _parse_note(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        note = _parse_note(d.pop("note", UNSET))

        def _parse_refund_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refund_amount = _parse_refund_amount(d.pop("refund_amount", UNSET))

        store_close = cls(
            decision=decision,
            note=note,
            refund_amount=refund_amount,
        )

        return store_close
