"""PaymentIntents: ``transfer_group``, ``description``, ``confirm(payment_method=...)`` and Stripe's declining
test cards (patched into localstripe's PaymentMethod, Charge and PaymentIntent by :func:`patch_localstripe`)."""

from __future__ import annotations

from typing import Any

from localstripe.errors import UserError
from localstripe.resources import Charge, Event, PaymentIntent, PaymentMethod
from localstripe.webhooks import schedule_webhook

from infra.local.stripe_connect.params import StripeError, int_param, is_true, metadata_param, refuse_unknown, str_param

#: Stripe's test payment methods that decline, with the error Stripe answers (code, decline_code, message).
_DECLINING_CARDS: dict[str, tuple[str, str, str]] = {
    "4000000000000002": ("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": ("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000009987": ("card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": ("card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": ("expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": ("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    "4000000000000119": ("processing_error", "processing_error",
                         "An error occurred while processing your card. Try again in a little bit."),
    "4100000000000019": ("card_declined", "fraudulent", "Your card was declined."),
    "4000000000000341": ("card_declined", "generic_decline", "Your card was declined."),
}

_TEST_PAYMENT_METHODS: dict[str, str] = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
    "pm_card_chargeDeclinedFraudulent": "4100000000000019",
    "pm_card_chargeCustomerFail": "4000000000000341",
}


def _test_payment_method(cls: Any, pm_id: str) -> Any:
    number = _TEST_PAYMENT_METHODS.get(pm_id)
    if number is None:
        return None
    return PaymentMethod(type="card", card={"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"})


def _decline_of(pm: Any) -> tuple[str, str, str] | None:
    return _DECLINING_CARDS.get(getattr(pm, "_card_number", "")) if getattr(pm, "type", None) == "card" else None


_original_charging_is_declined = PaymentMethod._charging_is_declined


def _charging_is_declined(self: Any) -> bool:
    return _decline_of(self) is not None or bool(_original_charging_is_declined(self))


def _set_auth_failure(self: Any) -> None:
    code, decline_code, message = _decline_of(PaymentMethod._api_retrieve(self.payment_method)) or (
        "card_declined", "generic_decline", "Your card was declined.")
    self.status = "failed"
    self.failure_code = code
    self.failure_message = message
    self.outcome = {"type": "issuer_declined", "network_status": "declined_by_network", "reason": decline_code}
    self._decline_code = decline_code


def _raise_failure(self: Any) -> None:
    raise StripeError(402, self.failure_message, type_="card_error", code=self.failure_code,
                      decline_code=getattr(self, "_decline_code", "generic_decline"), charge=self.id,
                      payment_intent={"id": self.payment_intent, "status": "requires_payment_method"}
                      if self.payment_intent else None)


def _create_charge(self: Any, on_failure_now: Any) -> None:
    if self.status != "requires_confirmation":
        raise UserError(400, "Bad request")
    charge = Charge(amount=self.amount, currency=self.currency, customer=self.customer, source=self.payment_method,
                    capture=(self.capture_method != "manual"))
    charge.payment_intent = self.id
    charge.transfer_group = getattr(self, "transfer_group", None)
    charge.metadata = dict(self.metadata or {})
    charge.description = getattr(self, "description", None)
    self.latest_charge = charge
    charge._initialize_charge(self._on_success, on_failure_now, self._report_async_failure)


_PI_CREATE = {"amount", "currency", "customer", "payment_method", "metadata", "payment_method_types",
              "capture_method", "payment_method_options", "confirm", "off_session", "transfer_group",
              "description", "statement_descriptor", "receipt_email", "automatic_payment_methods", "return_url",
              "setup_future_usage"}


def create_payment_intent(data: dict[str, Any]) -> Any:
    refuse_unknown(data, _PI_CREATE)
    int_param(data, "amount", required=True)
    str_param(data, "currency", required=True)
    group = str_param(data, "transfer_group", required=False)
    description = str_param(data, "description", required=False)
    metadata = metadata_param(data)
    confirm = is_true(data.get("confirm", False))
    if "application_fee_amount" in data or "transfer_data" in data:  # pragma: no cover (refused above)
        raise StripeError(400, "Destination charges are not emulated here.")
    passed = {k: v for k, v in data.items() if k in ("amount", "currency", "customer", "payment_method",
                                                    "payment_method_types", "capture_method",
                                                    "payment_method_options")}
    if "capture_method" not in passed:
        passed["capture_method"] = "automatic"
    if data.get("payment_method"):
        PaymentMethod._api_retrieve(data["payment_method"])
    intent = PaymentIntent._api_create(**passed, metadata=metadata)
    intent.transfer_group = group
    intent.description = description
    intent.receipt_email = data.get("receipt_email")
    if confirm:
        if not intent.payment_method:
            raise StripeError(400, "You cannot confirm this PaymentIntent because it's missing a payment method.",
                              code="payment_intent_unexpected_state")
        intent._confirm(on_failure_now=intent._report_failure)
    return intent


def update_payment_intent(intent: Any, data: dict[str, Any]) -> Any:
    refuse_unknown(data, {"metadata", "description", "transfer_group", "payment_method", "receipt_email"})
    if intent.status not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise StripeError(400, f"This PaymentIntent's status is {intent.status}; it cannot be updated.",
                          code="payment_intent_unexpected_state")
    if "payment_method" in data:
        _use_payment_method(intent, str(data["payment_method"]))
    if "transfer_group" in data:
        intent.transfer_group = str_param(data, "transfer_group", required=False)
    if "description" in data:
        intent.description = str_param(data, "description", required=False)
    intent.metadata = (intent.metadata or {}) | metadata_param(data)
    return intent


def _use_payment_method(intent: Any, pm_id: str) -> None:
    pm = PaymentMethod._api_retrieve(pm_id)
    intent.payment_method = pm.id
    if intent.latest_charge is not None and intent.latest_charge.status == "failed":
        intent.latest_charge = None  # a new attempt after a decline


def confirm_payment_intent(intent: Any, data: dict[str, Any]) -> Any:
    refuse_unknown(data, {"payment_method", "return_url", "off_session", "receipt_email", "payment_method_options",
                        "mandate_data", "setup_future_usage"})
    if intent.status not in ("requires_payment_method", "requires_confirmation"):
        raise StripeError(400, f"This PaymentIntent's status is {intent.status}; it cannot be confirmed.",
                          code="payment_intent_unexpected_state")
    if data.get("payment_method"):
        _use_payment_method(intent, str(data["payment_method"]))
    if not intent.payment_method or intent.status != "requires_confirmation":
        raise StripeError(400, "You cannot confirm this PaymentIntent because it's missing a payment method.",
                          code="payment_intent_unexpected_state")
    intent._confirm(on_failure_now=intent._report_failure)
    return intent


def send_canceled_event(intent: Any) -> None:
    schedule_webhook(Event("payment_intent.canceled", intent))


def patch_localstripe() -> None:
    """Teach localstripe's objects the declining test cards and the charge fields GigConnect reads."""
    PaymentMethod._try_get_canonical_test_article = classmethod(_test_payment_method)  # type: ignore[assignment]
    PaymentMethod._charging_is_declined = _charging_is_declined  # type: ignore[method-assign]
    Charge._set_auth_failure = _set_auth_failure  # type: ignore[method-assign]
    Charge._raise_failure = _raise_failure  # type: ignore[method-assign]
    PaymentIntent._create_charge = _create_charge  # type: ignore[method-assign]
