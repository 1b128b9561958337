from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PausedDeadline")


@_attrs_define
class PausedDeadline:
    """
    Attributes:
        action (str):
        id (str):
        kind (str):
        remaining_seconds (int):
    """

    action: str
    id: str
    kind: str
    remaining_seconds: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        id = self.id

        kind = self.kind

        remaining_seconds = self.remaining_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "id": id,
                "kind": kind,
                "remaining_seconds": remaining_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        id = d.pop("id")

        kind = d.pop("kind")

        remaining_seconds = d.pop("remaining_seconds")

        paused_deadline = cls(
            action=action,
            id=id,
            kind=kind,
            remaining_seconds=remaining_seconds,
        )

        paused_deadline.additional_properties = d
        return paused_deadline

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
