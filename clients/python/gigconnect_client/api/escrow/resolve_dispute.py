from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dispute_out import DisputeOut
from ...models.error_envelope import ErrorEnvelope
from ...models.resolve_request import ResolveRequest
from ...types import Response


def _get_kwargs(
    dispute_id: str,
    *,
    body: ResolveRequest,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/admin/disputes/{dispute_id}/resolve".format(
            dispute_id=quote(str(dispute_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DisputeOut | ErrorEnvelope | None:
    if response.status_code == 200:
        response_200 = DisputeOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorEnvelope.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorEnvelope.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = ErrorEnvelope.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = ErrorEnvelope.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorEnvelope.from_dict(response.json())

        return response_422

    if response.status_code == 500:
        response_500 = ErrorEnvelope.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorEnvelope.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DisputeOut | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    dispute_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolveRequest,
    idempotency_key: str,
) -> Response[DisputeOut | ErrorEnvelope]:
    """Resolve a dispute (an admin)

     Splits a disputed milestone's held money between release and refund (an admin).

    Args:
        dispute_id (str):
        idempotency_key (str):
        body (ResolveRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DisputeOut | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        dispute_id=dispute_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    dispute_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolveRequest,
    idempotency_key: str,
) -> DisputeOut | ErrorEnvelope | None:
    """Resolve a dispute (an admin)

     Splits a disputed milestone's held money between release and refund (an admin).

    Args:
        dispute_id (str):
        idempotency_key (str):
        body (ResolveRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DisputeOut | ErrorEnvelope
    """

    return sync_detailed(
        dispute_id=dispute_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    dispute_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolveRequest,
    idempotency_key: str,
) -> Response[DisputeOut | ErrorEnvelope]:
    """Resolve a dispute (an admin)

     Splits a disputed milestone's held money between release and refund (an admin).

    Args:
        dispute_id (str):
        idempotency_key (str):
        body (ResolveRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DisputeOut | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        dispute_id=dispute_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    dispute_id: str,
    *,
    client: AuthenticatedClient,
    body: ResolveRequest,
    idempotency_key: str,
) -> DisputeOut | ErrorEnvelope | None:
    """Resolve a dispute (an admin)

     Splits a disputed milestone's held money between release and refund (an admin).

    Args:
        dispute_id (str):
        idempotency_key (str):
        body (ResolveRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DisputeOut | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            dispute_id=dispute_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
