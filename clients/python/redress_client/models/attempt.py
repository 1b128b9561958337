from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attempt_response_headers_type_0 import AttemptResponseHeadersType0


T = TypeVar("T", bound="Attempt")


@_attrs_define
class Attempt:
    """
    Attributes:
        at (datetime.datetime):
        error (None | str):
        latency_ms (int):
        response (None | str): the first 256 bytes of the receiver's answer; shown to staff and admin only (null for
            stores: a receiver's answer may come from inside the network)
        response_headers (AttemptResponseHeadersType0 | None): the receiver's answer headers; staff and admin only, as
            `response`
        status_code (int | None):
    """

    at: datetime.datetime
    error: None | str
    latency_ms: int
    response: None | str
    response_headers: AttemptResponseHeadersType0 | None
    status_code: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.attempt_response_headers_type_0 import AttemptResponseHeadersType0  # noqa: PLC0415

        at = self.at.isoformat()

        error: None | str
        error = self.error

        latency_ms = self.latency_ms

        response: None | str
        response = self.response

        response_headers: dict[str, Any] | None
        if isinstance(self.response_headers, AttemptResponseHeadersType0):
            response_headers = self.response_headers.to_dict()
        else:
            response_headers = self.response_headers

        status_code: int | None
        status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "at": at,
                "error": error,
                "latency_ms": latency_ms,
                "response": response,
                "response_headers": response_headers,
                "status_code": status_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt_response_headers_type_0 import AttemptResponseHeadersType0  # noqa: PLC0415

        d = dict(src_dict)
        at = datetime.datetime.fromisoformat(d.pop("at"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        latency_ms = d.pop("latency_ms")

        def _parse_response(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        response = _parse_response(d.pop("response"))

        def _parse_response_headers(data: object) -> AttemptResponseHeadersType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_headers_type_0 = AttemptResponseHeadersType0.from_dict(data)

                return response_headers_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AttemptResponseHeadersType0 | None, data)

        response_headers = _parse_response_headers(d.pop("response_headers"))

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        attempt = cls(
            at=at,
            error=error,
            latency_ms=latency_ms,
            response=response,
            response_headers=response_headers,
            status_code=status_code,
        )

        attempt.additional_properties = d
        return attempt

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
