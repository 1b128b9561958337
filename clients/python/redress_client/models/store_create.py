from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.store_create_platform import StoreCreatePlatform
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.contact_hours import ContactHours


T = TypeVar("T", bound="StoreCreate")


@_attrs_define
class StoreCreate:
    """
    Attributes:
        country (str):
        id (str):
        name (str):
        platform (StoreCreatePlatform):
        timezone (str):
        certified (bool | Unset):  Default: False.
        contact_hours (ContactHours | None | Unset): when mail reaches the store's people, local time on work days
            (default: the platform's, 08:00-20:00)
        language (None | str | Unset): the store's preferred language (default: its country's main one)
        subdivision (None | str | Unset): the region whose public holidays apply (a `holidays` code, e.g. ENG)
    """

    country: str
    id: str
    name: str
    platform: StoreCreatePlatform
    timezone: str
    certified: bool | Unset = False
    contact_hours: ContactHours | None | Unset = UNSET
    language: None | str | Unset = UNSET
    subdivision: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.contact_hours import ContactHours  # noqa: PLC0415

        country = self.country

        id = self.id

        name = self.name

        platform = self.platform.value

        timezone = self.timezone

        certified = self.certified

        contact_hours: dict[str, Any] | None | Unset
        if isinstance(self.contact_hours, Unset):
            contact_hours = UNSET
        elif isinstance(self.contact_hours, ContactHours):
            contact_hours = self.contact_hours.to_dict()
        else:
            contact_hours = self.contact_hours

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

        subdivision: None | str | Unset
        if isinstance(self.subdivision, Unset):
            subdivision = UNSET
        else:
            subdivision = self.subdivision

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "country": country,
                "id": id,
                "name": name,
                "platform": platform,
                "timezone": timezone,
            }
        )
        if certified is not UNSET:
            field_dict["certified"] = certified
        if contact_hours is not UNSET:
            field_dict["contact_hours"] = contact_hours
        if language is not UNSET:
            field_dict["language"] = language
        if subdivision is not UNSET:
            field_dict["subdivision"] = subdivision

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.contact_hours import ContactHours  # noqa: PLC0415

        d = dict(src_dict)
        country = d.pop("country")

        id = d.pop("id")

        name = d.pop("name")

        platform = StoreCreatePlatform(d.pop("platform"))

        timezone = d.pop("timezone")

        certified = d.pop("certified", UNSET)

        def _parse_contact_hours(data: object) -> ContactHours | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                contact_hours_type_0 = ContactHours.from_dict(data)

                return contact_hours_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContactHours | None | Unset, data)

        contact_hours = _parse_contact_hours(d.pop("contact_hours", UNSET))

        def _parse_language(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))

        def _parse_subdivision(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subdivision = _parse_subdivision(d.pop("subdivision", UNSET))

        store_create = cls(
            country=country,
            id=id,
            name=name,
            platform=platform,
            timezone=timezone,
            certified=certified,
            contact_hours=contact_hours,
            language=language,
            subdivision=subdivision,
        )

        return store_create
