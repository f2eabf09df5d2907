"""StripePaymentGateway against the local Stripe (localstripe + the local Connect service), real ``stripe`` client.

What the escrow service relies on: accounts and links, PaymentIntents with ``transfer_group``/metadata and
``confirm``, declines as ``PaymentFailedError`` with Stripe's decline code, idempotency keys answering the first
answer, transfers from a charge and their reversal, capped refunds, refusals, outages, and verified webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from gigcore.adapters.stripe_payments import StripePaymentGateway
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    NotFoundError,
    PaymentFailedError,
    UpstreamUnavailableError,
)
from gigcore.domain.money import Money
from gigcore.ports.payments import InvalidSignatureError, PaymentRefusedError
from tests.integration.test_local_stripe import _control
from tests.stripe_hooks import Receiver, register_webhook

pytestmark = pytest.mark.integration

SECRET = "whsec_gateway_" + uuid.uuid4().hex


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def key(what: str) -> str:
    return f"{what}:{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def gateway(local_services: Any) -> StripePaymentGateway:
    return StripePaymentGateway("sk_test_local", SECRET, api_base=local_services.stripe_endpoint)


@pytest.fixture(scope="module")
def stripe_v1(local_services: Any) -> Any:
    """A plain client to look at what the gateway left at Stripe."""
    client = stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                                 max_network_retries=0)
    return client.v1


@pytest.fixture
def faults(local_services: Any) -> Iterator[Any]:
    def inject(method: str, path: str, status: int, count: int = 1) -> None:
        _control(local_services, "/_config/connect/faults",
                 {"method": method, "path": path, "status": status, "count": count})

    yield inject
    urllib.request.urlopen(urllib.request.Request(  # noqa: S310 (loopback)
        local_services.stripe_endpoint + "/_config/connect/faults", method="DELETE"), timeout=5).close()


def paid(gateway: StripePaymentGateway, amount: int = 100_000) -> Any:
    milestone = "mil_" + uuid.uuid4().hex[:12]
    return gateway.create_payment_intent(amount=ngn(amount), transfer_group=milestone,
                                         metadata={"contract_id": "con_1", "milestone_id": milestone},
                                         payment_method_id="pm_card_visa", idempotency_key=key("fund"))


def account(gateway: StripePaymentGateway) -> Any:
    return gateway.create_account(user_id="usr_" + uuid.uuid4().hex[:8], email="pay@example.com",
                                  idempotency_key=key("payout-account"))


# ---- accounts ------------------------------------------------------------------------------------------


def test_an_account_is_created_for_the_user_read_back_and_given_an_onboarding_link(
        gateway: StripePaymentGateway, stripe_v1: Any) -> None:
    created = gateway.create_account(user_id="usr_acc1", email="ada@example.com", idempotency_key=key("acct"))
    assert created.id.startswith("acct_") and created.payouts_enabled is True
    assert gateway.get_account(created.id) == created
    at_stripe = stripe_v1.accounts.retrieve(created.id)
    assert at_stripe.type == "express" and at_stripe.metadata["user_id"] == "usr_acc1"
    assert at_stripe.email == "ada@example.com"
    url = gateway.onboarding_link(created.id, refresh_url="gigconnect://payout/refresh",
                                  return_url="gigconnect://payout/done")
    assert url.startswith("http")
    assert gateway.onboarding_link(created.id, refresh_url="gigconnect://r", return_url="gigconnect://d") != url


def test_the_same_key_gives_the_same_account(gateway: StripePaymentGateway) -> None:
    same = key("acct")
    first = gateway.create_account(user_id="usr_same", email="s@example.com", idempotency_key=same)
    assert gateway.create_account(user_id="usr_same", email="s@example.com", idempotency_key=same) == first


def test_an_unknown_account_is_not_found(gateway: StripePaymentGateway) -> None:
    with pytest.raises(NotFoundError):
        gateway.get_account("acct_doesnotexist")
    with pytest.raises(NotFoundError):
        gateway.onboarding_link("acct_doesnotexist", refresh_url="gigconnect://r", return_url="gigconnect://d")


def test_a_restricted_account_is_seen_and_refused_a_transfer(gateway: StripePaymentGateway,
                                                             local_services: Any) -> None:
    payee = account(gateway)
    _control(local_services, f"/_config/connect/accounts/{payee.id}", {"payouts_enabled": "false"})
    assert gateway.get_account(payee.id).payouts_enabled is False
    intent = paid(gateway)
    assert intent.charge_id is not None
    with pytest.raises(PaymentRefusedError) as refused:
        gateway.create_transfer(amount=ngn(90_000), destination=payee.id, source_transaction=intent.charge_id,
                                transfer_group=str(intent.transfer_group), metadata={}, idempotency_key=key("rel"))
    assert refused.value.reason == "insufficient_capabilities_for_transfer"
    assert refused.value.status == 409 and refused.value.code == "invalid_state"
    assert refused.value.details == [ErrorDetail(field="payout_account",
                                                 issue="insufficient_capabilities_for_transfer")]


# ---- PaymentIntents ----------------------------------------------------------------------------------------


def test_a_confirmed_intent_succeeds_with_its_group_metadata_and_charge(gateway: StripePaymentGateway,
                                                                        stripe_v1: Any) -> None:
    intent = gateway.create_payment_intent(
        amount=ngn(250_000), transfer_group="mil_group1",
        metadata={"contract_id": "con_9", "milestone_id": "mil_group1"}, payment_method_id="pm_card_visa",
        idempotency_key=key("fund"), description="Milestone 1 of con_9")
    assert intent.status == "succeeded" and intent.amount == ngn(250_000)
    assert intent.transfer_group == "mil_group1"
    assert intent.metadata == {"contract_id": "con_9", "milestone_id": "mil_group1"}
    assert intent.charge_id is not None and intent.charge_id.startswith("ch_")
    assert intent.client_secret.startswith(intent.id) and intent.failure_code is None
    assert gateway.get_payment_intent(intent.id) == intent
    at_stripe = stripe_v1.payment_intents.retrieve(intent.id)
    assert at_stripe.currency == "ngn" and at_stripe.capture_method == "automatic"


def test_an_intent_without_a_payment_method_waits_for_the_app_then_confirms(gateway: StripePaymentGateway) -> None:
    intent = gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_wait", metadata={},
                                           payment_method_id=None, idempotency_key=key("fund"))
    assert intent.status == "requires_payment_method" and intent.charge_id is None
    confirmed = gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa",
                                               idempotency_key=key("confirm"))
    assert confirmed.status == "succeeded" and confirmed.charge_id is not None


def test_a_cancelled_intent_can_never_be_confirmed_and_a_succeeded_one_cannot_be_cancelled(
        gateway: StripePaymentGateway) -> None:
    intent = gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_void", metadata={},
                                           payment_method_id=None, idempotency_key=key("fund"))
    cancelled = gateway.cancel_payment_intent(intent.id, idempotency_key=key("cancel"))
    assert cancelled.status == "canceled" and gateway.get_payment_intent(intent.id).status == "canceled"
    with pytest.raises(PaymentRefusedError):
        gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa", idempotency_key=key("confirm"))
    with pytest.raises(PaymentRefusedError) as refused:
        gateway.cancel_payment_intent(paid(gateway).id, idempotency_key=key("cancel"))
    assert refused.value.reason == "payment_intent_unexpected_state"


@pytest.mark.parametrize(("card", "decline_code"), [
    ("pm_card_chargeDeclined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
])
def test_a_declined_card_is_a_payment_failure_with_its_decline_code(gateway: StripePaymentGateway, card: str,
                                                                    decline_code: str) -> None:
    with pytest.raises(PaymentFailedError) as declined:
        gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_declined", metadata={},
                                      payment_method_id=card, idempotency_key=key("fund"))
    assert declined.value.status == 402 and declined.value.message == "The card was declined."
    assert declined.value.details == [ErrorDetail(field="payment_method_id", issue=decline_code)]


def test_the_same_key_replays_a_decline_without_a_second_intent(gateway: StripePaymentGateway,
                                                                stripe_v1: Any) -> None:
    group = "mil_" + uuid.uuid4().hex[:12]
    same = key("fund")
    for _ in range(2):
        with pytest.raises(PaymentFailedError) as declined:
            gateway.create_payment_intent(amount=ngn(5_000), transfer_group=group, metadata={},
                                          payment_method_id="pm_card_chargeDeclined", idempotency_key=same)
        assert declined.value.details == [ErrorDetail(field="payment_method_id", issue="generic_decline")]
    in_group = [i for i in stripe_v1.payment_intents.list({"limit": 100}).auto_paging_iter()
                if getattr(i, "transfer_group", None) == group]
    assert len(in_group) == 1 and in_group[0].status == "requires_payment_method"


def test_a_declined_confirmation_leaves_the_intent_retryable(gateway: StripePaymentGateway) -> None:
    intent = gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_retry", metadata={},
                                           payment_method_id=None, idempotency_key=key("fund"))
    with pytest.raises(PaymentFailedError) as declined:
        gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_chargeDeclinedInsufficientFunds",
                                       idempotency_key=key("confirm"))
    assert declined.value.details[0].issue == "insufficient_funds"
    after = gateway.get_payment_intent(intent.id)
    assert after.status == "requires_payment_method" and after.charge_id is None
    # The local Stripe's last_payment_error carries Stripe's `code` only; Stripe's own also carries
    # decline_code ("insufficient_funds"), which the adapter prefers when it is there.
    assert after.failure_code == "card_declined"
    again = gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa", idempotency_key=key("c"))
    assert again.status == "succeeded" and again.charge_id is not None


def test_the_same_key_gives_the_same_intent_and_no_second_one(gateway: StripePaymentGateway,
                                                             stripe_v1: Any) -> None:
    group = "mil_" + uuid.uuid4().hex[:12]
    same = key("fund")

    def fund() -> Any:
        return gateway.create_payment_intent(amount=ngn(7_000), transfer_group=group, metadata={},
                                             payment_method_id="pm_card_visa", idempotency_key=same)

    first, again = fund(), fund()
    assert again.id == first.id and again.charge_id == first.charge_id
    in_group = [i for i in stripe_v1.payment_intents.list({"limit": 100}).auto_paging_iter()
                if getattr(i, "transfer_group", None) == group]
    assert len(in_group) == 1


def test_the_same_key_with_other_parameters_is_a_conflict(gateway: StripePaymentGateway) -> None:
    same = key("fund")
    gateway.create_payment_intent(amount=ngn(7_000), transfer_group="mil_k", metadata={}, payment_method_id=None,
                                  idempotency_key=same)
    with pytest.raises(ConflictError):
        gateway.create_payment_intent(amount=ngn(8_000), transfer_group="mil_k", metadata={},
                                      payment_method_id=None, idempotency_key=same)


def test_an_unknown_intent_is_not_found(gateway: StripePaymentGateway) -> None:
    with pytest.raises(NotFoundError):
        gateway.get_payment_intent("pi_doesnotexist")


# ---- transfers, reversals, refunds -------------------------------------------------------------------------


def test_a_transfer_from_the_charge_once_per_key_and_its_reversal(gateway: StripePaymentGateway,
                                                                 stripe_v1: Any) -> None:
    payee = account(gateway)
    intent = paid(gateway, 100_000)
    assert intent.charge_id is not None
    release = key("release")

    def transfer() -> Any:
        return gateway.create_transfer(amount=ngn(90_000), destination=payee.id, source_transaction=intent.charge_id,
                                       transfer_group=str(intent.transfer_group), metadata={"milestone_id": "m1"},
                                       idempotency_key=release)

    first, again = transfer(), transfer()
    assert first.id == again.id and first.amount == ngn(90_000) and first.destination == payee.id
    assert first.amount_reversed == ngn(0)
    assert [t.id for t in stripe_v1.transfers.list({"destination": payee.id}).data] == [first.id]
    at_stripe = stripe_v1.transfers.retrieve(first.id)
    assert at_stripe.source_transaction == intent.charge_id and at_stripe.transfer_group == intent.transfer_group

    with pytest.raises(PaymentRefusedError) as beyond:
        gateway.create_transfer(amount=ngn(10_001), destination=payee.id, source_transaction=intent.charge_id,
                                transfer_group=str(intent.transfer_group), metadata={}, idempotency_key=key("rel"))
    assert beyond.value.reason == "amount_too_large"

    back = key("reverse")
    reversal = gateway.reverse_transfer(first.id, amount=ngn(30_000), metadata={"refund": "r1"}, idempotency_key=back)
    assert reversal.transfer_id == first.id and reversal.amount == ngn(30_000)
    assert gateway.reverse_transfer(first.id, amount=ngn(30_000), metadata={"refund": "r1"},
                                    idempotency_key=back).id == reversal.id
    assert stripe_v1.transfers.retrieve(first.id).amount_reversed == 30_000
    with pytest.raises(PaymentRefusedError) as too_much:
        gateway.reverse_transfer(first.id, amount=ngn(60_001), metadata={}, idempotency_key=key("reverse"))
    assert too_much.value.reason == "amount_too_large"
    gateway.reverse_transfer(first.id, amount=ngn(60_000), metadata={}, idempotency_key=key("reverse"))
    with pytest.raises(PaymentRefusedError) as done:
        gateway.reverse_transfer(first.id, amount=ngn(1), metadata={}, idempotency_key=key("reverse"))
    assert done.value.reason == "transfer_already_reversed"


def test_partial_refunds_twice_then_beyond_what_is_left_is_refused(gateway: StripePaymentGateway,
                                                                   stripe_v1: Any) -> None:
    intent = paid(gateway, 10_000)
    once = key("refund")
    first = gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={"reason": "r"},
                           idempotency_key=once)
    assert first.amount == ngn(3_000) and first.status == "succeeded"
    assert gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={"reason": "r"},
                          idempotency_key=once).id == first.id
    second = gateway.refund(payment_intent_id=intent.id, amount=ngn(4_000), metadata={}, idempotency_key=key("r"))
    assert second.id != first.id and second.amount == ngn(4_000)
    assert sorted(r.amount for r in stripe_v1.refunds.list({"payment_intent": intent.id}).data) == [3_000, 4_000]
    with pytest.raises(PaymentRefusedError) as beyond:
        gateway.refund(payment_intent_id=intent.id, amount=ngn(3_001), metadata={}, idempotency_key=key("r"))
    assert beyond.value.reason == "amount_too_large" and beyond.value.code == "invalid_state"
    gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={}, idempotency_key=key("r"))
    with pytest.raises(PaymentRefusedError) as spent:
        gateway.refund(payment_intent_id=intent.id, amount=ngn(1), metadata={}, idempotency_key=key("r"))
    assert spent.value.reason == "charge_already_refunded"


# ---- outages and misconfiguration ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_an_outage_is_upstream_unavailable_and_the_retry_goes_through(gateway: StripePaymentGateway, faults: Any,
                                                                      stripe_v1: Any, status: int) -> None:
    group = "mil_" + uuid.uuid4().hex[:12]
    same = key("fund")
    faults("POST", "^/v1/payment_intents$", status)
    with pytest.raises(UpstreamUnavailableError) as down:
        gateway.create_payment_intent(amount=ngn(5_000), transfer_group=group, metadata={},
                                      payment_method_id="pm_card_visa", idempotency_key=same)
    assert down.value.status == 503
    retried = gateway.create_payment_intent(amount=ngn(5_000), transfer_group=group, metadata={},
                                            payment_method_id="pm_card_visa", idempotency_key=same)
    assert retried.status == "succeeded"
    in_group = [i for i in stripe_v1.payment_intents.list({"limit": 100}).auto_paging_iter()
                if getattr(i, "transfer_group", None) == group]
    assert len(in_group) == 1


def test_an_outage_on_a_read_is_upstream_unavailable(gateway: StripePaymentGateway, faults: Any) -> None:
    payee = account(gateway)
    faults("GET", f"^/v1/accounts/{payee.id}$", 502)
    with pytest.raises(UpstreamUnavailableError):
        gateway.get_account(payee.id)
    assert gateway.get_account(payee.id).id == payee.id


def test_a_stripe_that_cannot_be_reached_is_upstream_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = StripePaymentGateway("sk_test_local", SECRET, api_base=f"http://127.0.0.1:{port}")
    with pytest.raises(UpstreamUnavailableError):
        closed.get_payment_intent("pi_any")


def test_a_stripe_that_does_not_answer_in_time_is_upstream_unavailable() -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (the kernel's backlog), never answers
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except OSError:
                continue

    threading.Thread(target=hold, daemon=True).start()
    try:
        slow = StripePaymentGateway("sk_test_local", SECRET, api_base=f"http://127.0.0.1:{silent.getsockname()[1]}",
                                    timeout_s=0.5)
        started = time.monotonic()
        with pytest.raises(UpstreamUnavailableError):
            slow.get_payment_intent("pi_any")
        assert time.monotonic() - started < 5
    finally:
        stop.set()
        for conn in held:
            conn.close()
        silent.close()


def test_a_rejected_secret_key_is_upstream_unavailable_and_logged_as_an_error(
        local_services: Any, caplog: pytest.LogCaptureFixture) -> None:
    misconfigured = StripePaymentGateway("pk_wrong", SECRET, api_base=local_services.stripe_endpoint)
    name = "gigconnect.gigcore.adapters.stripe_payments"  # the Powertools Logger's child of this module
    with caplog.at_level(logging.ERROR, logger=name), pytest.raises(UpstreamUnavailableError):
        misconfigured.get_account("acct_any")
    assert [r.levelno for r in caplog.records if r.name == name] == [logging.ERROR]


def test_a_bug_in_our_parameters_is_raised_as_it_is(gateway: StripePaymentGateway) -> None:
    # A refund of an intent that never succeeded: Stripe's invalid_request_error, no business code.
    intent = gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_bug", metadata={},
                                           payment_method_id=None, idempotency_key=key("fund"))
    with pytest.raises(stripe.InvalidRequestError):
        gateway.refund(payment_intent_id=intent.id, amount=ngn(1_000), metadata={}, idempotency_key=key("r"))


# ---- webhooks ------------------------------------------------------------------------------------------------


def signed(payload: bytes, secret: str = SECRET, at: int | None = None) -> str:
    at = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


EVENT = json.dumps({
    "id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1_760_000_000,
    "data": {"object": {"id": "pi_1", "object": "payment_intent", "status": "succeeded",
                        "transfer_group": "mil_1", "metadata": {"milestone_id": "mil_1"}}},
}).encode()


def test_an_event_signed_with_the_secret_is_parsed(gateway: StripePaymentGateway) -> None:
    event = gateway.parse_event(EVENT, signed(EVENT))
    assert (event.id, event.type, event.object_id, event.created) == (
        "evt_1", "payment_intent.succeeded", "pi_1", 1_760_000_000)
    assert event.object["transfer_group"] == "mil_1"
    assert event.object["metadata"] == {"milestone_id": "mil_1"}


def test_a_signature_from_the_stripe_library_is_accepted(gateway: StripePaymentGateway) -> None:
    at = int(time.time())
    mac = stripe.WebhookSignature._compute_signature(f"{at}.{EVENT.decode()}", SECRET)
    assert gateway.parse_event(EVENT, f"t={at},v1={mac}").id == "evt_1"


@pytest.mark.parametrize(("payload", "signature"), [
    pytest.param(EVENT, signed(EVENT, secret="whsec_someone_else"), id="wrong secret"),
    pytest.param(EVENT.replace(b"mil_1", b"mil_2"), signed(EVENT), id="tampered body"),
    pytest.param(EVENT, signed(EVENT, at=int(time.time()) - 301), id="older than the tolerance"),
    pytest.param(EVENT, "", id="no signature"),
    pytest.param(EVENT, "t=abc,v1=zz", id="garbled header"),
    pytest.param(b"not json", signed(b"not json"), id="signed but not an event"),
])
def test_a_payload_that_does_not_verify_is_refused(gateway: StripePaymentGateway, payload: bytes,
                                                   signature: str) -> None:
    with pytest.raises(InvalidSignatureError):
        gateway.parse_event(payload, signature)


def test_an_event_the_local_stripe_sends_is_parsed(gateway: StripePaymentGateway, local_services: Any) -> None:
    hook = Receiver()
    register_webhook(local_services, hook.url, SECRET)
    try:
        intent = paid(gateway, 4_200)
        found = [gateway.parse_event(raw, sig) for raw, sig in hook.about(intent.id, "payment_intent.succeeded")]
        assert len(found) == 1 and found[0].object["transfer_group"] == intent.transfer_group
    finally:
        hook.close()
