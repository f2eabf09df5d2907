"""An in-memory :class:`gigcore.ports.payments.PaymentGateway` for unit tests of the escrow service.

It behaves as :class:`gigcore.adapters.stripe_payments.StripePaymentGateway` does against the local Stripe
(tests/integration/test_stripe_gateway.py pins that behaviour down):

- An idempotency key replays the first answer of its call, a decline or a not-found included (as Stripe
  saves 402 and 404 answers); the same key with other parameters is a :class:`ConflictError`. Business
  refusals are not saved (the local Stripe does not save 400 answers), so a retry is judged afresh.
- ``pm_card_visa`` (and ``pm_card_mastercard``) succeed; the declining test cards raise
  :class:`PaymentFailedError` with Stripe's ``decline_code`` (``pm_card_chargeDeclined``: ``generic_decline``,
  its ``code`` being ``card_declined``; ``pm_card_chargeDeclinedInsufficientFunds``: ``insufficient_funds``...)
  and leave the intent ``requires_payment_method`` with that ``failure_code``; an intent created without a
  payment method stays ``requires_payment_method`` until :meth:`FakePaymentGateway.succeed` or
  :meth:`FakePaymentGateway.fail` (what the app's "confirm with the SDK" would cause).
- Transfers are capped at the charge's amount minus what was refunded and transferred (net of reversals),
  reversals at what is left of the transfer, refunds at what is left of the charge: beyond, a
  :class:`PaymentRefusedError` with Stripe's code (``amount_too_large``, ``transfer_already_reversed``,
  ``charge_already_refunded``). A destination without ``payouts_enabled`` is refused with
  ``insufficient_capabilities_for_transfer``.
- :meth:`FakePaymentGateway.outage` makes the next n provider calls raise :class:`UpstreamUnavailableError`,
  before they take effect or after (the answer lost on the way back), to test crash recovery.
- :meth:`FakePaymentGateway.event` gives a payload and a ``Stripe-Signature`` that :meth:`parse_event` accepts.

A call Stripe would answer with an ``InvalidRequestError`` we do not translate (a bug in our parameters, such
as refunding an intent that never succeeded) raises :class:`FakeInvalidRequestError`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from gigcore.domain.errors import (
    ConflictError,
    DomainError,
    ErrorDetail,
    NotFoundError,
    PaymentFailedError,
    UpstreamUnavailableError,
)
from gigcore.domain.money import Money
from gigcore.ports.payments import (
    ConnectedAccount,
    InvalidSignatureError,
    PaymentIntent,
    PaymentRefusedError,
    Refund,
    Reversal,
    Transfer,
    WebhookEvent,
)

T = TypeVar("T")

FAKE_WEBHOOK_SECRET = "whsec_fake"

#: Stripe's test payment methods that succeed.
SUCCEEDING_CARDS = frozenset({"pm_card_visa", "pm_card_mastercard"})

#: Stripe's declining test payment methods and their decline_code (what the adapter puts in ``details``).
DECLINING_CARDS: dict[str, str] = {
    "pm_card_chargeDeclined": "generic_decline",
    "pm_card_visa_chargeDeclined": "generic_decline",
    "pm_card_chargeCustomerFail": "generic_decline",
    "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds",
    "pm_card_chargeDeclinedLostCard": "lost_card",
    "pm_card_chargeDeclinedStolenCard": "stolen_card",
    "pm_card_chargeDeclinedExpiredCard": "expired_card",
    "pm_card_chargeDeclinedIncorrectCvc": "incorrect_cvc",
    "pm_card_chargeDeclinedProcessingError": "processing_error",
    "pm_card_chargeDeclinedFraudulent": "fraudulent",
}

_REFUSALS = {
    "amount_too_large": "The amount is more than what is left to move.",
    "charge_already_refunded": "The payment has already been refunded in full.",
    "insufficient_capabilities_for_transfer": "The payout account cannot receive transfers.",
    "transfer_already_reversed": "The transfer has already been reversed in full.",
    "payment_intent_unexpected_state": "The payment is not in a state that allows this.",
}


class FakeInvalidRequestError(Exception):
    """What Stripe's untranslated ``InvalidRequestError`` is in the real adapter: a bug in our call."""


