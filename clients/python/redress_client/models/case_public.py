from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.case_public_resolution_type_0 import CasePublicResolutionType0
from ..models.status import Status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.case_public_fields import CasePublicFields
    from ..models.case_public_text_translations import CasePublicTextTranslations
    from ..models.deadline_public import DeadlinePublic
    from ..models.message_public import MessagePublic
    from ..models.order_public import OrderPublic
    from ..models.paused_deadline import PausedDeadline
    from ..models.proposal_public import ProposalPublic
    from ..models.refund_public import RefundPublic
    from ..models.return_shipment_public import ReturnShipmentPublic
    from ..models.ruling_public import RulingPublic
    from ..models.settlement_public import SettlementPublic


T = TypeVar("T", bound="CasePublic")


@_attrs_define
class CasePublic:
    """A case as every answer gives it: POST /v1/cases, GET /v1/cases/{id}, each command.

    Attributes:
        certified_store (bool): the store was certified when the case was filed
        consumer_id (str):
        consumer_may_close (bool):
        created_at (datetime.datetime):
        deadlines (list[DeadlinePublic]):
        description (str): personal data: "[erased]" once the subject is erased, "[unavailable]" while its key cannot be
            read
        escalated (bool): staff have had the case
        fields (CasePublicFields): the platform's own filing fields, as given
        head_hash (str):
        id (str):
        kind (str):
        language (None | str):
        last_decision (None | str):
        messages (list[MessagePublic]):
        order (OrderPublic):
        paused_deadlines (list[PausedDeadline]): while suspended: each deadline and the time it had left
        platform (str):
        policy_version (int): the platform policy version the case follows
        proposal (None | ProposalPublic): what the consumer is asked to approve
        refund_without_return (bool | None): near-expiry goods are refunded without a return (null: not near-expiry)
        refunds (list[RefundPublic]):
        reminders (int):
        resolution (CasePublicResolutionType0 | None): how the case ended; null while it goes on
        return_received (bool): the store has the returned goods back
        return_shipment (None | ReturnShipmentPublic): the consumer's return parcel, once shipped
        ruling (None | RulingPublic):
        settlement (None | SettlementPublic):
        status (Status):
        store_id (str):
        subject_id (str): the consumer as a data subject: the id for /v1/subjects/{subject_id} (erasure, export); every
            case of one consumer on one platform shares it
        text_translations (CasePublicTextTranslations): translations of the other texts by text id (Submitted:1: the
            description; StoreClosed:N: a close note; ConsumerRejected:N: an explanation)
        updated_at (datetime.datetime):
        version (int):
        warnings (int):
        display_description (None | str | Unset): the description in the language asked for; absent when none is asked
            for
    """

    certified_store: bool
    consumer_id: str
    consumer_may_close: bool
    created_at: datetime.datetime
    deadlines: list[DeadlinePublic]
    description: str
    escalated: bool
    fields: CasePublicFields
    head_hash: str
    id: str
    kind: str
    language: None | str
    last_decision: None | str
    messages: list[MessagePublic]
    order: OrderPublic
    paused_deadlines: list[PausedDeadline]
    platform: str
    policy_version: int
    proposal: None | ProposalPublic
    refund_without_return: bool | None
    refunds: list[RefundPublic]
    reminders: int
    resolution: CasePublicResolutionType0 | None
    return_received: bool
    return_shipment: None | ReturnShipmentPublic
    ruling: None | RulingPublic
    settlement: None | SettlementPublic
    status: Status
    store_id: str
    subject_id: str
    text_translations: CasePublicTextTranslations
    updated_at: datetime.datetime
    version: int
    warnings: int
    display_description: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.proposal_public import ProposalPublic  # noqa: PLC0415
        from ..models.return_shipment_public import ReturnShipmentPublic  # noqa: PLC0415
        from ..models.ruling_public import RulingPublic  # noqa: PLC0415
        from ..models.settlement_public import SettlementPublic  # noqa: PLC0415

        certified_store = self.certified_store

        consumer_id = self.consumer_id

        consumer_may_close = self.consumer_may_close

        created_at = self.created_at.isoformat()

        deadlines = []
        for deadlines_item_data in self.deadlines:
            deadlines_item = deadlines_item_data.to_dict()
            deadlines.append(deadlines_item)

        description = self.description

        escalated = self.escalated

        fields = self.fields.to_dict()

        head_hash = self.head_hash

        id = self.id

        kind = self.kind

        language: None | str
        language = self.language

        last_decision: None | str
        last_decision = self.last_decision

        messages = []
        for messages_item_data in self.messages:
            messages_item = messages_item_data.to_dict()
            messages.append(messages_item)

        order = self.order.to_dict()

        paused_deadlines = []
        for paused_deadlines_item_data in self.paused_deadlines:
            paused_deadlines_item = paused_deadlines_item_data.to_dict()
            paused_deadlines.append(paused_deadlines_item)

        platform = self.platform

        policy_version = self.policy_version

        proposal: dict[str, Any] | None
        if isinstance(self.proposal, ProposalPublic):
            proposal = self.proposal.to_dict()
        else:
            proposal = self.proposal

        refund_without_return: bool | None
        refund_without_return = self.refund_without_return

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        reminders = self.reminders

        resolution: None | str
        if isinstance(self.resolution, CasePublicResolutionType0):
            resolution = self.resolution.value
        else:
            resolution = self.resolution

        return_received = self.return_received

        return_shipment: dict[str, Any] | None
        if isinstance(self.return_shipment, ReturnShipmentPublic):
            return_shipment = self.return_shipment.to_dict()
        else:
            return_shipment = self.return_shipment

        ruling: dict[str, Any] | None
        if isinstance(self.ruling, RulingPublic):
            ruling = self.ruling.to_dict()
        else:
            ruling = self.ruling

        settlement: dict[str, Any] | None
        if isinstance(self.settlement, SettlementPublic):
            settlement = self.settlement.to_dict()
        else:
            settlement = self.settlement

        status = self.status.value

        store_id = self.store_id

        subject_id = self.subject_id

        text_translations = self.text_translations.to_dict()

        updated_at = self.updated_at.isoformat()

        version = self.version

        warnings = self.warnings

        display_description: None | str | Unset
        if isinstance(self.display_description, Unset):
            display_description = UNSET
        else:
            display_description = self.display_description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "certified_store": certified_store,
                "consumer_id": consumer_id,
                "consumer_may_close": consumer_may_close,
                "created_at": created_at,
                "deadlines": deadlines,
                "description": description,
                "escalated": escalated,
                "fields": fields,
                "head_hash": head_hash,
                "id": id,
                "kind": kind,
                "language": language,
                "last_decision": last_decision,
                "messages": messages,
                "order": order,
                "paused_deadlines": paused_deadlines,
                "platform": platform,
                "policy_version": policy_version,
                "proposal": proposal,
                "refund_without_return": refund_without_return,
                "refunds": refunds,
                "reminders": reminders,
                "resolution": resolution,
                "return_received": return_received,
                "return_shipment": return_shipment,
                "ruling": ruling,
                "settlement": settlement,
                "status": status,
                "store_id": store_id,
                "subject_id": subject_id,
                "text_translations": text_translations,
                "updated_at": updated_at,
                "version": version,
                "warnings": warnings,
            }
        )
        if display_description is not UNSET:
            field_dict["display_description"] = display_description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.case_public_fields import CasePublicFields  # noqa: PLC0415
        from ..models.case_public_text_translations import CasePublicTextTranslations  # noqa: PLC0415
        from ..models.deadline_public import DeadlinePublic  # noqa: PLC0415
        from ..models.message_public import MessagePublic  # noqa: PLC0415
        from ..models.order_public import OrderPublic  # noqa: PLC0415
        from ..models.paused_deadline import PausedDeadline  # noqa: PLC0415
        from ..models.proposal_public import ProposalPublic  # noqa: PLC0415
        from ..models.refund_public import RefundPublic  # noqa: PLC0415
        from ..models.return_shipment_public import ReturnShipmentPublic  # noqa: PLC0415
        from ..models.ruling_public import RulingPublic  # noqa: PLC0415
        from ..models.settlement_public import SettlementPublic  # noqa: PLC0415

        d = dict(src_dict)
        certified_store = d.pop("certified_store")

        consumer_id = d.pop("consumer_id")

        consumer_may_close = d.pop("consumer_may_close")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        deadlines = []
        _deadlines = d.pop("deadlines")
        for deadlines_item_data in _deadlines:
            deadlines_item = DeadlinePublic.from_dict(deadlines_item_data)

            deadlines.append(deadlines_item)

        description = d.pop("description")

        escalated = d.pop("escalated")

        fields = CasePublicFields.from_dict(d.pop("fields"))

        head_hash = d.pop("head_hash")

        id = d.pop("id")

        kind = d.pop("kind")

        def _parse_language(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        language = _parse_language(d.pop("language"))

        def _parse_last_decision(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_decision = _parse_last_decision(d.pop("last_decision"))

        messages = []
        _messages = d.pop("messages")
        for messages_item_data in _messages:
            messages_item = MessagePublic.from_dict(messages_item_data)

            messages.append(messages_item)

        order = OrderPublic.from_dict(d.pop("order"))

        paused_deadlines = []
        _paused_deadlines = d.pop("paused_deadlines")
        for paused_deadlines_item_data in _paused_deadlines:
            paused_deadlines_item = PausedDeadline.from_dict(paused_deadlines_item_data)

            paused_deadlines.append(paused_deadlines_item)

        platform = d.pop("platform")

        policy_version = d.pop("policy_version")

        def _parse_proposal(data: object) -> None | ProposalPublic:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                proposal_type_0 = ProposalPublic.from_dict(data)

                return proposal_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProposalPublic, data)

        proposal = _parse_proposal(d.pop("proposal"))

        def _parse_refund_without_return(data: object) -> bool | None:
            if data is None:
                return data
            return cast(bool | None, data)

        refund_without_return = _parse_refund_without_return(d.pop("refund_without_return"))

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = RefundPublic.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        reminders = d.pop("reminders")

        def _parse_resolution(data: object) -> CasePublicResolutionType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolution_type_0 = CasePublicResolutionType0(data)

                return resolution_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CasePublicResolutionType0 | None, data)

        resolution = _parse_resolution(d.pop("resolution"))

        return_received = d.pop("return_received")

        def _parse_return_shipment(data: object) -> None | ReturnShipmentPublic:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                return_shipment_type_0 = ReturnShipmentPublic.from_dict(data)

                return return_shipment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReturnShipmentPublic, data)

        return_shipment = _parse_return_shipment(d.pop("return_shipment"))

        def _parse_ruling(data: object) -> None | RulingPublic:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ruling_type_0 = RulingPublic.from_dict(data)

                return ruling_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RulingPublic, data)

        ruling = _parse_ruling(d.pop("ruling"))

        def _parse_settlement(data: object) -> None | SettlementPublic:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                settlement_type_0 = SettlementPublic.from_dict(data)

                return settlement_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettlementPublic, data)

        settlement = _parse_settlement(d.pop("settlement"))

        status = Status(d.pop("status"))

        store_id = d.pop("store_id")

        subject_id = d.pop("subject_id")

        text_translations = CasePublicTextTranslations.from_dict(d.pop("text_translations"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        version = d.pop("version")

        warnings = d.pop("warnings")

        def _parse_display_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_description = _parse_display_description(d.pop("display_description", UNSET))

        case_public = cls(
            certified_store=certified_store,
            consumer_id=consumer_id,
            consumer_may_close=consumer_may_close,
            created_at=created_at,
            deadlines=deadlines,
            description=description,
            escalated=escalated,
            fields=fields,
            head_hash=head_hash,
            id=id,
            kind=kind,
            language=language,
            last_decision=last_decision,
            messages=messages,
            order=order,
            paused_deadlines=paused_deadlines,
            platform=platform,
            policy_version=policy_version,
            proposal=proposal,
            refund_without_return=refund_without_return,
            refunds=refunds,
            reminders=reminders,
            resolution=resolution,
            return_received=return_received,
            return_shipment=return_shipment,
            ruling=ruling,
            settlement=settlement,
            status=status,
            store_id=store_id,
            subject_id=subject_id,
            text_translations=text_translations,
            updated_at=updated_at,
            version=version,
            warnings=warnings,
            display_description=display_description,
        )

        case_public.additional_properties = d
        return case_public

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
