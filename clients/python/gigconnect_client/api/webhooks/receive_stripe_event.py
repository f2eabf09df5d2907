from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_envelope import ErrorEnvelope
from ...models.stripe_event_body import StripeEventBody
from ...models.webhook_out import WebhookOut
from ...types import Response


def _get_kwargs(
    *,
    body: StripeEventBody,
    stripe_signature: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["Stripe-Signature"] = stripe_signature

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/webhooks/stripe",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorEnvelope | WebhookOut | None:
    if response.status_code == 200:
        response_200 = WebhookOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorEnvelope.from_dict(response.json())

        return response_400

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
) -> Response[ErrorEnvelope | WebhookOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: StripeEventBody,
    stripe_signature: str,
) -> Response[ErrorEnvelope | WebhookOut]:
    """Stripe's events (signature-verified, queued, applied once)

     Stripe's signed events; each is queued before the answer and applied once.

    Args:
        stripe_signature (str):
        body (StripeEventBody): What POST /webhooks/stripe reads of a Stripe event (the rest is
            Stripe's and passed over). The body is read as sent, after its Stripe-Signature verifies;
            anything else is refused with 400.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: StripeEventBody,
    stripe_signature: str,
) -> ErrorEnvelope | WebhookOut | None:
    """Stripe's events (signature-verified, queued, applied once)

     Stripe's signed events; each is queued before the answer and applied once.

    Args:
        stripe_signature (str):
        body (StripeEventBody): What POST /webhooks/stripe reads of a Stripe event (the rest is
            Stripe's and passed over). The body is read as sent, after its Stripe-Signature verifies;
            anything else is refused with 400.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookOut
    """

    return sync_detailed(
        client=client,
        body=body,
        stripe_signature=stripe_signature,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: StripeEventBody,
    stripe_signature: str,
) -> Response[ErrorEnvelope | WebhookOut]:
    """Stripe's events (signature-verified, queued, applied once)

     Stripe's signed events; each is queued before the answer and applied once.

    Args:
        stripe_signature (str):
        body (StripeEventBody): What POST /webhooks/stripe reads of a Stripe event (the rest is
            Stripe's and passed over). The body is read as sent, after its Stripe-Signature verifies;
            anything else is refused with 400.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorEnvelope | WebhookOut]
    """

    kwargs = _get_kwargs(
        body=body,
        stripe_signature=stripe_signature,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: StripeEventBody,
    stripe_signature: str,
) -> ErrorEnvelope | WebhookOut | None:
    """Stripe's events (signature-verified, queued, applied once)

     Stripe's signed events; each is queued before the answer and applied once.

    Args:
        stripe_signature (str):
        body (StripeEventBody): What POST /webhooks/stripe reads of a Stripe event (the rest is
            Stripe's and passed over). The body is read as sent, after its Stripe-Signature verifies;
            anything else is refused with 400.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorEnvelope | WebhookOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            stripe_signature=stripe_signature,
        )
    ).parsed
