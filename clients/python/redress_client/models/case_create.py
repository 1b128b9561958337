from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.case_create_condition_type_0 import CaseCreateConditionType0
from ..models.case_create_kind import CaseCreateKind
from ..models.case_create_lost_at_type_0 import CaseCreateLostAtType0
from ..models.case_create_plan_type_0 import CaseCreatePlanType0
from ..models.case_create_platform import CaseCreatePlatform
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.order_in import OrderIn


T = TypeVar("T", bound="CaseCreate")


@_attrs_define
class CaseCreate:
    """
    Attributes:
        description (str):
        kind (CaseCreateKind):
        order (OrderIn):
        platform (CaseCreatePlatform):
        store_id (str):
        condition (CaseCreateConditionType0 | None | Unset):
        consumer_id (None | str | Unset): staff imports only
        contents (list[str] | None | Unset): e.g. battery, liquid
        days_left_at_signing (int | None | Unset):
        declared_value (None | str | Unset):
        documents (list[str] | None | Unset): document kinds given
        fragile_protection (bool | None | Unset): fragile goods properly protected
        goods_category (None | str | Unset):
        language (None | str | Unset):
        lost_at (CaseCreateLostAtType0 | None | Unset):
        no_reason_return (bool | None | Unset): goods marked for seven-day returns
        origin_country (None | str | Unset):
        packaging (None | str | Unset): e.g. cardboard, wooden
        partial (bool | None | Unset): only part of the parcel was lost
        plan (CaseCreatePlanType0 | None | Unset):
        refund_amount (None | str | Unset): what a `refund_only` request asks for (default: the amount paid)
        seller_accepts_return (bool | None | Unset):
        shelf_life_days (int | None | Unset):
        submitted_at (datetime.datetime | None | Unset): staff imports only
        withdrawal_form (None | str | Unset): bigben: the signed form's upload
    """

    description: str
    kind: CaseCreateKind
    order: OrderIn
    platform: CaseCreatePlatform
    store_id: str
    condition: CaseCreateConditionType0 | None | Unset = UNSET
    consumer_id: None | str | Unset = UNSET
    contents: list[str] | None | Unset = UNSET
    days_left_at_signing: int | None | Unset = UNSET
    declared_value: None | str | Unset = UNSET
    documents: list[str] | None | Unset = UNSET
    fragile_protection: bool | None | Unset = UNSET
    goods_category: None | str | Unset = UNSET
    language: None | str | Unset = UNSET
    lost_at: CaseCreateLostAtType0 | None | Unset = UNSET
    no_reason_return: bool | None | Unset = UNSET
    origin_country: None | str | Unset = UNSET
    packaging: None | str | Unset = UNSET
    partial: bool | None | Unset = UNSET
    plan: CaseCreatePlanType0 | None | Unset = UNSET
    refund_amount: None | str | Unset = UNSET
    seller_accepts_return: bool | None | Unset = UNSET
    shelf_life_days: int | None | Unset = UNSET
    submitted_at: datetime.datetime | None | Unset = UNSET
    withdrawal_form: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        kind = self.kind.value

        order = self.order.to_dict()

        platform = self.platform.value

        store_id = self.store_id

        condition: None | str | Unset
        if isinstance(self.condition, Unset):
            condition = UNSET
        elif isinstance(self.condition, CaseCreateConditionType0):
            condition = self.condition.value
        else:
            condition = self.condition

        consumer_id: None | str | Unset
        if isinstance(self.consumer_id, Unset):
            consumer_id = UNSET
        else:
            consumer_id = self.consumer_id

        contents: list[str] | None | Unset
        if isinstance(self.contents, Unset):
            contents = UNSET
        elif isinstance(self.contents, list):
            contents = self.contents

        else:
            contents = self.contents

        days_left_at_signing: int | None | Unset
        if isinstance(self.days_left_at_signing, Unset):
            days_left_at_signing = UNSET
        else:
            days_left_at_signing = self.days_left_at_signing

        declared_value: None | str | Unset
        if isinstance(self.declared_value, Unset):
            declared_value = UNSET
        else:
            declared_value = self.declared_value

        documents: list[str] | None | Unset
        if isinstance(self.documents, Unset):
            documents = UNSET
        elif isinstance(self.documents, list):
            documents = self.documents

        else:
            documents = self.documents

        fragile_protection: bool | None | Unset
        if isinstance(self.fragile_protection, Unset):
            fragile_protection = UNSET
        else:
            fragile_protection = self.fragile_protection

        goods_category: None | str | Unset
        if isinstance(self.goods_category, Unset):
            goods_category = UNSET
        else:
            goods_category = self.goods_category

        language: None | str | Unset
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

        lost_at: None | str | Unset
        if isinstance(self.lost_at, Unset):
            lost_at = UNSET
        elif isinstance(self.lost_at, CaseCreateLostAtType0):
            lost_at = self.lost_at.value
        else:
            lost_at = self.lost_at

        no_reason_return: bool | None | Unset
        if isinstance(self.no_reason_return, Unset):
            no_reason_return = UNSET
        else:
            no_reason_return = self.no_reason_return

        origin_country: None | str | Unset
        if isinstance(self.origin_country, Unset):
            origin_country = UNSET
        else:
            origin_country = self.origin_country

        packaging: None | str | Unset
        if isinstance(self.packaging, Unset):
            packaging = UNSET
        else:
            packaging = self.packaging

        partial: bool | None | Unset
        if isinstance(self.partial, Unset):
            partial = UNSET
        else:
            partial = self.partial

        plan: None | str | Unset
        if isinstance(self.plan, Unset):
            plan = UNSET
        elif isinstance(self.plan, CaseCreatePlanType0):
            plan = self.plan.value
        else:
            plan = self.plan

        refund_amount: None | str | Unset
        if isinstance(self.refund_amount, Unset):
            refund_amount = UNSET
        else:
            refund_amount = self.refund_amount

        seller_accepts_return: bool | None | Unset
        if isinstance(self.seller_accepts_return, Unset):
            seller_accepts_return = UNSET
        else:
            seller_accepts_return = self.seller_accepts_return

        shelf_life_days: int | None | Unset
        if isinstance(self.shelf_life_days, Unset):
            shelf_life_days = UNSET
        else:
            shelf_life_days = self.shelf_life_days

        submitted_at: None | str | Unset
        if isinstance(self.submitted_at, Unset):
            submitted_at = UNSET
        elif isinstance(self.submitted_at, datetime.datetime):
            submitted_at = self.submitted_at.isoformat()
        else:
            submitted_at = self.submitted_at

        withdrawal_form: None | str | Unset
        if isinstance(self.withdrawal_form, Unset):
            withdrawal_form = UNSET
        else:
            withdrawal_form = self.withdrawal_form

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "description": description,
                "kind": kind,
                "order": order,
                "platform": platform,
                "store_id": store_id,
            }
        )
        if condition is not UNSET:
            field_dict["condition"] = condition
        if consumer_id is not UNSET:
            field_dict["consumer_id"] = consumer_id
        if contents is not UNSET:
            field_dict["contents"] = contents
        if days_left_at_signing is not UNSET:
            field_dict["days_left_at_signing"] = days_left_at_signing
        if declared_value is not UNSET:
            field_dict["declared_value"] = declared_value
        if documents is not UNSET:
            field_dict["documents"] = documents
        if fragile_protection is not UNSET:
            field_dict["fragile_protection"] = fragile_protection
        if goods_category is not UNSET:
            field_dict["goods_category"] = goods_category
        if language is not UNSET:
            field_dict["language"] = language
        if lost_at is not UNSET:
            field_dict["lost_at"] = lost_at
        if no_reason_return is not UNSET:
            field_dict["no_reason_return"] = no_reason_return
        if origin_country is not UNSET:
            field_dict["origin_country"] = origin_country
        if packaging is not UNSET:
            field_dict["packaging"] = packaging
        if partial is not UNSET:
            field_dict["partial"] = partial
        if plan is not UNSET:
            field_dict["plan"] = plan
        if refund_amount is not UNSET:
            field_dict["refund_amount"] = refund_amount
        if seller_accepts_return is not UNSET:
            field_dict["seller_accepts_return"] = seller_accepts_return
        if shelf_life_days is not UNSET:
            field_dict["shelf_life_days"] = shelf_life_days
        if submitted_at is not UNSET:
            field_dict["submitted_at"] = submitted_at
        if withdrawal_form is not UNSET:
            field_dict["withdrawal_form"] = withdrawal_form

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.order_in import OrderIn  # noqa: PLC0415

        d = dict(src_dict)
        description = d.pop("description")

        kind = CaseCreateKind(d.pop("kind"))

        order = OrderIn.from_dict(d.pop("order"))

        platform = CaseCreatePlatform(d.pop("platform"))

        store_id = d.pop("store_id")

        def _parse_condition(data: object) -> CaseCreateConditionType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                condition_type_0 = CaseCreateConditionType0(data)

                return condition_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CaseCreateConditionType0 | None | Unset, data)

        condition = _parse_condition(d.pop("condition", UNSET))

        def _parse_consumer_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        consumer_id = _parse_consumer_id(d.pop("consumer_id", UNSET))

        def _parse_contents(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                contents_type_0 = cast(list[str], data)

                return contents_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        contents = _parse_contents(d.pop("contents", UNSET))

        def _parse_days_left_at_signing(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        days_left_at_signing = _parse_days_left_at_signing(d.pop("days_left_at_signing", UNSET))

        def _parse_declared_value(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        declared_value = _parse_declared_value(d.pop("declared_value", UNSET))

        def _parse_documents(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                documents_type_0 = cast(list[str], data)

                return documents_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        documents = _parse_documents(d.pop("documents", UNSET))

        def _parse_fragile_protection(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        fragile_protection = _parse_fragile_protection(d.pop("fragile_protection", UNSET))

        def _parse_goods_category(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        goods_category = _parse_goods_category(d.pop("goods_category", UNSET))

        def _parse_language(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))

        def _parse_lost_at(data: object) -> CaseCreateLostAtType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                lost_at_type_0 = CaseCreateLostAtType0(data)

                return lost_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CaseCreateLostAtType0 | None | Unset, data)

        lost_at = _parse_lost_at(d.pop("lost_at", UNSET))

        def _parse_no_reason_return(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        no_reason_return = _parse_no_reason_return(d.pop("no_reason_return", UNSET))

        def _parse_origin_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        origin_country = _parse_origin_country(d.pop("origin_country", UNSET))

        def _parse_packaging(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        packaging = _parse_packaging(d.pop("packaging", UNSET))

        def _parse_partial(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        partial = _parse_partial(d.pop("partial", UNSET))

        def _parse_plan(data: object) -> CaseCreatePlanType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                plan_type_0 = CaseCreatePlanType0(data)

                return plan_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CaseCreatePlanType0 | None | Unset, data)

        plan = _parse_plan(d.pop("plan", UNSET))

        def _parse_refund_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        refund_amount = _parse_refund_amount(d.pop("refund_amount", UNSET))

        def _parse_seller_accepts_return(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        seller_accepts_return = _parse_seller_accepts_return(d.pop("seller_accepts_return", UNSET))

        def _parse_shelf_life_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        shelf_life_days = _parse_shelf_life_days(d.pop("shelf_life_days", UNSET))

        def _parse_submitted_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                submitted_at_type_0 = datetime.datetime.fromisoformat(data)

                return submitted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        submitted_at = _parse_submitted_at(d.pop("submitted_at", UNSET))

        def _parse_withdrawal_form(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        withdrawal_form = _parse_withdrawal_form(d.pop("withdrawal_form", UNSET))

        case_create = cls(
            description=description,
            kind=kind,
            order=order,
            platform=platform,
            store_id=store_id,
            condition=condition,
            consumer_id=consumer_id,
            contents=contents,
            days_left_at_signing=days_left_at_signing,
            declared_value=declared_value,
            documents=documents,
            fragile_protection=fragile_protection,
            goods_category=goods_category,
            language=language,
            lost_at=lost_at,
            no_reason_return=no_reason_return,
            origin_country=origin_country,
            packaging=packaging,
            partial=partial,
            plan=plan,
            refund_amount=refund_amount,
            seller_accepts_return=seller_accepts_return,
            shelf_life_days=shelf_life_days,
            submitted_at=submitted_at,
            withdrawal_form=withdrawal_form,
        )

        return case_create
