from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.deadline_explanation_calendar import DeadlineExplanationCalendar
    from ..models.deadline_explanation_started_by import DeadlineExplanationStartedBy
    from ..models.explained_segment import ExplainedSegment


T = TypeVar("T", bound="DeadlineExplanation")


@_attrs_define
class DeadlineExplanation:
    """
    Attributes:
        action (str):
        budget (str): e.g. "2 full work days", "120 business minutes"
        calendar (DeadlineExplanationCalendar):
        deadline_id (str):
        due_at (datetime.datetime):
        due_at_local (str):
        kind (str):
        outcome (str): pending, fired (and what it did) or cancelled (by what)
        policy (str):
        policy_version (int | None):
        row (str): the policy row's note
        segments (list[ExplainedSegment]):
        started_at (datetime.datetime):
        started_by (DeadlineExplanationStartedBy): the event that started the clock
    """

    action: str
    budget: str
    calendar: DeadlineExplanationCalendar
    deadline_id: str
    due_at: datetime.datetime
    due_at_local: str
    kind: str
    outcome: str
    policy: str
    policy_version: int | None
    row: str
    segments: list[ExplainedSegment]
    started_at: datetime.datetime
    started_by: DeadlineExplanationStartedBy
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        action = self.action

        budget = self.budget

        calendar = self.calendar.to_dict()

        deadline_id = self.deadline_id

        due_at = self.due_at.isoformat()

        due_at_local = self.due_at_local

        kind = self.kind

        outcome = self.outcome

        policy = self.policy

        policy_version: int | None
        policy_version = self.policy_version

        row = self.row

        segments = []
        for segments_item_data in self.segments:
            segments_item = segments_item_data.to_dict()
            segments.append(segments_item)

        started_at = self.started_at.isoformat()

        started_by = self.started_by.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "budget": budget,
                "calendar": calendar,
                "deadline_id": deadline_id,
                "due_at": due_at,
                "due_at_local": due_at_local,
                "kind": kind,
                "outcome": outcome,
                "policy": policy,
                "policy_version": policy_version,
                "row": row,
                "segments": segments,
                "started_at": started_at,
                "started_by": started_by,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.deadline_explanation_calendar import DeadlineExplanationCalendar  # noqa: PLC0415
        from ..models.deadline_explanation_started_by import DeadlineExplanationStartedBy  # noqa: PLC0415
        from ..models.explained_segment import ExplainedSegment  # noqa: PLC0415

        d = dict(src_dict)
        action = d.pop("action")

        budget = d.pop("budget")

        calendar = DeadlineExplanationCalendar.from_dict(d.pop("calendar"))

        deadline_id = d.pop("deadline_id")

        due_at = datetime.datetime.fromisoformat(d.pop("due_at"))

        due_at_local = d.pop("due_at_local")

        kind = d.pop("kind")

        outcome = d.pop("outcome")

        policy = d.pop("policy")

        def _parse_policy_version(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        policy_version = _parse_policy_version(d.pop("policy_version"))

        row = d.pop("row")

        segments = []
        _segments = d.pop("segments")
        for segments_item_data in _segments:
            segments_item = ExplainedSegment.from_dict(segments_item_data)

            segments.append(segments_item)

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        started_by = DeadlineExplanationStartedBy.from_dict(d.pop("started_by"))

        deadline_explanation = cls(
            action=action,
            budget=budget,
            calendar=calendar,
            deadline_id=deadline_id,
            due_at=due_at,
            due_at_local=due_at_local,
            kind=kind,
            outcome=outcome,
            policy=policy,
            policy_version=policy_version,
            row=row,
            segments=segments,
            started_at=started_at,
            started_by=started_by,
        )

        deadline_explanation.additional_properties = d
        return deadline_explanation

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
