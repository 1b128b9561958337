from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Certification")


@_attrs_define
class Certification:
    """
    Attributes:
        evidence (str):
    """

    evidence: str

    def to_dict(self) -> dict[str, Any]:
        evidence = self.evidence

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "evidence": evidence,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        evidence = d.pop("evidence")

        certification = cls(
            evidence=evidence,
        )

        return certification
