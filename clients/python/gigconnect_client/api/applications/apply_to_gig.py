from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.application_out import ApplicationOut
from ...models.apply_request import ApplyRequest
from ...models.error_envelope import ErrorEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    gig_id: str,
    *,
    body: ApplyRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/gigs/{gig_id}/applications".format(
            gig_id=quote(str(gig_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApplicationOut | ErrorEnvelope | None:
    if response.status_code == 201:
        response_201 = ApplicationOut.from_dict(response.json())

        return response_201

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
) -> Response[ApplicationOut | ErrorEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    gig_id: str,
    *,
    client: AuthenticatedClient,
    body: ApplyRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApplicationOut | ErrorEnvelope]:
    """Apply to a gig

     Applies to an open gig as the signed-in freelancer, with a cover letter and a proposed rate.

    Args:
        gig_id (str):
        idempotency_key (str | Unset):
        body (ApplyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApplicationOut | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        gig_id=gig_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    gig_id: str,
    *,
    client: AuthenticatedClient,
    body: ApplyRequest,
    idempotency_key: str | Unset = UNSET,
) -> ApplicationOut | ErrorEnvelope | None:
    """Apply to a gig

     Applies to an open gig as the signed-in freelancer, with a cover letter and a proposed rate.

    Args:
        gig_id (str):
        idempotency_key (str | Unset):
        body (ApplyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApplicationOut | ErrorEnvelope
    """

    return sync_detailed(
        gig_id=gig_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    gig_id: str,
    *,
    client: AuthenticatedClient,
    body: ApplyRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ApplicationOut | ErrorEnvelope]:
    """Apply to a gig

     Applies to an open gig as the signed-in freelancer, with a cover letter and a proposed rate.

    Args:
        gig_id (str):
        idempotency_key (str | Unset):
        body (ApplyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApplicationOut | ErrorEnvelope]
    """

    kwargs = _get_kwargs(
        gig_id=gig_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    gig_id: str,
    *,
    client: AuthenticatedClient,
    body: ApplyRequest,
    idempotency_key: str | Unset = UNSET,
) -> ApplicationOut | ErrorEnvelope | None:
    """Apply to a gig

     Applies to an open gig as the signed-in freelancer, with a cover letter and a proposed rate.

    Args:
        gig_id (str):
        idempotency_key (str | Unset):
        body (ApplyRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApplicationOut | ErrorEnvelope
    """

    return (
        await asyncio_detailed(
            gig_id=gig_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
