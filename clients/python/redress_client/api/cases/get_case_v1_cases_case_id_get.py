from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.case_public import CasePublic
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    case_id: str,
    *,
    version: int | None | Unset = UNSET,
    at: None | str | Unset = UNSET,
    lang: None | str | Unset = UNSET,
    accept_language: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_language, Unset):
        headers["accept-language"] = accept_language

    params: dict[str, Any] = {}

    json_version: int | None | Unset
    if isinstance(version, Unset):
        json_version = UNSET
    else:
        json_version = version
    params["version"] = json_version

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    else:
        json_at = at
    params["at"] = json_at

    json_lang: None | str | Unset
    if isinstance(lang, Unset):
        json_lang = UNSET
    else:
        json_lang = lang
    params["lang"] = json_lang

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/cases/{case_id}".format(
            case_id=quote(str(case_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CasePublic | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = CasePublic.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ProblemDetails.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 413:
        response_413 = ProblemDetails.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ProblemDetails.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ProblemDetails.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ProblemDetails.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CasePublic | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    case_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    at: None | str | Unset = UNSET,
    lang: None | str | Unset = UNSET,
    accept_language: None | str | Unset = UNSET,
) -> Response[CasePublic | ProblemDetails]:
    """Get Case

     Current state from the event store, or as of `version` or `at` (recorded time);
    `?lang=` (or `Accept-Language`) adds each message's `display_body` in that language.

    Args:
        case_id (str):
        version (int | None | Unset):
        at (None | str | Unset): an ISO 8601 instant with an offset, between 1970 and 2100
        lang (None | str | Unset): add display_body in this language (BCP 47)
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CasePublic | ProblemDetails]
    """

    kwargs = _get_kwargs(
        case_id=case_id,
        version=version,
        at=at,
        lang=lang,
        accept_language=accept_language,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    case_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    at: None | str | Unset = UNSET,
    lang: None | str | Unset = UNSET,
    accept_language: None | str | Unset = UNSET,
) -> CasePublic | ProblemDetails | None:
    """Get Case

     Current state from the event store, or as of `version` or `at` (recorded time);
    `?lang=` (or `Accept-Language`) adds each message's `display_body` in that language.

    Args:
        case_id (str):
        version (int | None | Unset):
        at (None | str | Unset): an ISO 8601 instant with an offset, between 1970 and 2100
        lang (None | str | Unset): add display_body in this language (BCP 47)
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CasePublic | ProblemDetails
    """

    return sync_detailed(
        case_id=case_id,
        client=client,
        version=version,
        at=at,
        lang=lang,
        accept_language=accept_language,
    ).parsed


async def asyncio_detailed(
    case_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    at: None | str | Unset = UNSET,
    lang: None | str | Unset = UNSET,
    accept_language: None | str | Unset = UNSET,
) -> Response[CasePublic | ProblemDetails]:
    """Get Case

     Current state from the event store, or as of `version` or `at` (recorded time);
    `?lang=` (or `Accept-Language`) adds each message's `display_body` in that language.

    Args:
        case_id (str):
        version (int | None | Unset):
        at (None | str | Unset): an ISO 8601 instant with an offset, between 1970 and 2100
        lang (None | str | Unset): add display_body in this language (BCP 47)
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CasePublic | ProblemDetails]
    """

    kwargs = _get_kwargs(
        case_id=case_id,
        version=version,
        at=at,
        lang=lang,
        accept_language=accept_language,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    case_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
    at: None | str | Unset = UNSET,
    lang: None | str | Unset = UNSET,
    accept_language: None | str | Unset = UNSET,
) -> CasePublic | ProblemDetails | None:
    """Get Case

     Current state from the event store, or as of `version` or `at` (recorded time);
    `?lang=` (or `Accept-Language`) adds each message's `display_body` in that language.

    Args:
        case_id (str):
        version (int | None | Unset):
        at (None | str | Unset): an ISO 8601 instant with an offset, between 1970 and 2100
        lang (None | str | Unset): add display_body in this language (BCP 47)
        accept_language (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CasePublic | ProblemDetails
    """

    return (
        await asyncio_detailed(
            case_id=case_id,
            client=client,
            version=version,
            at=at,
            lang=lang,
            accept_language=accept_language,
        )
    ).parsed
