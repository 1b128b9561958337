from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.policy_draft import PolicyDraft
from ...models.policy_what_if_v1_platforms_platform_what_if_post_response_policy_what_if_v1_platforms_platform_what_if_post import (
    PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost,
)
from ...models.problem_details import ProblemDetails
from ...types import Response


def _get_kwargs(
    platform: str,
    *,
    body: PolicyDraft,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/platforms/{platform}/what-if".format(
            platform=quote(str(platform), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails | None:
    if response.status_code == 200:
        response_200 = (
            PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost.from_dict(
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
) -> Response[
    PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    platform: str,
    *,
    client: AuthenticatedClient,
    body: PolicyDraft,
) -> Response[
    PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails
]:
    """Policy What If

     The open cases whose pending deadlines a new version of the policy would move: due
    now, due then, and whether it would already be overdue.

    Args:
        platform (str):
        body (PolicyDraft):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    platform: str,
    *,
    client: AuthenticatedClient,
    body: PolicyDraft,
) -> PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails | None:
    """Policy What If

     The open cases whose pending deadlines a new version of the policy would move: due
    now, due then, and whether it would already be overdue.

    Args:
        platform (str):
        body (PolicyDraft):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails
    """

    return sync_detailed(
        platform=platform,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    platform: str,
    *,
    client: AuthenticatedClient,
    body: PolicyDraft,
) -> Response[
    PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails
]:
    """Policy What If

     The open cases whose pending deadlines a new version of the policy would move: due
    now, due then, and whether it would already be overdue.

    Args:
        platform (str):
        body (PolicyDraft):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails]
    """

    kwargs = _get_kwargs(
        platform=platform,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    platform: str,
    *,
    client: AuthenticatedClient,
    body: PolicyDraft,
) -> PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails | None:
    """Policy What If

     The open cases whose pending deadlines a new version of the policy would move: due
    now, due then, and whether it would already be overdue.

    Args:
        platform (str):
        body (PolicyDraft):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PolicyWhatIfV1PlatformsPlatformWhatIfPostResponsePolicyWhatIfV1PlatformsPlatformWhatIfPost | ProblemDetails
    """

    return (
        await asyncio_detailed(
            platform=platform,
            client=client,
            body=body,
        )
    ).parsed
