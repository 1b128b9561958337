from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.store_create_platform import StoreCreatePlatform
from ..types import UNSET, Unset

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
        language (None | str | Unset): the store's preferred language
        subdivision (None | str | Unset): as the `holidays` package names it, e.g. ENG (GB defaults to ENG)
    """

    country: str
    id: str
    name: str
    platform: StoreCreatePlatform
    timezone: str
    certified: bool | Unset = False
    language: None | str | Unset = UNSET
    subdivision: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        country = self.country

        id = self.id

        name = self.name

        platform = self.platform.value

        timezone = self.timezone

        certified = self.certified

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
        if language is not UNSET:
            field_dict["language"] = language
        if subdivision is not UNSET:
            field_dict["subdivision"] = subdivision

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        country = d.pop("country")

        id = d.pop("id")

        name = d.pop("name")

        platform = StoreCreatePlatform(d.pop("platform"))

        timezone = d.pop("timezone")

        certified = d.pop("certified", UNSET)

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
            language=language,
            subdivision=subdivision,
        )

        return store_create
