from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookCreate")


@_attrs_define
class WebhookCreate:
    """
    Attributes:
        event_types (list[str]):
        url (str):
        store_ids (list[str] | None | Unset): default: all of the caller's stores
    """

    event_types: list[str]
    url: str
    store_ids: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_types = self.event_types

        url = self.url

        store_ids: list[str] | None | Unset
        if isinstance(self.store_ids, Unset):
            store_ids = UNSET
        elif isinstance(self.store_ids, list):
            store_ids = self.store_ids

        else:
            store_ids = self.store_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_types": event_types,
                "url": url,
            }
        )
        if store_ids is not UNSET:
            field_dict["store_ids"] = store_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_types = cast(list[str], d.pop("event_types"))

        url = d.pop("url")

        def _parse_store_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                store_ids_type_0 = cast(list[str], data)

                return store_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        store_ids = _parse_store_ids(d.pop("store_ids", UNSET))

        webhook_create = cls(
            event_types=event_types,
            url=url,
            store_ids=store_ids,
        )

        return webhook_create
