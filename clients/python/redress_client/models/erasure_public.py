from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ErasurePublic")


@_attrs_define
class ErasurePublic:
    """
    Attributes:
        cases (list[str]): the cases about the subject, now erased of them
        erased_at (datetime.datetime):
        subject_id (str):
    """

    cases: list[str]
    erased_at: datetime.datetime
    subject_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cases = self.cases

        erased_at = self.erased_at.isoformat()

        subject_id = self.subject_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cases": cases,
                "erased_at": erased_at,
                "subject_id": subject_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cases = cast(list[str], d.pop("cases"))

        erased_at = datetime.datetime.fromisoformat(d.pop("erased_at"))

        subject_id = d.pop("subject_id")

        erasure_public = cls(
            cases=cases,
            erased_at=erased_at,
            subject_id=subject_id,
        )

        erasure_public.additional_properties = d
        return erasure_public

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
