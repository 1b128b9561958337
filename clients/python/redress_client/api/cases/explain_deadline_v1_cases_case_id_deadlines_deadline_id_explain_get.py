from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deadline_explanation import DeadlineExplanation
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    case_id: str,
    deadline_id: str,
    *,
    version: int | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_version: int | None | Unset
    if isinstance(version, Unset):
        json_version = UNSET
    else:
        json_version = version
    params["version"] = json_version

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/cases/{case_id}/deadlines/{deadline_id}/explain".format(
            case_id=quote(str(case_id), safe=""),
            deadline_id=quote(str(deadline_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeadlineExplanation | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = DeadlineExplanation.from_dict(response.json())

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
) -> Response[DeadlineExplanation | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    case_id: str,
    deadline_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> Response[DeadlineExplanation | ProblemDetails]:
    """Explain Deadline

     Why a deadline (pending or past) is due when it is: the policy row, the start, the
    budget, and each stretch of time counted or not, with the calendar's reason.

    Args:
        case_id (str):
        deadline_id (str):
        version (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadlineExplanation | ProblemDetails]
    """

    kwargs = _get_kwargs(
        case_id=case_id,
        deadline_id=deadline_id,
        version=version,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    case_id: str,
    deadline_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> DeadlineExplanation | ProblemDetails | None:
    """Explain Deadline

     Why a deadline (pending or past) is due when it is: the policy row, the start, the
    budget, and each stretch of time counted or not, with the calendar's reason.

    Args:
        case_id (str):
        deadline_id (str):
        version (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadlineExplanation | ProblemDetails
    """

    return sync_detailed(
        case_id=case_id,
        deadline_id=deadline_id,
        client=client,
        version=version,
    ).parsed


async def asyncio_detailed(
    case_id: str,
    deadline_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> Response[DeadlineExplanation | ProblemDetails]:
    """Explain Deadline

     Why a deadline (pending or past) is due when it is: the policy row, the start, the
    budget, and each stretch of time counted or not, with the calendar's reason.

    Args:
        case_id (str):
        deadline_id (str):
        version (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadlineExplanation | ProblemDetails]
    """

    kwargs = _get_kwargs(
        case_id=case_id,
        deadline_id=deadline_id,
        version=version,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    case_id: str,
    deadline_id: str,
    *,
    client: AuthenticatedClient,
    version: int | None | Unset = UNSET,
) -> DeadlineExplanation | ProblemDetails | None:
    """Explain Deadline

     Why a deadline (pending or past) is due when it is: the policy row, the start, the
    budget, and each stretch of time counted or not, with the calendar's reason.

    Args:
        case_id (str):
        deadline_id (str):
        version (int | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadlineExplanation | ProblemDetails
    """

    return (
        await asyncio_detailed(
            case_id=case_id,
            deadline_id=deadline_id,
            client=client,
            version=version,
        )
    ).parsed
