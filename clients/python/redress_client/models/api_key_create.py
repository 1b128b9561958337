from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.api_key_create_role import ApiKeyCreateRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """
    Attributes:
        role (ApiKeyCreateRole):
        subject (str):
        store_ids (list[str] | Unset):
    """

    role: ApiKeyCreateRole
    subject: str
    store_ids: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        subject = self.subject

        store_ids: list[str] | Unset = UNSET
        if not isinstance(self.store_ids, Unset):
            store_ids = self.store_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "subject": subject,
            }
        )
        if store_ids is not UNSET:
            field_dict["store_ids"] = store_ids

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = ApiKeyCreateRole(d.pop("role"))

        subject = d.pop("subject")

        store_ids = cast(list[str], d.pop("store_ids", UNSET))

        api_key_create = cls(
            role=role,
            subject=subject,
            store_ids=store_ids,
        )

        return api_key_create
