from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.case_public_fields import CasePublicFields
    from ..models.case_public_messages_item import CasePublicMessagesItem
    from ..models.case_public_order import CasePublicOrder
    from ..models.case_public_proposal_type_0 import CasePublicProposalType0
    from ..models.case_public_ruling_type_0 import CasePublicRulingType0
    from ..models.case_public_settlement_type_0 import CasePublicSettlementType0
    from ..models.case_public_text_translations import CasePublicTextTranslations
    from ..models.deadline_public import DeadlinePublic
    from ..models.paused_deadline import PausedDeadline
    from ..models.refund_public import RefundPublic


T = TypeVar("T", bound="CasePublic")


@_attrs_define
class CasePublic:
    """
    Attributes:
        consumer_id (str):
        consumer_may_close (bool):
        created_at (datetime.datetime):
        deadlines (list[DeadlinePublic]):
        description (str): personal data: "[erased]" once the subject is erased, "[unavailable]" while its key cannot be
            read
        escalated (bool): staff have had the case
        fields (CasePublicFields):
        head_hash (str):
        id (str):
        kind (str):
        language (None | str):
        last_decision (None | str):
        messages (list[CasePublicMessagesItem]): each with id, body, language, translations [{language, body, engine}]
            and, when a language is asked for (?lang= or Accept-Language), display_body
        order (CasePublicOrder):
        paused_deadlines (list[PausedDeadline]):
        platform (str):
        policy_version (int): the platform policy version the case follows
        proposal (CasePublicProposalType0 | None): what the consumer is asked to approve: {decision, note,
            refund_amount}
        refunds (list[RefundPublic]):
        reminders (int):
        resolution (None | str): how the case ended: agreed, refunded, auto_approved, ruled_for_consumer,
            ruled_for_store, protection_refund, consumer_closed, consumer_gave_up or withdrawn
        ruling (CasePublicRulingType0 | None):
        settlement (CasePublicSettlementType0 | None):
        status (str):
        store_id (str):
        subject_id (str): the consumer as a data subject: the id for /v1/subjects/{subject_id} (erasure, export); every
            case of one consumer on one platform shares it
        updated_at (datetime.datetime):
        version (int):
        warnings (int):
        display_description (None | str | Unset):
        text_translations (CasePublicTextTranslations | Unset): translations of the other texts by text id (Submitted:1:
            the description; StoreClosed:N: a close note; ConsumerRejected:N: an explanation)
    """

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
    messages: list[CasePublicMessagesItem]
    order: CasePublicOrder
    paused_deadlines: list[PausedDeadline]
    platform: str
    policy_version: int
    proposal: CasePublicProposalType0 | None
    refunds: list[RefundPublic]
    reminders: int
    resolution: None | str
    ruling: CasePublicRulingType0 | None
    settlement: CasePublicSettlementType0 | None
    status: str
    store_id: str
    subject_id: str
    updated_at: datetime.datetime
    version: int
    warnings: int
    display_description: None | str | Unset = UNSET
    text_translations: CasePublicTextTranslations | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.case_public_proposal_type_0 import CasePublicProposalType0  # noqa: PLC0415
        from ..models.case_public_ruling_type_0 import CasePublicRulingType0  # noqa: PLC0415
        from ..models.case_public_settlement_type_0 import CasePublicSettlementType0  # noqa: PLC0415

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
        if isinstance(self.proposal, CasePublicProposalType0):
            proposal = self.proposal.to_dict()
        else:
            proposal = self.proposal

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        reminders = self.reminders

        resolution: None | str
        resolution = self.resolution

        ruling: dict[str, Any] | None
        if isinstance(self.ruling, CasePublicRulingType0):
            ruling = self.ruling.to_dict()
        else:
            ruling = self.ruling

        settlement: dict[str, Any] | None
        if isinstance(self.settlement, CasePublicSettlementType0):
            settlement = self.settlement.to_dict()
        else:
            settlement = self.settlement

        status = self.status

        store_id = self.store_id

        subject_id = self.subject_id

        updated_at = self.updated_at.isoformat()

        version = self.version

        warnings = self.warnings

        display_description: None | str | Unset
        if isinstance(self.display_description, Unset):
            display_description = UNSET
        else:
            display_description = self.display_description

        text_translations: dict[str, Any] | Unset = UNSET
        if not isinstance(self.text_translations, Unset):
            text_translations = self.text_translations.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
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
                "refunds": refunds,
                "reminders": reminders,
                "resolution": resolution,
                "ruling": ruling,
                "settlement": settlement,
                "status": status,
                "store_id": store_id,
                "subject_id": subject_id,
                "updated_at": updated_at,
                "version": version,
                "warnings": warnings,
            }
        )
        if display_description is not UNSET:
            field_dict["display_description"] = display_description
        if text_translations is not UNSET:
            field_dict["text_translations"] = text_translations

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.case_public_fields import CasePublicFields  # noqa: PLC0415
        from ..models.case_public_messages_item import CasePublicMessagesItem  # noqa: PLC0415
        from ..models.case_public_order import CasePublicOrder  # noqa: PLC0415
        from ..models.case_public_proposal_type_0 import CasePublicProposalType0  # noqa: PLC0415
        from ..models.case_public_ruling_type_0 import CasePublicRulingType0  # noqa: PLC0415
        from ..models.case_public_settlement_type_0 import CasePublicSettlementType0  # noqa: PLC0415
        from ..models.case_public_text_translations import CasePublicTextTranslations  # noqa: PLC0415
        from ..models.deadline_public import DeadlinePublic  # noqa: PLC0415
        from ..models.paused_deadline import PausedDeadline  # noqa: PLC0415
        from ..models.refund_public import RefundPublic  # noqa: PLC0415

        d = dict(src_dict)
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
            messages_item = CasePublicMessagesItem.from_dict(messages_item_data)

            messages.append(messages_item)

        order = CasePublicOrder.from_dict(d.pop("order"))

        paused_deadlines = []
        _paused_deadlines = d.pop("paused_deadlines")
        for paused_deadlines_item_data in _paused_deadlines:
            paused_deadlines_item = PausedDeadline.from_dict(paused_deadlines_item_data)

            paused_deadlines.append(paused_deadlines_item)

        platform = d.pop("platform")

        policy_version = d.pop("policy_version")

        def _parse_proposal(data: object) -> CasePublicProposalType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                proposal_type_0 = CasePublicProposalType0.from_dict(data)

                return proposal_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CasePublicProposalType0 | None, data)

        proposal = _parse_proposal(d.pop("proposal"))

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = RefundPublic.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        reminders = d.pop("reminders")

        def _parse_resolution(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        resolution = _parse_resolution(d.pop("resolution"))

        def _parse_ruling(data: object) -> CasePublicRulingType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                ruling_type_0 = CasePublicRulingType0.from_dict(data)

                return ruling_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CasePublicRulingType0 | None, data)

        ruling = _parse_ruling(d.pop("ruling"))

        def _parse_settlement(data: object) -> CasePublicSettlementType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                settlement_type_0 = CasePublicSettlementType0.from_dict(data)

                return settlement_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CasePublicSettlementType0 | None, data)

        settlement = _parse_settlement(d.pop("settlement"))

        status = d.pop("status")

        store_id = d.pop("store_id")

        subject_id = d.pop("subject_id")

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

        _text_translations = d.pop("text_translations", UNSET)
        text_translations: CasePublicTextTranslations | Unset
        if isinstance(_text_translations, Unset):
            text_translations = UNSET
        else:
            text_translations = CasePublicTextTranslations.from_dict(_text_translations)

        case_public = cls(
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
            refunds=refunds,
            reminders=reminders,
            resolution=resolution,
            ruling=ruling,
            settlement=settlement,
            status=status,
            store_id=store_id,
            subject_id=subject_id,
            updated_at=updated_at,
            version=version,
            warnings=warnings,
            display_description=display_description,
            text_translations=text_translations,
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
