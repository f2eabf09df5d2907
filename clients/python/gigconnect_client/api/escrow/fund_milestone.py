from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.fund_out import FundOut
from ...models.fund_request import FundRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    contract_id: str,
    milestone_id: str,
    *,
    body: FundRequest | Unset = UNSET,
    idempotency_key: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/contracts/{contract_id}/milestones/{milestone_id}/fund".format(
            contract_id=quote(str(contract_id), safe=""),
            milestone_id=quote(str(milestone_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | FundOut | None:
    if response.status_code == 200:
        response_200 = FundOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorEnvelope.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = ErrorEnvelope.from_dict(response.json())

        return response_402

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
) -> Response[ErrorEnvelope | FundOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    contract_id: str,
    milestone_id: str,
    *,
    client: AuthenticatedClient,
    body: FundRequest | Unset = UNSET,
    idempotency_key: str,
) -> Response[ErrorEnvelope | FundOut]:
    """Pay a milestone into escrow (the client)

     Charges the client for a milestone into escrow. The answer carries the PaymentIntent's client_secret
    for the app to confirm the payment when it needs the payer (3-D Secure); the milestone is funded
    once the payment succeeds.

    Args:
        contract_id (str):
        milestone_id (str):
        idempotency_key (str):
        body (FundRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | FundOut]
    """

    kwargs = _get_kwargs(
        contract_id=contract_id,
        milestone_id=milestone_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    contract_id: str,
    milestone_id: str,
    *,
    client: AuthenticatedClient,
    body: FundRequest | Unset = UNSET,
    idempotency_key: str,
) -> ErrorEnvelope | FundOut | None:
    """Pay a milestone into escrow (the client)

     Charges the client for a milestone into escrow. The answer carries the PaymentIntent's client_secret
    for the app to confirm the payment when it needs the payer (3-D Secure); the milestone is funded
    once the payment succeeds.

    Args:
        contract_id (str):
        milestone_id (str):
        idempotency_key (str):
        body (FundRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | FundOut
    """

    return sync_detailed(
        contract_id=contract_id,
        milestone_id=milestone_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    contract_id: str,
    milestone_id: str,
    *,
    client: AuthenticatedClient,
    body: FundRequest | Unset = UNSET,
    idempotency_key: str,
) -> Response[ErrorEnvelope | FundOut]:
    """Pay a milestone into escrow (the client)

     Charges the client for a milestone into escrow. The answer carries the PaymentIntent's client_secret
    for the app to confirm the payment when it needs the payer (3-D Secure); the milestone is funded
    once the payment succeeds.

    Args:
        contract_id (str):
        milestone_id (str):
        idempotency_key (str):
        body (FundRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | FundOut]
    """

    kwargs = _get_kwargs(
        contract_id=contract_id,
        milestone_id=milestone_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    contract_id: str,
    milestone_id: str,
    *,
    client: AuthenticatedClient,
    body: FundRequest | Unset = UNSET,
    idempotency_key: str,
) -> ErrorEnvelope | FundOut | None:
    """Pay a milestone into escrow (the client)

     Charges the client for a milestone into escrow. The answer carries the PaymentIntent's client_secret
    for the app to confirm the payment when it needs the payer (3-D Secure); the milestone is funded
    once the payment succeeds.

    Args:
        contract_id (str):
        milestone_id (str):
        idempotency_key (str):
        body (FundRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | FundOut
    """

    return (
        await asyncio_detailed(
            contract_id=contract_id,
            milestone_id=milestone_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
