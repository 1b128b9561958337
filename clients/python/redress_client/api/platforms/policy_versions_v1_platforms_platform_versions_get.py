from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.policy_versions_v1_platforms_platform_versions_get_platform import (
    PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
)
from ...models.policy_versions_v1_platforms_platform_versions_get_response_policy_versions_v1_platforms_platform_versions_get import (
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet,
)
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    platform: PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/platforms/{platform}/versions".format(
            platform=quote(str(platform), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> (
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet
    | ProblemDetails
    | None
):
    if response.status_code == 200:
        response_200 = (
            PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet.from_dict(
                response.json()
            )
        )

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
) -> Response[
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    platform: PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
    *,
    client: AuthenticatedClient,
) -> Response[
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails
]:
    """Policy Versions

     The versions of one platform's policy that cases follow: `{platform, current,
    versions}`.

    Args:
        platform (PolicyVersionsV1PlatformsPlatformVersionsGetPlatform):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    platform: PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
    *,
    client: AuthenticatedClient,
) -> (
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet
    | ProblemDetails
    | None
):
    """Policy Versions

     The versions of one platform's policy that cases follow: `{platform, current,
    versions}`.

    Args:
        platform (PolicyVersionsV1PlatformsPlatformVersionsGetPlatform):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails
    """

    return sync_detailed(
        platform=platform,
        client=client,
    ).parsed


async def asyncio_detailed(
    platform: PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
    *,
    client: AuthenticatedClient,
) -> Response[
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails
]:
    """Policy Versions

     The versions of one platform's policy that cases follow: `{platform, current,
    versions}`.

    Args:
        platform (PolicyVersionsV1PlatformsPlatformVersionsGetPlatform):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    platform: PolicyVersionsV1PlatformsPlatformVersionsGetPlatform,
    *,
    client: AuthenticatedClient,
) -> (
    PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet
    | ProblemDetails
    | None
):
    """Policy Versions

     The versions of one platform's policy that cases follow: `{platform, current,
    versions}`.

    Args:
        platform (PolicyVersionsV1PlatformsPlatformVersionsGetPlatform):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyVersionsV1PlatformsPlatformVersionsGetResponsePolicyVersionsV1PlatformsPlatformVersionsGet | ProblemDetails
    """

    return (
        await asyncio_detailed(
            platform=platform,
            client=client,
        )
    ).parsed
