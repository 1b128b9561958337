from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.message_public_author import MessagePublicAuthor
    from ..models.translation_public import TranslationPublic


T = TypeVar("T", bound="MessagePublic")


@_attrs_define
class MessagePublic:
    """
    Attributes:
        at (datetime.datetime):
        attachments (list[str]):
        author (MessagePublicAuthor): {role, id}
        body (str):
        id (int): the case version that recorded the message
        language (None | str):
        translations (list[TranslationPublic]):
        display_body (None | str | Unset): the body in the language asked for (?lang= or Accept-Language), translated
            where a translation exists; absent when none is asked for
    """

    at: datetime.datetime
    attachments: list[str]
    author: MessagePublicAuthor
    body: str
    id: int
    language: None | str
    translations: list[TranslationPublic]
    display_body: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        at = self.at.isoformat()

        attachments = self.attachments

        author = self.author.to_dict()

        body = self.body

        id = self.id

        language: None | str
        language = self.language

        translations = []
        for translations_item_data in self.translations:
            translations_item = translations_item_data.to_dict()
            translations.append(translations_item)

        display_body: None | str | Unset
        if isinstance(self.display_body, Unset):
            display_body = UNSET
        else:
            display_body = self.display_body

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "attachments": attachments,
                "author": author,
                "body": body,
                "id": id,
                "language": language,
                "translations": translations,
            }
        )
        if display_body is not UNSET:
            field_dict["display_body"] = display_body

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_public_author import MessagePublicAuthor  # noqa: PLC0415
        from ..models.translation_public import TranslationPublic  # noqa: PLC0415

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        attachments = cast(list[str], d.pop("attachments"))

        author = MessagePublicAuthor.from_dict(d.pop("author"))

        body = d.pop("body")

        id = d.pop("id")

        def _parse_language(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        language = _parse_language(d.pop("language"))

        translations = []
        _translations = d.pop("translations")
        for translations_item_data in _translations:
            translations_item = TranslationPublic.from_dict(translations_item_data)

            translations.append(translations_item)

        def _parse_display_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_body = _parse_display_body(d.pop("display_body", UNSET))

        message_public = cls(
            at=at,
            attachments=attachments,
            author=author,
            body=body,
            id=id,
            language=language,
            translations=translations,
            display_body=display_body,
        )

        message_public.additional_properties = d
        return message_public

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
