from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.erasure_public import ErasurePublic
from ...models.erasure_request import ErasureRequest
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    subject_id: str,
    *,
    body: ErasureRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/subjects/{subject_id}/erasure".format(
            subject_id=quote(str(subject_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErasurePublic | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = ErasurePublic.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ProblemDetails.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ProblemDetails.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ProblemDetails.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ProblemDetails.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ProblemDetails.from_dict(response.json())

        return response_409

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
) -> Response[ErasurePublic | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    subject_id: str,
    *,
    client: AuthenticatedClient,
    body: ErasureRequest,
) -> Response[ErasurePublic | ProblemDetails]:
    """Erase

     Erase a data subject: shred their keys, record SubjectErased on each of their cases
    and overwrite every copy of their texts; their personal data then reads "[erased]"
    everywhere. Idempotent; the cases stay usable.

    Args:
        subject_id (str):
        body (ErasureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErasurePublic | ProblemDetails]
    """

    kwargs = _get_kwargs(
        subject_id=subject_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    subject_id: str,
    *,
    client: AuthenticatedClient,
    body: ErasureRequest,
) -> ErasurePublic | ProblemDetails | None:
    """Erase

     Erase a data subject: shred their keys, record SubjectErased on each of their cases
    and overwrite every copy of their texts; their personal data then reads "[erased]"
    everywhere. Idempotent; the cases stay usable.

    Args:
        subject_id (str):
        body (ErasureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErasurePublic | ProblemDetails
    """

    return sync_detailed(
        subject_id=subject_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    subject_id: str,
    *,
    client: AuthenticatedClient,
    body: ErasureRequest,
) -> Response[ErasurePublic | ProblemDetails]:
    """Erase

     Erase a data subject: shred their keys, record SubjectErased on each of their cases
    and overwrite every copy of their texts; their personal data then reads "[erased]"
    everywhere. Idempotent; the cases stay usable.

    Args:
        subject_id (str):
        body (ErasureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErasurePublic | ProblemDetails]
    """

    kwargs = _get_kwargs(
        subject_id=subject_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    subject_id: str,
    *,
    client: AuthenticatedClient,
    body: ErasureRequest,
) -> ErasurePublic | ProblemDetails | None:
    """Erase

     Erase a data subject: shred their keys, record SubjectErased on each of their cases
    and overwrite every copy of their texts; their personal data then reads "[erased]"
    everywhere. Idempotent; the cases stay usable.

    Args:
        subject_id (str):
        body (ErasureRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErasurePublic | ProblemDetails
    """

    return (
        await asyncio_detailed(
            subject_id=subject_id,
            client=client,
            body=body,
        )
    ).parsed
