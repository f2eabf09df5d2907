"""Stripe's webhook as a use case: a signed event is queued once under its id; an unsigned one is refused and
queues nothing."""

from __future__ import annotations

import json
import time

import pytest

from gigcore.domain.errors import MalformedRequestError
from gigcore.services.escrow import PAYMENTS_QUEUE, STRIPE_EVENT
from gigcore.services.webhooks import receive_stripe_event
from tests.fake_payments import FAKE_WEBHOOK_SECRET, FakePaymentGateway, sign
from tests.fakes import FakeQueue

EVENT = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1,
                    "data": {"object": {"id": "pi_1", "object": "payment_intent"}}}).encode()


def test_a_signed_event_is_queued_for_the_payments_consumer_under_its_id():
    queue = FakeQueue()
    event = receive_stripe_event(EVENT, sign(EVENT, FAKE_WEBHOOK_SECRET, int(time.time())),
                                 payments=FakePaymentGateway(), queue=queue)
    assert event.id == "evt_1"
    assert queue.sent == [(PAYMENTS_QUEUE, {"id": "evt_1", "type": STRIPE_EVENT,
                                            "payload": {"type": "payment_intent.succeeded", "object_id": "pi_1"}})]


@pytest.mark.parametrize("signature", ["", "t=1,v1=00", sign(EVENT, "whsec_wrong", int(time.time()))])
def test_an_event_whose_signature_does_not_verify_is_refused_and_queues_nothing(signature):
    queue = FakeQueue()
    with pytest.raises(MalformedRequestError) as refused:
        receive_stripe_event(EVENT, signature, payments=FakePaymentGateway(), queue=queue)
    assert [d.field for d in refused.value.details] == ["Stripe-Signature"]
    assert queue.sent == []
