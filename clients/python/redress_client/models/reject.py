from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Reject")


@_attrs_define
class Reject:
    """
    Attributes:
        explanation (str):
    """

    explanation: str

    def to_dict(self) -> dict[str, Any]:
        explanation = self.explanation

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "explanation": explanation,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        explanation = d.pop("explanation")

        reject = cls(
            explanation=explanation,
        )

        return reject
