from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.suspension_proof_authority import SuspensionProofAuthority

T = TypeVar("T", bound="SuspensionProof")


@_attrs_define
class SuspensionProof:
    """
    Attributes:
        authority (SuspensionProofAuthority):
        reference (str):
    """

    authority: SuspensionProofAuthority
    reference: str

    def to_dict(self) -> dict[str, Any]:
        authority = self.authority.value

        reference = self.reference

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "authority": authority,
                "reference": reference,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        authority = SuspensionProofAuthority(d.pop("authority"))

        reference = d.pop("reference")

        suspension_proof = cls(
            authority=authority,
            reference=reference,
        )

        return suspension_proof
