"""Stripe's webhook: a signed event is queued for the payments consumer, which applies it once."""

from __future__ import annotations

from gigcore.domain.errors import ErrorDetail, MalformedRequestError
from gigcore.ports import Queue
from gigcore.ports.payments import InvalidSignatureError, PaymentGateway, WebhookEvent
from gigcore.services.escrow import PAYMENTS_QUEUE, STRIPE_EVENT


def receive_stripe_event(payload: bytes, signature: str, *, payments: PaymentGateway, queue: Queue) -> WebhookEvent:
    """Verify ``signature`` (the ``Stripe-Signature`` header) over the raw ``payload`` and queue the event.

    Raises :class:`MalformedRequestError` (400) when the signature does not verify; nothing is queued then.
    The event is durably queued before the caller answers 200 (Stripe retries anything else), under Stripe's
    event id as its message id, so the consumer applies each event once however often it is delivered.
    """
    try:
        event = payments.parse_event(payload, signature)
    except InvalidSignatureError as exc:
        raise MalformedRequestError("The Stripe-Signature does not verify.",
                                    details=[ErrorDetail(field="Stripe-Signature", issue="invalid")]) from exc
    queue.send(PAYMENTS_QUEUE, {"id": event.id, "type": STRIPE_EVENT,
                                "payload": {"type": event.type, "object_id": event.object_id}})
    return event
