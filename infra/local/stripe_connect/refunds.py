"""Refunds: capped at what is left of the charge, with a reason, and ``charge.refunded`` sent."""

from __future__ import annotations

from typing import Any

from localstripe.resources import Charge, Event, PaymentIntent, Refund
from localstripe.webhooks import schedule_webhook

from infra.local.stripe_connect.params import (
    StripeError,
    int_param,
    metadata_param,
    refuse_unknown,
    stored_object,
    str_param,
)

_REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create_refund(data: dict[str, Any]) -> Any:
    refuse_unknown(data, {"charge", "payment_intent", "amount", "metadata", "reason", "refund_application_fee",
                        "reverse_transfer"})
    reason = str_param(data, "reason", required=False)
    if reason is not None and reason not in _REASONS:
        raise StripeError(400, f"Invalid reason: must be one of {', '.join(_REASONS)}",
                          code="parameter_invalid_string", param="reason")
    charge_id = str_param(data, "charge", required=False)
    pi_id = str_param(data, "payment_intent", required=False)
    if charge_id is None and pi_id is None:
        raise StripeError(400, "One of `charge` or `payment_intent` is required.", code="parameter_missing",
                          param="charge")
    if charge_id is None:
        intent = stored_object(PaymentIntent, str(pi_id), "payment_intent")
        if intent.latest_charge is None or intent.latest_charge.status != "succeeded":
            raise StripeError(400, f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                              param="payment_intent")
        charge = intent.latest_charge
    else:
        charge = stored_object(Charge, charge_id, "charge")
    left = charge.amount - charge.amount_refunded
    if left <= 0:
        raise StripeError(400, f"Charge {charge.id} has already been refunded.", code="charge_already_refunded")
    amount = int_param(data, "amount", required=False) or left
    if amount > left:
        raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          code="amount_too_large", param="amount")
    refund = Refund(charge=charge.id, amount=amount, metadata=metadata_param(data))
    refund.payment_intent = charge.payment_intent
    refund.reason = reason
    schedule_webhook(Event("charge.refunded", charge))
    return refund
