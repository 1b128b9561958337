from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.subject_export_cases_item import SubjectExportCasesItem


T = TypeVar("T", bound="SubjectExport")


@_attrs_define
class SubjectExport:
    """
    Attributes:
        cases (list[SubjectExportCasesItem]): each {case: the case body, history: its events and translations}
        exported_at (datetime.datetime):
        subject_id (str):
    """

    cases: list[SubjectExportCasesItem]
    exported_at: datetime.datetime
    subject_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cases = []
        for cases_item_data in self.cases:
            cases_item = cases_item_data.to_dict()
            cases.append(cases_item)

        exported_at = self.exported_at.isoformat()

        subject_id = self.subject_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cases": cases,
                "exported_at": exported_at,
                "subject_id": subject_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.subject_export_cases_item import SubjectExportCasesItem  # noqa: PLC0415

        d = dict(src_dict)
        cases = []
        _cases = d.pop("cases")
        for cases_item_data in _cases:
            cases_item = SubjectExportCasesItem.from_dict(cases_item_data)

            cases.append(cases_item)

        exported_at = datetime.datetime.fromisoformat(d.pop("exported_at"))

        subject_id = d.pop("subject_id")

        subject_export = cls(
            cases=cases,
            exported_at=exported_at,
            subject_id=subject_id,
        )

        subject_export.additional_properties = d
        return subject_export

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
