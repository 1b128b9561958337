from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stats import Stats


T = TypeVar("T", bound="Scorecard")


@_attrs_define
class Scorecard:
    """
    Attributes:
        certified (bool):
        country (str):
        name (str):
        platform (str):
        reapply_after (datetime.datetime | None):
        registered_at (datetime.datetime):
        revocation_reason (None | str):
        revocations (int):
        stats (Stats):
        store_id (str):
        warnings (int):
    """

    certified: bool
    country: str
    name: str
    platform: str
    reapply_after: datetime.datetime | None
    registered_at: datetime.datetime
    revocation_reason: None | str
    revocations: int
    stats: Stats
    store_id: str
    warnings: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        certified = self.certified

        country = self.country

        name = self.name

        platform = self.platform

        reapply_after: None | str
        if isinstance(self.reapply_after, datetime.datetime):
            reapply_after = self.reapply_after.isoformat()
        else:
            reapply_after = self.reapply_after

        registered_at = self.registered_at.isoformat()

        revocation_reason: None | str
        revocation_reason = self.revocation_reason

        revocations = self.revocations

        stats = self.stats.to_dict()

        store_id = self.store_id

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certified": certified,
                "country": country,
                "name": name,
                "platform": platform,
                "reapply_after": reapply_after,
                "registered_at": registered_at,
                "revocation_reason": revocation_reason,
                "revocations": revocations,
                "stats": stats,
                "store_id": store_id,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stats import Stats  # noqa: PLC0415

        d = dict(src_dict)
        certified = d.pop("certified")

        country = d.pop("country")

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

        registered_at = datetime.datetime.fromisoformat(d.pop("registered_at"))

        def _parse_revocation_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revocation_reason = _parse_revocation_reason(d.pop("revocation_reason"))

        revocations = d.pop("revocations")

        stats = Stats.from_dict(d.pop("stats"))

        store_id = d.pop("store_id")

        warnings = d.pop("warnings")

        scorecard = cls(
            certified=certified,
            country=country,
            name=name,
            platform=platform,
            reapply_after=reapply_after,
            registered_at=registered_at,
            revocation_reason=revocation_reason,
            revocations=revocations,
            stats=stats,
            store_id=store_id,
            warnings=warnings,
        )

        scorecard.additional_properties = d
        return scorecard

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
