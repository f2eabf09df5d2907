"""The ``PaymentGateway`` contract: what the escrow service relies on, run against the Stripe gateway (the real
``stripe`` client on the local Stripe) and the in-memory fake of the escrow unit tests (tests/fake_payments.py).

What only the Stripe gateway can show (what it left at Stripe, outages, misconfiguration) stays in
tests/integration/test_stripe_gateway.py; the fake's test controls in tests/unit/test_fake_payments.py.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gigcore.domain.errors import ConflictError, ErrorDetail, NotFoundError, PaymentFailedError
from gigcore.domain.money import Money
from gigcore.ports.payments import InvalidSignatureError, PaymentGateway, PaymentIntent, PaymentRefusedError
from tests.fake_payments import FakePaymentGateway, sign

pytestmark = pytest.mark.integration

SECRET = "whsec_contract_" + uuid.uuid4().hex


@dataclass
class Harness:
    gateway: PaymentGateway
    #: Make a connected account unable to receive payouts (its onboarding undone).
    restrict: Callable[[str], None]


@pytest.fixture(params=["stripe", "fake"])
def harness(request: pytest.FixtureRequest) -> Iterator[Harness]:
    if request.param == "fake":
        fake = FakePaymentGateway(SECRET)
        yield Harness(fake, lambda account_id: fake.set_payouts_enabled(account_id, False))
        return
    local_services: Any = request.getfixturevalue("local_services")
    from gigcore.adapters.stripe_payments import StripePaymentGateway
    from tests.integration.test_local_stripe import _control

    def restrict(account_id: str) -> None:
        _control(local_services, f"/_config/connect/accounts/{account_id}", {"payouts_enabled": "false"})

    yield Harness(StripePaymentGateway("sk_test_local", SECRET, api_base=local_services.stripe_endpoint), restrict)


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def key(what: str) -> str:
    return f"{what}:{uuid.uuid4().hex}"


def paid(gateway: PaymentGateway, amount: int = 100_000) -> PaymentIntent:
    milestone = "mil_" + uuid.uuid4().hex[:12]
    return gateway.create_payment_intent(amount=ngn(amount), transfer_group=milestone,
                                         metadata={"contract_id": "con_1", "milestone_id": milestone},
                                         payment_method_id="pm_card_visa", idempotency_key=key("fund"))


def test_an_account_is_created_once_per_key_and_read_back(harness):
    same = key("acct")
    created = harness.gateway.create_account(user_id="usr_c1", email="ada@example.com", idempotency_key=same)
    assert created.id.startswith("acct_") and created.payouts_enabled is True
    assert harness.gateway.get_account(created.id) == created
    assert harness.gateway.create_account(user_id="usr_c1", email="ada@example.com", idempotency_key=same) == created
    link = harness.gateway.onboarding_link(created.id, refresh_url="gigconnect://r", return_url="gigconnect://d")
    assert link.startswith("http")
    with pytest.raises(NotFoundError):
        harness.gateway.get_account("acct_doesnotexist")
    with pytest.raises(NotFoundError):
        harness.gateway.onboarding_link("acct_doesnotexist", refresh_url="gigconnect://r", return_url="gigconnect://d")


def test_a_confirmed_intent_succeeds_with_its_group_metadata_and_charge(harness):
    intent = harness.gateway.create_payment_intent(
        amount=ngn(250_000), transfer_group="mil_group1", metadata={"contract_id": "con_9"},
        payment_method_id="pm_card_visa", idempotency_key=key("fund"), description="Milestone 1 of con_9")
    assert (intent.status, intent.amount, intent.transfer_group) == ("succeeded", ngn(250_000), "mil_group1")
    assert intent.metadata == {"contract_id": "con_9"} and intent.failure_code is None
    assert intent.charge_id is not None and intent.charge_id.startswith("ch_")
    assert harness.gateway.get_payment_intent(intent.id) == intent


def test_an_intent_without_a_payment_method_waits_then_confirms(harness):
    intent = harness.gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_wait", metadata={},
                                                   payment_method_id=None, idempotency_key=key("fund"))
    assert intent.status == "requires_payment_method" and intent.charge_id is None
    confirmed = harness.gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa",
                                                       idempotency_key=key("confirm"))
    assert confirmed.status == "succeeded" and confirmed.charge_id is not None


def test_a_cancelled_intent_is_never_charged_and_a_succeeded_one_cannot_be_cancelled(harness):
    intent = harness.gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_void", metadata={},
                                                   payment_method_id=None, idempotency_key=key("fund"))
    assert harness.gateway.cancel_payment_intent(intent.id, idempotency_key=key("cancel")).status == "canceled"
    with pytest.raises(PaymentRefusedError):
        harness.gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa",
                                               idempotency_key=key("confirm"))
    with pytest.raises(PaymentRefusedError) as refused:
        harness.gateway.cancel_payment_intent(paid(harness.gateway).id, idempotency_key=key("cancel"))
    assert refused.value.reason == "payment_intent_unexpected_state"


@pytest.mark.parametrize(("card", "decline_code"), [
    ("pm_card_chargeDeclined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
])
def test_a_decline_is_a_payment_failure_replayed_by_its_key(harness, card: str, decline_code: str):
    same = key("fund")
    for _ in range(2):
        with pytest.raises(PaymentFailedError) as declined:
            harness.gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_declined", metadata={},
                                                  payment_method_id=card, idempotency_key=same)
        assert declined.value.status == 402 and declined.value.message == "The card was declined."
        assert declined.value.details == [ErrorDetail(field="payment_method_id", issue=decline_code)]


def test_a_declined_confirmation_leaves_the_intent_retryable(harness):
    intent = harness.gateway.create_payment_intent(amount=ngn(5_000), transfer_group="mil_retry", metadata={},
                                                   payment_method_id=None, idempotency_key=key("fund"))
    with pytest.raises(PaymentFailedError):
        harness.gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_chargeDeclined",
                                               idempotency_key=key("confirm"))
    after = harness.gateway.get_payment_intent(intent.id)
    assert after.status == "requires_payment_method" and after.charge_id is None and after.failure_code
    again = harness.gateway.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa",
                                                   idempotency_key=key("confirm"))
    assert again.status == "succeeded"


def test_the_same_key_answers_the_first_answer_and_other_parameters_are_a_conflict(harness):
    same = key("fund")

    def fund(amount: int) -> PaymentIntent:
        return harness.gateway.create_payment_intent(amount=ngn(amount), transfer_group="mil_k", metadata={},
                                                     payment_method_id="pm_card_visa", idempotency_key=same)

    first = fund(7_000)
    assert fund(7_000) == first
    with pytest.raises(ConflictError):
        fund(8_000)
    with pytest.raises(NotFoundError):
        harness.gateway.get_payment_intent("pi_doesnotexist")


def test_transfers_and_reversals_are_capped_and_once_per_key(harness):
    gateway = harness.gateway
    payee = gateway.create_account(user_id="usr_t", email="t@example.com", idempotency_key=key("acct"))
    intent = paid(gateway, 100_000)
    assert intent.charge_id is not None
    release = key("release")

    def transfer(amount: int, idempotency_key: str) -> Any:
        return gateway.create_transfer(amount=ngn(amount), destination=payee.id, source_transaction=str(
            intent.charge_id), transfer_group=str(intent.transfer_group), metadata={}, idempotency_key=idempotency_key)

    first = transfer(90_000, release)
    assert transfer(90_000, release) == first
    assert (first.amount, first.destination, first.amount_reversed) == (ngn(90_000), payee.id, ngn(0))
    with pytest.raises(PaymentRefusedError) as beyond:
        transfer(10_001, key("release"))
    assert beyond.value.reason == "amount_too_large"
    back = key("reverse")
    reversal = gateway.reverse_transfer(first.id, amount=ngn(30_000), metadata={}, idempotency_key=back)
    assert (reversal.transfer_id, reversal.amount) == (first.id, ngn(30_000))
    assert gateway.reverse_transfer(first.id, amount=ngn(30_000), metadata={}, idempotency_key=back) == reversal
    with pytest.raises(PaymentRefusedError) as too_much:
        gateway.reverse_transfer(first.id, amount=ngn(60_001), metadata={}, idempotency_key=key("reverse"))
    assert too_much.value.reason == "amount_too_large"
    gateway.reverse_transfer(first.id, amount=ngn(60_000), metadata={}, idempotency_key=key("reverse"))
    with pytest.raises(PaymentRefusedError) as done:
        gateway.reverse_transfer(first.id, amount=ngn(1), metadata={}, idempotency_key=key("reverse"))
    assert done.value.reason == "transfer_already_reversed"


def test_a_restricted_account_is_refused_a_transfer(harness):
    payee = harness.gateway.create_account(user_id="usr_r", email="r@example.com", idempotency_key=key("acct"))
    harness.restrict(payee.id)
    assert harness.gateway.get_account(payee.id).payouts_enabled is False
    intent = paid(harness.gateway)
    with pytest.raises(PaymentRefusedError) as refused:
        harness.gateway.create_transfer(amount=ngn(90_000), destination=payee.id, source_transaction=str(
            intent.charge_id), transfer_group=str(intent.transfer_group), metadata={}, idempotency_key=key("rel"))
    assert refused.value.reason == "insufficient_capabilities_for_transfer"
    assert refused.value.details == [ErrorDetail(field="payout_account",
                                                 issue="insufficient_capabilities_for_transfer")]


def test_refunds_are_capped_by_what_is_left_of_the_charge(harness):
    gateway = harness.gateway
    intent = paid(gateway, 10_000)
    once = key("refund")
    first = gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={}, idempotency_key=once)
    assert (first.amount, first.status) == (ngn(3_000), "succeeded")
    assert gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={}, idempotency_key=once) == first
    gateway.refund(payment_intent_id=intent.id, amount=ngn(4_000), metadata={}, idempotency_key=key("refund"))
    with pytest.raises(PaymentRefusedError) as beyond:
        gateway.refund(payment_intent_id=intent.id, amount=ngn(3_001), metadata={}, idempotency_key=key("refund"))
    assert beyond.value.reason == "amount_too_large"
    gateway.refund(payment_intent_id=intent.id, amount=ngn(3_000), metadata={}, idempotency_key=key("refund"))
    with pytest.raises(PaymentRefusedError) as spent:
        gateway.refund(payment_intent_id=intent.id, amount=ngn(1), metadata={}, idempotency_key=key("refund"))
    assert spent.value.reason == "charge_already_refunded"


def test_a_signed_event_is_parsed_and_a_forged_or_old_one_refused(harness):
    payload = json.dumps({"id": "evt_1", "object": "event", "type": "payment_intent.succeeded", "created": 1,
                          "data": {"object": {"id": "pi_1", "object": "payment_intent"}}}).encode()
    event = harness.gateway.parse_event(payload, sign(payload, SECRET, int(time.time())))
    assert (event.id, event.type, event.object_id, event.created) == ("evt_1", "payment_intent.succeeded", "pi_1", 1)
    with pytest.raises(InvalidSignatureError):
        harness.gateway.parse_event(payload, sign(payload, "whsec_other", int(time.time())))
    with pytest.raises(InvalidSignatureError):
        harness.gateway.parse_event(payload, sign(payload, SECRET, int(time.time()) - 3600))
    with pytest.raises(InvalidSignatureError):
        harness.gateway.parse_event(payload + b" ", sign(payload, SECRET, int(time.time())))
