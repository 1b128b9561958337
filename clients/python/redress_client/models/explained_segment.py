from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ExplainedSegment")


@_attrs_define
class ExplainedSegment:
    """
    Attributes:
        counted (bool):
        from_ (datetime.datetime):
        reason (str):
        to (datetime.datetime):
    """

    counted: bool
    from_: datetime.datetime
    reason: str
    to: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        counted = self.counted

        from_ = self.from_.isoformat()

        reason = self.reason

        to = self.to.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "counted": counted,
                "from": from_,
                "reason": reason,
                "to": to,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        counted = d.pop("counted")

        from_ = datetime.datetime.fromisoformat(d.pop("from"))

        reason = d.pop("reason")

        to = datetime.datetime.fromisoformat(d.pop("to"))

        explained_segment = cls(
            counted=counted,
            from_=from_,
            reason=reason,
            to=to,
        )

        explained_segment.additional_properties = d
        return explained_segment

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
