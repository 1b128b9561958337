from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StorePublic")


@_attrs_define
class StorePublic:
    """
    Attributes:
        certified (bool):
        country (str):
        id (str):
        language (str): the language chosen, else its country's main one
        name (str):
        platform (str):
        reapply_after (datetime.datetime | None):
        revocation_reason (None | str):
        timezone (str):
        version (int):
        warnings (int): warnings since the certificate was (last) granted
        contact_hours (list[str] | None | Unset): its own contact hours, e.g. ["09:00", "18:00"] (null: the platform's)
        subdivision (None | str | Unset):
        warnings_total (int | Unset):  Default: 0.
    """

    certified: bool
    country: str
    id: str
    language: str
    name: str
    platform: str
    reapply_after: datetime.datetime | None
    revocation_reason: None | str
    timezone: str
    version: int
    warnings: int
    contact_hours: list[str] | None | Unset = UNSET
    subdivision: None | str | Unset = UNSET
    warnings_total: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certified = self.certified

        country = self.country

        id = self.id

        language = self.language

        name = self.name

        platform = self.platform

        reapply_after: None | str
        if isinstance(self.reapply_after, datetime.datetime):
            reapply_after = self.reapply_after.isoformat()
        else:
            reapply_after = self.reapply_after

        revocation_reason: None | str
        revocation_reason = self.revocation_reason

        timezone = self.timezone

        version = self.version

        warnings = self.warnings

        contact_hours: list[str] | None | Unset
        if isinstance(self.contact_hours, Unset):
            contact_hours = UNSET
        elif isinstance(self.contact_hours, list):
            contact_hours = self.contact_hours

        else:
            contact_hours = self.contact_hours

        subdivision: None | str | Unset
        if isinstance(self.subdivision, Unset):
            subdivision = UNSET
        else:
            subdivision = self.subdivision

        warnings_total = self.warnings_total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certified": certified,
                "country": country,
                "id": id,
                "language": language,
                "name": name,
                "platform": platform,
                "reapply_after": reapply_after,
                "revocation_reason": revocation_reason,
                "timezone": timezone,
                "version": version,
                "warnings": warnings,
            }
        )
        if contact_hours is not UNSET:
            field_dict["contact_hours"] = contact_hours
        if subdivision is not UNSET:
            field_dict["subdivision"] = subdivision
        if warnings_total is not UNSET:
            field_dict["warnings_total"] = warnings_total

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        certified = d.pop("certified")

        country = d.pop("country")

        id = d.pop("id")

        language = d.pop("language")

        name = d.pop("name")

        platform = d.pop("platform")

        def _parse_reapply_after(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                reapply_after_type_0 = datetime.datetime.fromisoformat(data)

                return reapply_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        reapply_after = _parse_reapply_after(d.pop("reapply_after"))

        def _parse_revocation_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revocation_reason = _parse_revocation_reason(d.pop("revocation_reason"))

        timezone = d.pop("timezone")

        version = d.pop("version")

        warnings = d.pop("warnings")

        def _parse_contact_hours(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                contact_hours_type_0 = cast(list[str], data)

                return contact_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        contact_hours = _parse_contact_hours(d.pop("contact_hours", UNSET))

        def _parse_subdivision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subdivision = _parse_subdivision(d.pop("subdivision", UNSET))

        warnings_total = d.pop("warnings_total", UNSET)

        store_public = cls(
            certified=certified,
            country=country,
            id=id,
            language=language,
            name=name,
            platform=platform,
            reapply_after=reapply_after,
            revocation_reason=revocation_reason,
            timezone=timezone,
            version=version,
            warnings=warnings,
            contact_hours=contact_hours,
            subdivision=subdivision,
            warnings_total=warnings_total,
        )

        store_public.additional_properties = d
        return store_public

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
