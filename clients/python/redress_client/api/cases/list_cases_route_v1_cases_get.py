from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.case_list import CaseList
from ...models.list_cases_route_v1_cases_get_resolution_type_0 import ListCasesRouteV1CasesGetResolutionType0
from ...models.list_cases_route_v1_cases_get_sort import ListCasesRouteV1CasesGetSort
from ...models.problem_details import ProblemDetails
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    platform: None | str | Unset = UNSET,
    store_id: None | str | Unset = UNSET,
    status: None | str | Unset = UNSET,
    resolution: ListCasesRouteV1CasesGetResolutionType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    sort: ListCasesRouteV1CasesGetSort | Unset = ListCasesRouteV1CasesGetSort.VALUE_0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_platform: None | str | Unset
    if isinstance(platform, Unset):
        json_platform = UNSET
    else:
        json_platform = platform
    params["platform"] = json_platform

    json_store_id: None | str | Unset
    if isinstance(store_id, Unset):
        json_store_id = UNSET
    else:
        json_store_id = store_id
    params["store_id"] = json_store_id

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    else:
        json_status = status
    params["status"] = json_status

    json_resolution: None | str | Unset
    if isinstance(resolution, Unset):
        json_resolution = UNSET
    elif isinstance(resolution, ListCasesRouteV1CasesGetResolutionType0):
        json_resolution = resolution.value
    else:
        json_resolution = resolution
    params["resolution"] = json_resolution

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/cases",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CaseList | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = CaseList.from_dict(response.json())

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
) -> Response[CaseList | ProblemDetails]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    platform: None | str | Unset = UNSET,
    store_id: None | str | Unset = UNSET,
    status: None | str | Unset = UNSET,
    resolution: ListCasesRouteV1CasesGetResolutionType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    sort: ListCasesRouteV1CasesGetSort | Unset = ListCasesRouteV1CasesGetSort.VALUE_0,
) -> Response[CaseList | ProblemDetails]:
    """List Cases Route

     Cases in the caller's scope (newest first by default), with filters, sort and cursor.

    Args:
        platform (None | str | Unset):
        store_id (None | str | Unset):
        status (None | str | Unset):
        resolution (ListCasesRouteV1CasesGetResolutionType0 | None | Unset): how the case ended
            (ended cases only)
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        sort (ListCasesRouteV1CasesGetSort | Unset): a column, `-` for descending; the cursor
            belongs to one order Default: ListCasesRouteV1CasesGetSort.VALUE_0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CaseList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
        store_id=store_id,
        status=status,
        resolution=resolution,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    platform: None | str | Unset = UNSET,
    store_id: None | str | Unset = UNSET,
    status: None | str | Unset = UNSET,
    resolution: ListCasesRouteV1CasesGetResolutionType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    sort: ListCasesRouteV1CasesGetSort | Unset = ListCasesRouteV1CasesGetSort.VALUE_0,
) -> CaseList | ProblemDetails | None:
    """List Cases Route

     Cases in the caller's scope (newest first by default), with filters, sort and cursor.

    Args:
        platform (None | str | Unset):
        store_id (None | str | Unset):
        status (None | str | Unset):
        resolution (ListCasesRouteV1CasesGetResolutionType0 | None | Unset): how the case ended
            (ended cases only)
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        sort (ListCasesRouteV1CasesGetSort | Unset): a column, `-` for descending; the cursor
            belongs to one order Default: ListCasesRouteV1CasesGetSort.VALUE_0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CaseList | ProblemDetails
    """

    return sync_detailed(
        client=client,
        platform=platform,
        store_id=store_id,
        status=status,
        resolution=resolution,
        limit=limit,
        cursor=cursor,
        sort=sort,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    platform: None | str | Unset = UNSET,
    store_id: None | str | Unset = UNSET,
    status: None | str | Unset = UNSET,
    resolution: ListCasesRouteV1CasesGetResolutionType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    sort: ListCasesRouteV1CasesGetSort | Unset = ListCasesRouteV1CasesGetSort.VALUE_0,
) -> Response[CaseList | ProblemDetails]:
    """List Cases Route

     Cases in the caller's scope (newest first by default), with filters, sort and cursor.

    Args:
        platform (None | str | Unset):
        store_id (None | str | Unset):
        status (None | str | Unset):
        resolution (ListCasesRouteV1CasesGetResolutionType0 | None | Unset): how the case ended
            (ended cases only)
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        sort (ListCasesRouteV1CasesGetSort | Unset): a column, `-` for descending; the cursor
            belongs to one order Default: ListCasesRouteV1CasesGetSort.VALUE_0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CaseList | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
        store_id=store_id,
        status=status,
        resolution=resolution,
        limit=limit,
        cursor=cursor,
        sort=sort,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    platform: None | str | Unset = UNSET,
    store_id: None | str | Unset = UNSET,
    status: None | str | Unset = UNSET,
    resolution: ListCasesRouteV1CasesGetResolutionType0 | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
    sort: ListCasesRouteV1CasesGetSort | Unset = ListCasesRouteV1CasesGetSort.VALUE_0,
) -> CaseList | ProblemDetails | None:
    """List Cases Route

     Cases in the caller's scope (newest first by default), with filters, sort and cursor.

    Args:
        platform (None | str | Unset):
        store_id (None | str | Unset):
        status (None | str | Unset):
        resolution (ListCasesRouteV1CasesGetResolutionType0 | None | Unset): how the case ended
            (ended cases only)
        limit (int | Unset):  Default: 50.
        cursor (None | str | Unset):
        sort (ListCasesRouteV1CasesGetSort | Unset): a column, `-` for descending; the cursor
            belongs to one order Default: ListCasesRouteV1CasesGetSort.VALUE_0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CaseList | ProblemDetails
    """

    return (
        await asyncio_detailed(
            client=client,
            platform=platform,
            store_id=store_id,
            status=status,
            resolution=resolution,
            limit=limit,
            cursor=cursor,
            sort=sort,
        )
    ).parsed
