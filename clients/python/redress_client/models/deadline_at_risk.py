from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="DeadlineAtRisk")


@_attrs_define
class DeadlineAtRisk:
    """
    Attributes:
        action (str): what happens when it passes
        case_id (str):
        deadline_id (str):
        due_at (datetime.datetime):
        kind (str):
        overdue (bool): due already; the scheduler has not acted on it yet
        platform (str):
        store_id (str):
    """

    action: str
    case_id: str
    deadline_id: str
    due_at: datetime.datetime
    kind: str
    overdue: bool
    platform: str
    store_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        case_id = self.case_id

        deadline_id = self.deadline_id

        due_at = self.due_at.isoformat()

        kind = self.kind

        overdue = self.overdue

        platform = self.platform

        store_id = self.store_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "case_id": case_id,
                "deadline_id": deadline_id,
                "due_at": due_at,
                "kind": kind,
                "overdue": overdue,
                "platform": platform,
                "store_id": store_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        action = d.pop("action")

        case_id = d.pop("case_id")

        deadline_id = d.pop("deadline_id")

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        kind = d.pop("kind")

        overdue = d.pop("overdue")

        platform = d.pop("platform")

        store_id = d.pop("store_id")

        deadline_at_risk = cls(
            action=action,
            case_id=case_id,
            deadline_id=deadline_id,
            due_at=due_at,
            kind=kind,
            overdue=overdue,
            platform=platform,
            store_id=store_id,
        )

        deadline_at_risk.additional_properties = d
        return deadline_at_risk

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
