from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.case_summary_resolution_type_0 import CaseSummaryResolutionType0
from ..models.status import Status
from ..types import UNSET, Unset

T = TypeVar("T", bound="CaseSummary")


@_attrs_define
class CaseSummary:
    """
    Attributes:
        consumer_id (str):
        created_at (datetime.datetime):
        id (str):
        kind (str):
        next_due_at (datetime.datetime | None):
        platform (str):
        status (Status):
        store_id (str):
        updated_at (datetime.datetime):
        version (int):
        resolution (CaseSummaryResolutionType0 | None | Unset): how the case ended; null while it goes on
    """

    consumer_id: str
    created_at: datetime.datetime
    id: str
    kind: str
    next_due_at: datetime.datetime | None
    platform: str
    status: Status
    store_id: str
    updated_at: datetime.datetime
    version: int
    resolution: CaseSummaryResolutionType0 | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        consumer_id = self.consumer_id

        created_at = self.created_at.isoformat()

        id = self.id

        kind = self.kind

        next_due_at: None | str
        if isinstance(self.next_due_at, datetime.datetime):
            next_due_at = self.next_due_at.isoformat()
        else:
            next_due_at = self.next_due_at

        platform = self.platform

        status = self.status.value

        store_id = self.store_id

        updated_at = self.updated_at.isoformat()

        version = self.version

        resolution: None | str | Unset
        if isinstance(self.resolution, Unset):
            resolution = UNSET
        elif isinstance(self.resolution, CaseSummaryResolutionType0):
            resolution = self.resolution.value
        else:
            resolution = self.resolution

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "consumer_id": consumer_id,
                "created_at": created_at,
                "id": id,
                "kind": kind,
                "next_due_at": next_due_at,
                "platform": platform,
                "status": status,
                "store_id": store_id,
                "updated_at": updated_at,
                "version": version,
            }
        )
        if resolution is not UNSET:
            field_dict["resolution"] = resolution

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        consumer_id = d.pop("consumer_id")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_next_due_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_due_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_due_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_due_at = _parse_next_due_at(d.pop("next_due_at"))

        platform = d.pop("platform")

        status = Status(d.pop("status"))

        store_id = d.pop("store_id")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        def _parse_resolution(data: object) -> CaseSummaryResolutionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = CaseSummaryResolutionType0(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CaseSummaryResolutionType0 | None | Unset, data)

        resolution = _parse_resolution(d.pop("resolution", UNSET))

        case_summary = cls(
            consumer_id=consumer_id,
            created_at=created_at,
            id=id,
            kind=kind,
            next_due_at=next_due_at,
            platform=platform,
            status=status,
            store_id=store_id,
            updated_at=updated_at,
            version=version,
            resolution=resolution,
        )

        case_summary.additional_properties = d
        return case_summary

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
