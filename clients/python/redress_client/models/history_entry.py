from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.history_entry_resolution_type_0 import HistoryEntryResolutionType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.deadline_public import DeadlinePublic
    from ..models.history_entry_actor import HistoryEntryActor
    from ..models.history_entry_data import HistoryEntryData


T = TypeVar("T", bound="HistoryEntry")


@_attrs_define
class HistoryEntry:
    """
    Attributes:
        actor (HistoryEntryActor):
        data (HistoryEntryData):
        deadlines (list[DeadlinePublic]):
        hash_ (str):
        occurred_at (datetime.datetime):
        prev_hash (str):
        recorded_at (datetime.datetime):
        resolution (HistoryEntryResolutionType0 | None): how the case ended, when this event ended it; null: the case
            went on
        type_ (str):
        version (int):
        chain (None | str | Unset): "translations" for a translation (its own hash chain), else absent
        chain_version (int | None | Unset):
    """

    actor: HistoryEntryActor
    data: HistoryEntryData
    deadlines: list[DeadlinePublic]
    hash_: str
    occurred_at: datetime.datetime
    prev_hash: str
    recorded_at: datetime.datetime
    resolution: HistoryEntryResolutionType0 | None
    type_: str
    version: int
    chain: None | str | Unset = UNSET
    chain_version: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        actor = self.actor.to_dict()

        data = self.data.to_dict()

        deadlines = []
        for deadlines_item_data in self.deadlines:
            deadlines_item = deadlines_item_data.to_dict()
            deadlines.append(deadlines_item)

        hash_ = self.hash_

        occurred_at = self.occurred_at.isoformat()

        prev_hash = self.prev_hash

        recorded_at = self.recorded_at.isoformat()

        resolution: None | str
        if isinstance(self.resolution, HistoryEntryResolutionType0):
            resolution = self.resolution.value
        else:
            resolution = self.resolution

        type_ = self.type_

        version = self.version

        chain: None | str | Unset
        if isinstance(self.chain, Unset):
            chain = UNSET
        else:
            chain = self.chain

        chain_version: int | None | Unset
        if isinstance(self.chain_version, Unset):
            chain_version = UNSET
        else:
            chain_version = self.chain_version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "actor": actor,
                "data": data,
                "deadlines": deadlines,
                "hash": hash_,
                "occurred_at": occurred_at,
                "prev_hash": prev_hash,
                "recorded_at": recorded_at,
                "resolution": resolution,
                "type": type_,
                "version": version,
            }
        )
        if chain is not UNSET:
            field_dict["chain"] = chain
        if chain_version is not UNSET:
            field_dict["chain_version"] = chain_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.deadline_public import DeadlinePublic  # noqa: PLC0415
        from ..models.history_entry_actor import HistoryEntryActor  # noqa: PLC0415
        from ..models.history_entry_data import HistoryEntryData  # noqa: PLC0415

        d = dict(src_dict)
        actor = HistoryEntryActor.from_dict(d.pop("actor"))

        data = HistoryEntryData.from_dict(d.pop("data"))

        deadlines = []
        _deadlines = d.pop("deadlines")
        for deadlines_item_data in _deadlines:
            deadlines_item = DeadlinePublic.from_dict(deadlines_item_data)

            deadlines.append(deadlines_item)

        hash_ = d.pop("hash")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        prev_hash = d.pop("prev_hash")

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        def _parse_resolution(data: object) -> HistoryEntryResolutionType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = HistoryEntryResolutionType0(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(HistoryEntryResolutionType0 | None, data)

        resolution = _parse_resolution(d.pop("resolution"))

        type_ = d.pop("type")

        version = d.pop("version")

        def _parse_chain(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        chain = _parse_chain(d.pop("chain", UNSET))

        def _parse_chain_version(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        chain_version = _parse_chain_version(d.pop("chain_version", UNSET))

        history_entry = cls(
            actor=actor,
            data=data,
            deadlines=deadlines,
            hash_=hash_,
            occurred_at=occurred_at,
            prev_hash=prev_hash,
            recorded_at=recorded_at,
            resolution=resolution,
            type_=type_,
            version=version,
            chain=chain,
            chain_version=chain_version,
        )

        history_entry.additional_properties = d
        return history_entry

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