def _refused(code: str) -> PaymentRefusedError:
    field_name = "payout_account" if code == "insufficient_capabilities_for_transfer" else "payment"
    return PaymentRefusedError(_REFUSALS[code], reason=code, field_name=field_name)


def _unavailable() -> UpstreamUnavailableError:
    return UpstreamUnavailableError("The payment provider is unavailable; try again shortly.")


@dataclass
class FakeCharge:
    """A succeeded charge: what transfers and refunds draw on."""

    id: str
    intent_id: str
    amount: Money
    refunded: int = 0


@dataclass(frozen=True)
class _Saved:
    operation: str
    params: Any
    answer: Any  # the first answer, or the DomainError it raised


class FakePaymentGateway:
    """The payment port in memory; see the module docstring for its behaviour."""

    def __init__(self, webhook_secret: str = FAKE_WEBHOOK_SECRET, *, tolerance_s: int = 300,
                 now: Callable[[], float] = time.time) -> None:
        self.webhook_secret = webhook_secret
        self.tolerance_s = tolerance_s
        self.now = now
        #: Whether new accounts can receive payouts at once (the local Stripe's default) or only once their
        #: onboarding link was opened (:meth:`open_link`).
        self.new_accounts_payouts_enabled = True
        #: Every provider call, in order, failed ones included: (operation, idempotency_key or None).
        self.calls: list[tuple[str, str | None]] = []
        self.accounts: dict[str, ConnectedAccount] = {}
        self.account_users: dict[str, str] = {}
        self.intents: dict[str, PaymentIntent] = {}
        self.transfers: list[Transfer] = []
        self.reversals: list[Reversal] = []
        self.refunds: list[Refund] = []
        self.links: dict[str, str] = {}  # onboarding url -> account id
        #: refund id -> the intent it refunded.
        self.refunded_intents: dict[str, str] = {}
        self._charges: dict[str, FakeCharge] = {}
        self._transfer_sources: dict[str, str] = {}  # transfer id -> charge id
        self._saved: dict[str, _Saved] = {}
        self._ids = itertools.count(1)
        self._outages = 0
        self._outage_after_effect = False

    # ---- test controls -----------------------------------------------------------------------------------

    def outage(self, n: int = 1, *, after_effect: bool = False) -> None:
        """The next ``n`` provider calls raise :class:`UpstreamUnavailableError`: before doing anything, or
        (``after_effect``) once the call took effect and its answer was saved under its key."""
        self._outages = n
        self._outage_after_effect = after_effect

    def set_payouts_enabled(self, account_id: str, enabled: bool) -> None:
        self.accounts[account_id] = replace(self._account(account_id), payouts_enabled=enabled)

    def open_link(self, url: str) -> None:
        """What the freelancer finishing Stripe's onboarding page does."""
        self.set_payouts_enabled(self.links[url], True)

    def succeed(self, intent_id: str) -> PaymentIntent:
        """The app confirmed the intent with the SDK and the card was charged."""
        return self._charge(self._intent(intent_id))

    def fail(self, intent_id: str, code: str = "generic_decline") -> PaymentIntent:
        """The app confirmed the intent with the SDK and the card was declined with ``code``."""
        if self._intent(intent_id).status == "succeeded":
            raise ValueError(f"{intent_id} has already succeeded")
        intent = replace(self._intent(intent_id), status="requires_payment_method", failure_code=code)
        self.intents[intent_id] = intent
        return intent

    def charge_of(self, intent_id: str) -> FakeCharge:
        charge_id = self._intent(intent_id).charge_id
        if charge_id is None:
            raise KeyError(f"{intent_id} has no charge")
        return self._charges[charge_id]

    def event(self, type: str, obj: Mapping[str, Any], *, event_id: str | None = None,
              created: int | None = None, signed_at: int | None = None,
              secret: str | None = None) -> tuple[bytes, str]:
        """A Stripe event around ``obj`` (which must have an ``id``) and its ``Stripe-Signature``."""
        at = int(self.now()) if signed_at is None else signed_at
        payload = json.dumps({
            "id": event_id or self._id("evt_"), "object": "event", "type": type,
            "created": int(self.now()) if created is None else created, "livemode": False,
            "data": {"object": dict(obj)},
        }).encode()
        return payload, sign(payload, secret or self.webhook_secret, at)

    def intent_object(self, intent_id: str) -> dict[str, Any]:
        """The intent as Stripe would send it in an event."""
        intent = self._intent(intent_id)
        return {"id": intent.id, "object": "payment_intent", "status": intent.status,
                "amount": intent.amount.amount, "currency": intent.amount.currency.lower(),
                "latest_charge": intent.charge_id, "transfer_group": intent.transfer_group,
                "metadata": dict(intent.metadata),
                "last_payment_error": ({"code": "card_declined", "decline_code": intent.failure_code}
                                       if intent.failure_code else None)}

    # ---- the port: accounts ----------------------------------------------------------------------------------

    def create_account(self, *, user_id: str, email: str, idempotency_key: str) -> ConnectedAccount:
        def run() -> ConnectedAccount:
            account = ConnectedAccount(id=self._id("acct_"), payouts_enabled=self.new_accounts_payouts_enabled)
            self.accounts[account.id] = account
            self.account_users[account.id] = user_id
            return account

        return self._keyed("create_account", idempotency_key, (user_id, email), run)

    def get_account(self, account_id: str) -> ConnectedAccount:
        return self._unkeyed("get_account", lambda: self._account(account_id))

    def onboarding_link(self, account_id: str, *, refresh_url: str, return_url: str) -> str:
        def run() -> str:
            self._account(account_id)
            url = f"http://localhost/_fake/connect/onboarding/{self._id('link_')}"
            self.links[url] = account_id
            return url

        return self._unkeyed("onboarding_link", run)

    # ---- the port: PaymentIntents ------------------------------------------------------------------------

    def create_payment_intent(self, *, amount: Money, transfer_group: str, metadata: Mapping[str, str],
                              payment_method_id: str | None, idempotency_key: str,
                              description: str | None = None) -> PaymentIntent:
        def run() -> PaymentIntent:
            if amount.amount < 1:
                raise FakeInvalidRequestError("amount must be at least 1")
            if payment_method_id is not None:
                self._known_payment_method(payment_method_id)
            intent_id = self._id("pi_")
            intent = PaymentIntent(id=intent_id, status="requires_payment_method", amount=amount,
                                   client_secret=f"{intent_id}_secret_fake", transfer_group=transfer_group,
                                   metadata=dict(metadata))
            self.intents[intent_id] = intent
            return intent if payment_method_id is None else self._attempt(intent, payment_method_id)

        params = (amount, transfer_group, sorted(metadata.items()), payment_method_id, description)
        return self._keyed("create_payment_intent", idempotency_key, params, run)

    def confirm_payment_intent(self, intent_id: str, *, payment_method_id: str,
                               idempotency_key: str) -> PaymentIntent:
        def run() -> PaymentIntent:
            intent = self._intent(intent_id)
            self._known_payment_method(payment_method_id)
            if intent.status not in ("requires_payment_method", "requires_confirmation"):
                raise _refused("payment_intent_unexpected_state")
            return self._attempt(intent, payment_method_id)

        return self._keyed("confirm_payment_intent", idempotency_key, (intent_id, payment_method_id), run)

    def get_payment_intent(self, intent_id: str) -> PaymentIntent:
        return self._unkeyed("get_payment_intent", lambda: self._intent(intent_id))

    def cancel_payment_intent(self, intent_id: str, *, idempotency_key: str) -> PaymentIntent:
        def run() -> PaymentIntent:
            intent = self._intent(intent_id)
            if intent.status in ("succeeded", "canceled"):
                raise _refused("payment_intent_unexpected_state")
            self.intents[intent_id] = replace(intent, status="canceled")
            return self.intents[intent_id]

        return self._keyed("cancel_payment_intent", idempotency_key, (intent_id,), run)

    # ---- the port: transfers, reversals, refunds -------------------------------------------------------------

    def create_transfer(self, *, amount: Money, destination: str, source_transaction: str, transfer_group: str,
                        metadata: Mapping[str, str], idempotency_key: str) -> Transfer:
        def run() -> Transfer:
            account = self.accounts.get(destination)
            if account is None:
                raise NotFoundError("No such payment object.")
            if not account.payouts_enabled:
                raise _refused("insufficient_capabilities_for_transfer")
            charge = self._charges.get(source_transaction)
            if charge is None:
                raise NotFoundError("No such payment object.")
            if amount.currency != charge.amount.currency:
                raise FakeInvalidRequestError("the transfer's currency must be the source transaction's")
            if amount.amount < 1:
                raise FakeInvalidRequestError("amount must be at least 1")
            if amount.amount > charge.amount.amount - charge.refunded - self._transferred_from(charge.id):
                raise _refused("amount_too_large")
            transfer = Transfer(id=self._id("tr_"), amount=amount, destination=destination,
                                amount_reversed=Money.zero(amount.currency))
            self.transfers.append(transfer)
            self._transfer_sources[transfer.id] = charge.id
            return transfer

        params = (amount, destination, source_transaction, transfer_group, sorted(metadata.items()))
        return self._keyed("create_transfer", idempotency_key, params, run)

    def reverse_transfer(self, transfer_id: str, *, amount: Money, metadata: Mapping[str, str],
                         idempotency_key: str) -> Reversal:
        def run() -> Reversal:
            index = next((i for i, t in enumerate(self.transfers) if t.id == transfer_id), None)
            if index is None:
                raise NotFoundError("No such payment object.")
            transfer = self.transfers[index]
            left = transfer.amount.amount - transfer.amount_reversed.amount
            if left <= 0:
                raise _refused("transfer_already_reversed")
            if amount.amount < 1:
                raise FakeInvalidRequestError("amount must be at least 1")
            if amount.amount > left:
                raise _refused("amount_too_large")
            self.transfers[index] = replace(transfer, amount_reversed=transfer.amount_reversed + amount)
            reversal = Reversal(id=self._id("trr_"), transfer_id=transfer_id, amount=amount)
            self.reversals.append(reversal)
            return reversal

        return self._keyed("reverse_transfer", idempotency_key, (transfer_id, amount, sorted(metadata.items())),
                           run)

    def refund(self, *, payment_intent_id: str, amount: Money, metadata: Mapping[str, str],
               idempotency_key: str) -> Refund:
        def run() -> Refund:
            intent = self._intent(payment_intent_id)
            if intent.status != "succeeded" or intent.charge_id is None:
                raise FakeInvalidRequestError(f"{payment_intent_id} does not have a successful charge to refund")
            charge = self._charges[intent.charge_id]
            left = charge.amount.amount - charge.refunded
            if left <= 0:
                raise _refused("charge_already_refunded")
            if amount.amount < 1:
                raise FakeInvalidRequestError("amount must be at least 1")
            if amount.amount > left:
                raise _refused("amount_too_large")
            charge.refunded += amount.amount
            refund = Refund(id=self._id("re_"), amount=amount, status="succeeded")
            self.refunds.append(refund)
            self.refunded_intents[refund.id] = payment_intent_id
            return refund

        return self._keyed("refund", idempotency_key, (payment_intent_id, amount, sorted(metadata.items())), run)

    # ---- the port: webhooks ------------------------------------------------------------------------------------

    def parse_event(self, payload: bytes, signature: str) -> WebhookEvent:
        verify(payload, signature, self.webhook_secret, self.tolerance_s, self.now())
        try:
            raw = json.loads(payload)
            obj = raw["data"]["object"]
            return WebhookEvent(id=str(raw["id"]), type=str(raw["type"]), object_id=str(obj["id"]), object=obj,
                                created=int(raw["created"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidSignatureError("The payload is not a Stripe event.") from exc

    # ---- inside ----------------------------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        return f"{prefix}fake{next(self._ids):08d}"

    def _account(self, account_id: str) -> ConnectedAccount:
        account = self.accounts.get(account_id)
        if account is None:
            raise NotFoundError("No such payment object.")
        return account

    def _intent(self, intent_id: str) -> PaymentIntent:
        intent = self.intents.get(intent_id)
        if intent is None:
            raise NotFoundError("No such payment object.")
        return intent

    def _known_payment_method(self, payment_method_id: str) -> None:
        if payment_method_id not in SUCCEEDING_CARDS and payment_method_id not in DECLINING_CARDS:
            raise NotFoundError("No such payment object.")

    def _attempt(self, intent: PaymentIntent, payment_method_id: str) -> PaymentIntent:
        decline = DECLINING_CARDS.get(payment_method_id)
        if decline is None:
            return self._charge(intent)
        self.fail(intent.id, decline)
        raise PaymentFailedError("The card was declined.",
                                 details=[ErrorDetail(field="payment_method_id", issue=decline)])

    def _charge(self, intent: PaymentIntent) -> PaymentIntent:
        if intent.status == "succeeded":
            return intent
        charge = FakeCharge(id=self._id("ch_"), intent_id=intent.id, amount=intent.amount)
        self._charges[charge.id] = charge
        charged = replace(intent, status="succeeded", charge_id=charge.id, failure_code=None)
        self.intents[intent.id] = charged
        return charged

    def _transferred_from(self, charge_id: str) -> int:
        return sum(t.amount.amount - t.amount_reversed.amount for t in self.transfers
                   if self._transfer_sources.get(t.id) == charge_id)

    def _before(self) -> None:
        if self._outages > 0 and not self._outage_after_effect:
            self._outages -= 1
            raise _unavailable()

    def _after(self) -> bool:
        if self._outages > 0 and self._outage_after_effect:
            self._outages -= 1
            return True
        return False

    def _unkeyed(self, operation: str, run: Callable[[], T]) -> T:
        return self._call(operation, None, run)

    def _keyed(self, operation: str, key: str, params: Any, run: Callable[[], T]) -> T:
        def replayed() -> T:
            saved = self._saved.get(key)
            if saved is not None and (saved.operation, saved.params) != (operation, params):
                raise ConflictError("The same payment operation is being processed; try again shortly.")
            if saved is None:
                try:
                    answer = run()
                except (PaymentFailedError, NotFoundError) as exc:  # Stripe saves 402 and 404 answers
                    self._saved[key] = _Saved(operation, params, exc)
                    raise
                self._saved[key] = _Saved(operation, params, answer)
                return answer
            if isinstance(saved.answer, DomainError):
                raise saved.answer
            return saved.answer

        return self._call(operation, key, replayed)

    def _call(self, operation: str, key: str | None, run: Callable[[], T]) -> T:
        """Record the call, then the outages armed: before the effect (nothing happens) or after it (the
        answer, or the refusal, is lost)."""
        self.calls.append((operation, key))
        self._before()
        try:
            answer = run()
        except DomainError as exc:
            if self._after():
                raise _unavailable() from exc
            raise
        if self._after():
            raise _unavailable()
        return answer


def sign(payload: bytes, secret: str, at: int) -> str:
    """A ``Stripe-Signature`` header as Stripe makes it: ``t=<at>,v1=<HMAC-SHA256(secret, "<at>.<payload>")>``."""
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def verify(payload: bytes, header: str, secret: str, tolerance_s: int, now: float) -> None:
    """Stripe's check: some ``v1`` matches and ``t`` is within the tolerance, else InvalidSignatureError."""
    parts = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for name, value in parts if name == "t"]
    candidates = [value for name, value in parts if name == "v1"]
    if len(stamps) != 1 or not stamps[0].isdigit() or not candidates:
        raise InvalidSignatureError("Unable to extract timestamp and signatures from header")
    at = int(stamps[0])
    expected = sign(payload, secret, at).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise InvalidSignatureError("No signatures found matching the expected signature for payload")
    if tolerance_s and at < now - tolerance_s:
        raise InvalidSignatureError("Timestamp outside the tolerance zone")
