from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.first_response import FirstResponse
    from ..models.refund_total import RefundTotal
    from ..models.stats_by_resolution import StatsByResolution
    from ..models.stats_by_status import StatsByStatus


T = TypeVar("T", bound="Stats")


@_attrs_define
class Stats:
    """
    Attributes:
        auto_approvals (int):
        by_resolution (StatsByResolution): ended cases per resolution (how they ended), every resolution listed
        by_status (StatsByStatus): cases per status, every status listed
        cases (int):
        escalations (int): every escalation, whoever asked
        first_response (FirstResponse): Submitted → the store's first response, close or decision (logical times).
        open_ (int): cases neither closed nor withdrawn
        refunds (list[RefundTotal]): totals per currency and payer
        reminders (int):
        sla_breached_cases (int): cases where the store let a deadline pass: reminded, warned, escalated for a missed
            deadline, or auto-approved
        sla_escalations (int): escalations for a missed deadline
        warnings (int):
    """

    auto_approvals: int
    by_resolution: StatsByResolution
    by_status: StatsByStatus
    cases: int
    escalations: int
    first_response: FirstResponse
    open_: int
    refunds: list[RefundTotal]
    reminders: int
    sla_breached_cases: int
    sla_escalations: int
    warnings: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        auto_approvals = self.auto_approvals

        by_resolution = self.by_resolution.to_dict()

        by_status = self.by_status.to_dict()

        cases = self.cases

        escalations = self.escalations

        first_response = self.first_response.to_dict()

        open_ = self.open_

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        reminders = self.reminders

        sla_breached_cases = self.sla_breached_cases

        sla_escalations = self.sla_escalations

        warnings = self.warnings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "auto_approvals": auto_approvals,
                "by_resolution": by_resolution,
                "by_status": by_status,
                "cases": cases,
                "escalations": escalations,
                "first_response": first_response,
                "open": open_,
                "refunds": refunds,
                "reminders": reminders,
                "sla_breached_cases": sla_breached_cases,
                "sla_escalations": sla_escalations,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.first_response import FirstResponse  # noqa: PLC0415
        from ..models.refund_total import RefundTotal  # noqa: PLC0415
        from ..models.stats_by_resolution import StatsByResolution  # noqa: PLC0415
        from ..models.stats_by_status import StatsByStatus  # noqa: PLC0415

        d = dict(src_dict)
        auto_approvals = d.pop("auto_approvals")

        by_resolution = StatsByResolution.from_dict(d.pop("by_resolution"))

        by_status = StatsByStatus.from_dict(d.pop("by_status"))

        cases = d.pop("cases")

        escalations = d.pop("escalations")

        first_response = FirstResponse.from_dict(d.pop("first_response"))

        open_ = d.pop("open")

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = RefundTotal.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        reminders = d.pop("reminders")

        sla_breached_cases = d.pop("sla_breached_cases")

        sla_escalations = d.pop("sla_escalations")

        warnings = d.pop("warnings")

        stats = cls(
            auto_approvals=auto_approvals,
            by_resolution=by_resolution,
            by_status=by_status,
            cases=cases,
            escalations=escalations,
            first_response=first_response,
            open_=open_,
            refunds=refunds,
            reminders=reminders,
            sla_breached_cases=sla_breached_cases,
            sla_escalations=sla_escalations,
            warnings=warnings,
        )

        stats.additional_properties = d
        return stats

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
