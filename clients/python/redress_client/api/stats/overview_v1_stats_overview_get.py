from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.overview import Overview
from ...models.overview_v1_stats_overview_get_platform_type_0 import OverviewV1StatsOverviewGetPlatformType0
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    platform: None | OverviewV1StatsOverviewGetPlatformType0 | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_platform: None | str | Unset
    if isinstance(platform, Unset):
        json_platform = UNSET
    elif isinstance(platform, OverviewV1StatsOverviewGetPlatformType0):
        json_platform = platform.value
    else:
        json_platform = platform
    params["platform"] = json_platform

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/stats/overview",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Overview | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = Overview.from_dict(response.json())

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
) -> Response[Overview | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    platform: None | OverviewV1StatsOverviewGetPlatformType0 | Unset = UNSET,
) -> Response[Overview | ProblemDetails]:
    """Overview

     Totals over every case (or one platform's), store counts and deadlines at risk.

    Args:
        platform (None | OverviewV1StatsOverviewGetPlatformType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Overview | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    platform: None | OverviewV1StatsOverviewGetPlatformType0 | Unset = UNSET,
) -> Overview | ProblemDetails | None:
    """Overview

     Totals over every case (or one platform's), store counts and deadlines at risk.

    Args:
        platform (None | OverviewV1StatsOverviewGetPlatformType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Overview | ProblemDetails
    """

    return sync_detailed(
        client=client,
        platform=platform,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    platform: None | OverviewV1StatsOverviewGetPlatformType0 | Unset = UNSET,
) -> Response[Overview | ProblemDetails]:
    """Overview

     Totals over every case (or one platform's), store counts and deadlines at risk.

    Args:
        platform (None | OverviewV1StatsOverviewGetPlatformType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Overview | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    platform: None | OverviewV1StatsOverviewGetPlatformType0 | Unset = UNSET,
) -> Overview | ProblemDetails | None:
    """Overview

     Totals over every case (or one platform's), store counts and deadlines at risk.

    Args:
        platform (None | OverviewV1StatsOverviewGetPlatformType0 | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Overview | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            platform=platform,
        )
    ).parsed
