"""The payment provider port: Stripe, "separate charges and transfers" (docs/escrow.md).

The client pays a milestone into the platform's balance (a PaymentIntent whose ``transfer_group`` is the
milestone id); release is a Transfer to the freelancer's connected account from that charge; a refund before
release is a Refund; after release the transfer is reversed first.

Every call that creates something takes an ``idempotency_key`` derived from the business operation (see
``gigcore.services.escrow``): the same key always answers the first answer again, so a retried Lambda never
charges, pays or refunds twice. Errors, whatever the adapter:

- :class:`PaymentFailedError` (402): the card was declined; ``details`` = ``[{"field": "payment_method_id",
  "issue": <Stripe's decline_code, or its code>}]``.
- :class:`UpstreamUnavailableError` (503): the provider could not be reached, timed out, answered 5xx or
  rate-limited us. The call may or may not have taken effect: retry it with the same key.
- :class:`ConflictError` (409): the same key is still being processed by another request.
- :class:`PaymentRefusedError` (409 ``invalid_state``): the provider refused the operation for a business
  reason (a destination that cannot receive transfers, an amount beyond what is left); nothing happened.
- :class:`NotFoundError` (404): no such object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from gigcore.domain.errors import ErrorDetail, InvalidStateError
from gigcore.domain.money import Money

#: Stripe's PaymentIntent statuses.
IntentStatus = Literal["requires_payment_method", "requires_confirmation", "requires_action", "processing",
                       "requires_capture", "canceled", "succeeded"]


class PaymentRefusedError(InvalidStateError):
    """The provider refused for a business reason (nothing moved); ``reason`` is its code."""

    def __init__(self, message: str, *, reason: str, field_name: str = "payment") -> None:
        super().__init__(message, details=[ErrorDetail(field=field_name, issue=reason)])
        self.reason = reason


class InvalidSignatureError(Exception):
    """A webhook payload whose signature does not verify with the endpoint secret (or is too old)."""


@dataclass(frozen=True)
class ConnectedAccount:
    """A freelancer's Stripe Connect account."""

    id: str
    payouts_enabled: bool


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: IntentStatus
    amount: Money
    client_secret: str
    #: The charge of a succeeded intent (what a transfer's ``source_transaction`` and a refund name).
    charge_id: str | None = None
    transfer_group: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    #: Why the last attempt failed (Stripe's ``last_payment_error`` decline code or code), if it did.
    failure_code: str | None = None


@dataclass(frozen=True)
class Transfer:
    id: str
    amount: Money
    destination: str
    amount_reversed: Money


@dataclass(frozen=True)
class Refund:
    id: str
    amount: Money
    status: str


@dataclass(frozen=True)
class Reversal:
    id: str
    transfer_id: str
    amount: Money


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event. ``object_id`` is ``data.object.id``; ``object`` the object as sent."""

    id: str
    type: str
    object_id: str
    object: Mapping[str, object]
    created: int


class PaymentGateway(Protocol):
    def create_account(self, *, user_id: str, email: str, idempotency_key: str) -> ConnectedAccount:
        """A new Express connected account for a freelancer (``metadata.user_id`` names them)."""

    def get_account(self, account_id: str) -> ConnectedAccount:
        """The account as the provider knows it now."""

    def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        """A fresh single-use onboarding URL (an Account Link); never stored."""

    def create_payment_intent(self, *, amount: Money, transfer_group: str, metadata: Mapping[str, str],
                              payment_method_id: str | None, idempotency_key: str,
                              description: str | None = None) -> PaymentIntent:
        """A PaymentIntent with automatic capture; confirmed at once with ``payment_method_id`` when given
        (then :class:`PaymentFailedError` on a decline), else left for the app to confirm."""

    def confirm_payment_intent(self, intent_id: str, *, payment_method_id: str,
                               idempotency_key: str) -> PaymentIntent:
        """Confirm an existing intent with a payment method (a new attempt after a decline)."""

    def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        """The intent as the provider knows it now (what reconciliation trusts)."""

    def cancel_payment_intent(self, intent_id: str, *, idempotency_key: str) -> PaymentIntent:
        """Cancel an intent that has not succeeded, so that no later confirmation can charge it;
        :class:`PaymentRefusedError` (``payment_intent_unexpected_state``) when it has succeeded."""

    def create_transfer(self, *, amount: Money, destination: str, source_transaction: str, transfer_group: str,
                        metadata: Mapping[str, str], idempotency_key: str) -> Transfer:
        """Move ``amount`` of the charge ``source_transaction`` to the connected account ``destination``."""

    def reverse_transfer(self, transfer_id: str, *, amount: Money, metadata: Mapping[str, str],
                         idempotency_key: str) -> Reversal:
        """Take ``amount`` of a transfer back from the connected account."""

    def refund(self, *, payment_intent_id: str, amount: Money, metadata: Mapping[str, str],
               idempotency_key: str) -> Refund:
        """Refund ``amount`` of the intent's charge to the payer (partial and repeated refunds allowed, up to
        what is left of the charge)."""

    def parse_event(self, payload: bytes, signature: str) -> WebhookEvent:
        """Verify ``signature`` (the ``Stripe-Signature`` header) over the raw ``payload`` with the endpoint
        secret and decode it; :class:`InvalidSignatureError` when it does not verify."""
