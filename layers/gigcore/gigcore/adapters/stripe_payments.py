"""Stripe adapter of :class:`gigcore.ports.payments.PaymentGateway` ("separate charges and transfers").

``stripe`` is imported lazily, on the first call that needs it: the API's cold start does not pay for it.
The client is built once per instance. Money crosses the border as minor units on both sides; the currency
is ISO upper case here and lower case at Stripe. Every call that creates something sends the caller's
``idempotency_key``, so Stripe answers a retried call with the first answer.

Errors are translated as the port says (see :func:`_translated`): a decline is ``PaymentFailedError``, an
outage or a misconfiguration ``UpstreamUnavailableError``, a business refusal ``PaymentRefusedError``; an
``InvalidRequestError`` we do not recognise is a bug in our parameters and is raised as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger

from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    NotFoundError,
    PaymentFailedError,
    UpstreamUnavailableError,
)
from gigcore.domain.money import Money
from gigcore.observability import SERVICE
from gigcore.ports.payments import (
    ConnectedAccount,
    IntentStatus,
    InvalidSignatureError,
    PaymentIntent,
    PaymentRefusedError,
    Refund,
    Reversal,
    Transfer,
    WebhookEvent,
)

if TYPE_CHECKING:
    from stripe import StripeClient

logger = Logger(service=SERVICE, child=True)

#: ``InvalidRequestError`` codes that are Stripe refusing for a business reason (nothing happened), with the
#: words a client sees. Stripe's documented codes, and those the local Connect service answers.
_REFUSALS: dict[str, str] = {
    "amount_too_large": "The amount is more than what is left to move.",
    "amount_too_small": "The amount is below the smallest the payment provider accepts.",
    "balance_insufficient": "The platform balance cannot cover this transfer yet.",
    "charge_already_refunded": "The payment has already been refunded in full.",
    "charge_disputed": "The payment is disputed with the card issuer.",
    "charge_not_refundable": "The payment cannot be refunded.",
    "insufficient_capabilities_for_transfer": "The payout account cannot receive transfers.",
    "transfers_not_allowed": "The payout account cannot receive transfers.",
    "account_invalid": "The payout account cannot receive transfers.",
    "transfer_already_reversed": "The transfer has already been reversed in full.",
    "payment_intent_unexpected_state": "The payment is not in a state that allows this.",
}

#: The detail's ``field`` for refusals about the payee rather than the payment.
_REFUSAL_FIELDS: dict[str, str] = {
    "insufficient_capabilities_for_transfer": "payout_account",
    "transfers_not_allowed": "payout_account",
    "account_invalid": "payout_account",
}


def _money(amount: int, currency: str) -> Money:
    return Money(amount=int(amount), currency=currency.upper())


def _metadata(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in dict(value or {}).items()}


def _object_id(value: Any) -> str | None:
    """An expandable field: the id whether Stripe sent the id or the object."""
    if value is None:
        return None
    return value if isinstance(value, str) else str(value.id)


@contextmanager
def _translated(operation: str) -> Iterator[None]:
    """Stripe's errors as the port's; ``operation`` names the call in the logs."""
    import stripe

    try:
        yield
    except stripe.CardError as exc:
        issue = (exc.error.decline_code if exc.error is not None else None) or exc.code or "card_declined"
        raise PaymentFailedError("The card was declined.",
                                 details=[ErrorDetail(field="payment_method_id", issue=issue)]) from exc
    except stripe.IdempotencyError as exc:
        # Same key, other parameters: our key derivation is wrong, or a concurrent call raced us.
        logger.warning("Stripe refused a reused idempotency key", extra={"operation": operation})
        raise ConflictError("The same payment operation is being processed; try again shortly.") from exc
    except (stripe.AuthenticationError, stripe.PermissionError) as exc:
        # A misconfiguration (key revoked, wrong account): never the user's fault.
        logger.error("Stripe refused our credentials", extra={"operation": operation,
                                                              "http_status": exc.http_status})
        raise UpstreamUnavailableError("The payment provider is unavailable; try again shortly.") from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        logger.warning("Stripe unreachable or rate-limiting", extra={"operation": operation})
        raise UpstreamUnavailableError("The payment provider is unavailable; try again shortly.") from exc
    except stripe.InvalidRequestError as exc:
        code = exc.code or ""
        if code in _REFUSALS:
            raise PaymentRefusedError(_REFUSALS[code], reason=code,
                                      field_name=_REFUSAL_FIELDS.get(code, "payment")) from exc
        if code == "resource_missing" or exc.http_status == 404:
            raise NotFoundError("No such payment object.") from exc
        raise
    except stripe.APIError as exc:
        if exc.http_status == 409:
            raise ConflictError("The same payment operation is being processed; try again shortly.") from exc
        logger.warning("Stripe answered an error", extra={"operation": operation, "http_status": exc.http_status})
        raise UpstreamUnavailableError("The payment provider is unavailable; try again shortly.") from exc


class StripePaymentGateway:
    """The port over Stripe's v1 API (``StripeClient``); ``api_base`` points it at the local Stripe."""

    def __init__(self, secret_key: str, webhook_secret: str, *, api_base: str | None = None,
                 timeout_s: float = 10.0, max_network_retries: int = 0, tolerance_s: int = 300) -> None:
        self._secret_key = secret_key
        self._webhook_secret = webhook_secret
        self._api_base = api_base
        self._timeout_s = timeout_s
        self._max_network_retries = max_network_retries
        self._tolerance_s = tolerance_s
        self._client: StripeClient | None = None

    @property
    def _v1(self) -> Any:
        if self._client is None:
            import stripe

            self._client = stripe.StripeClient(
                self._secret_key,
                base_addresses={"api": self._api_base} if self._api_base else None,
                max_network_retries=self._max_network_retries,
                http_client=stripe.new_default_http_client(timeout=self._timeout_s),
            )
        return self._client.v1

    # ---- connected accounts ------------------------------------------------------------------------

    def create_account(self, *, user_id: str, email: str, idempotency_key: str) -> ConnectedAccount:
        with _translated("create_account"):
            account = self._v1.accounts.create(
                {"type": "express", "email": email, "metadata": {"user_id": user_id},
                 "capabilities": {"transfers": {"requested": True}}},
                {"idempotency_key": idempotency_key})
        return _account(account)

    def get_account(self, account_id: str) -> ConnectedAccount:
        with _translated("get_account"):
            account = self._v1.accounts.retrieve(account_id)
        return _account(account)

    def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        # No idempotency key: each call must give a fresh single-use link.
        with _translated("onboarding_link"):
            link = self._v1.account_links.create({"account": account_id, "type": "account_onboarding",
                                                  "refresh_url": refresh_url, "return_url": return_url})
        return str(link.url)

    # ---- PaymentIntents ------------------------------------------------------------------------------

    def create_payment_intent(self, *, amount: Money, transfer_group: str, metadata: Mapping[str, str],
                              payment_method_id: str | None, idempotency_key: str,
                              description: str | None = None) -> PaymentIntent:
        params: dict[str, Any] = {
            "amount": amount.amount, "currency": amount.currency.lower(), "payment_method_types": ["card"],
            "capture_method": "automatic", "transfer_group": transfer_group, "metadata": dict(metadata),
        }
        if description is not None:
            params["description"] = description
        if payment_method_id is not None:
            params["payment_method"] = payment_method_id
            params["confirm"] = True
        with _translated("create_payment_intent"):
            intent = self._v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
        return _intent(intent)

    def confirm_payment_intent(self, intent_id: str, *, payment_method_id: str,
                               idempotency_key: str) -> PaymentIntent:
        with _translated("confirm_payment_intent"):
            intent = self._v1.payment_intents.confirm(intent_id, {"payment_method": payment_method_id},
                                                      {"idempotency_key": idempotency_key})
        return _intent(intent)

    def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        with _translated("get_payment_intent"):
            intent = self._v1.payment_intents.retrieve(intent_id)
        return _intent(intent)

    def cancel_payment_intent(self, intent_id: str, *, idempotency_key: str) -> PaymentIntent:
        with _translated("cancel_payment_intent"):
            intent = self._v1.payment_intents.cancel(intent_id, {}, {"idempotency_key": idempotency_key})
        return _intent(intent)

    # ---- transfers, reversals, refunds ---------------------------------------------------------------

    def create_transfer(self, *, amount: Money, destination: str, source_transaction: str, transfer_group: str,
                        metadata: Mapping[str, str], idempotency_key: str) -> Transfer:
        with _translated("create_transfer"):
            transfer = self._v1.transfers.create(
                {"amount": amount.amount, "currency": amount.currency.lower(), "destination": destination,
                 "source_transaction": source_transaction, "transfer_group": transfer_group,
                 "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key})
        return Transfer(id=str(transfer.id), amount=_money(transfer.amount, transfer.currency),
                        destination=str(_object_id(transfer.destination)),
                        amount_reversed=_money(transfer.amount_reversed or 0, transfer.currency))

    def reverse_transfer(self, transfer_id: str, *, amount: Money, metadata: Mapping[str, str],
                         idempotency_key: str) -> Reversal:
        with _translated("reverse_transfer"):
            reversal = self._v1.transfers.reversals.create(
                transfer_id, {"amount": amount.amount, "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key})
        return Reversal(id=str(reversal.id), transfer_id=str(_object_id(reversal.transfer)),
                        amount=_money(reversal.amount, reversal.currency))

    def refund(self, *, payment_intent_id: str, amount: Money, metadata: Mapping[str, str],
               idempotency_key: str) -> Refund:
        with _translated("refund"):
            refund = self._v1.refunds.create(
                {"payment_intent": payment_intent_id, "amount": amount.amount, "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key})
        currency = getattr(refund, "currency", None) or amount.currency
        return Refund(id=str(refund.id), amount=_money(refund.amount, currency), status=str(refund.status))

    # ---- webhooks --------------------------------------------------------------------------------------

    def parse_event(self, payload: bytes, signature: str) -> WebhookEvent:
        import stripe

        try:
            stripe.Webhook.construct_event(payload, signature, self._webhook_secret, self._tolerance_s,
                                           api_key=self._secret_key)
            # The signature verified: read the body as sent (plain JSON, no StripeObject).
            raw = json.loads(payload)
            obj = raw["data"]["object"]
            return WebhookEvent(id=str(raw["id"]), type=str(raw["type"]), object_id=str(obj["id"]),
                                object=cast(Mapping[str, object], obj), created=int(raw["created"]))
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignatureError(str(exc)) from exc
        except (ValueError, KeyError, TypeError) as exc:  # not JSON, not UTF-8, or not an event
            raise InvalidSignatureError("The payload is not a Stripe event.") from exc


def _account(account: Any) -> ConnectedAccount:
    return ConnectedAccount(id=str(account.id), payouts_enabled=bool(account.payouts_enabled))


def _intent(intent: Any) -> PaymentIntent:
    data: dict[str, Any] = intent.to_dict()
    status = cast(IntentStatus, str(data["status"]))
    error = data.get("last_payment_error") or {}
    failure = error.get("decline_code") or error.get("code")
    charge = data.get("latest_charge")
    return PaymentIntent(
        id=str(data["id"]), status=status, amount=_money(data["amount"], data["currency"]),
        client_secret=str(data["client_secret"]),
        # The port's contract: the charge of a succeeded intent (a failed attempt's charge moves nothing).
        charge_id=(charge if isinstance(charge, str) else charge["id"]) if charge and status == "succeeded" else None,
        transfer_group=data.get("transfer_group"), metadata=_metadata(data.get("metadata")),
        failure_code=str(failure) if failure else None,
    )
