from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chain_verification import ChainVerification


T = TypeVar("T", bound="Verification")


@_attrs_define
class Verification:
    """
    Attributes:
        events (int):
        head_hash (str):
        valid (bool):
        translations (ChainVerification | None | Unset):
    """

    events: int
    head_hash: str
    valid: bool
    translations: ChainVerification | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.chain_verification import ChainVerification  # noqa: PLC0415

        events = self.events

        head_hash = self.head_hash

        valid = self.valid

        translations: dict[str, Any] | None | Unset
        if isinstance(self.translations, Unset):
            translations = UNSET
        elif isinstance(self.translations, ChainVerification):
            translations = self.translations.to_dict()
        else:
            translations = self.translations

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "events": events,
                "head_hash": head_hash,
                "valid": valid,
            }
        )
        if translations is not UNSET:
            field_dict["translations"] = translations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chain_verification import ChainVerification  # noqa: PLC0415

        d = dict(src_dict)
        events = d.pop("events")

        head_hash = d.pop("head_hash")

        valid = d.pop("valid")

        def _parse_translations(data: object) -> ChainVerification | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                translations_type_0 = ChainVerification.from_dict(data)

                return translations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChainVerification | None | Unset, data)

        translations = _parse_translations(d.pop("translations", UNSET))

        verification = cls(
            events=events,
            head_hash=head_hash,
            valid=valid,
            translations=translations,
        )

        verification.additional_properties = d
        return verification

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
