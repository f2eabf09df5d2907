"""FakePaymentGateway behaves as the Stripe adapter does against the local Stripe, so services can trust it."""

from __future__ import annotations

import pytest

from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    NotFoundError,
    PaymentFailedError,
    UpstreamUnavailableError,
)
from gigcore.domain.money import Money
from gigcore.ports.payments import InvalidSignatureError, PaymentGateway, PaymentIntent, PaymentRefusedError
from tests.fake_payments import FakeInvalidRequestError, FakePaymentGateway


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


@pytest.fixture
def fake() -> FakePaymentGateway:
    return FakePaymentGateway()


def paid(fake: FakePaymentGateway, amount: int = 10_000, key: str = "fund:m1") -> PaymentIntent:
    return fake.create_payment_intent(amount=ngn(amount), transfer_group="mil_1", metadata={"milestone_id": "mil_1"},
                                      payment_method_id="pm_card_visa", idempotency_key=key)


def test_it_is_a_payment_gateway() -> None:
    gateway: PaymentGateway = FakePaymentGateway()  # mypy checks the Protocol
    assert gateway.create_account(user_id="u1", email="a@example.com", idempotency_key="k").payouts_enabled


# ---- intents -------------------------------------------------------------------------------------------------


def test_a_visa_payment_succeeds_with_a_charge_group_and_metadata(fake: FakePaymentGateway) -> None:
    intent = paid(fake)
    assert intent.status == "succeeded" and intent.charge_id is not None and intent.amount == ngn(10_000)
    assert intent.transfer_group == "mil_1" and intent.metadata == {"milestone_id": "mil_1"}
    assert fake.get_payment_intent(intent.id) == intent


@pytest.mark.parametrize(("card", "issue"), [("pm_card_chargeDeclined", "generic_decline"),
                                             ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds")])
def test_a_declined_card_fails_and_the_same_key_replays_the_decline(fake: FakePaymentGateway, card: str,
                                                                    issue: str) -> None:
    for _ in range(2):
        with pytest.raises(PaymentFailedError) as declined:
            fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_1", metadata={},
                                       payment_method_id=card, idempotency_key="fund:declined")
        assert declined.value.details == [ErrorDetail(field="payment_method_id", issue=issue)]
    [intent] = fake.intents.values()
    assert intent.status == "requires_payment_method" and intent.failure_code == issue and intent.charge_id is None


def test_an_intent_without_a_card_waits_for_the_app(fake: FakePaymentGateway) -> None:
    intent = fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_1", metadata={},
                                        payment_method_id=None, idempotency_key="fund:1")
    assert intent.status == "requires_payment_method" and intent.charge_id is None
    assert fake.fail(intent.id, "card_declined").failure_code == "card_declined"
    succeeded = fake.succeed(intent.id)
    assert succeeded.status == "succeeded" and succeeded.charge_id is not None and succeeded.failure_code is None
    assert fake.get_payment_intent(intent.id) == succeeded
    with pytest.raises(PaymentRefusedError) as again:
        fake.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa", idempotency_key="confirm:1")
    assert again.value.reason == "payment_intent_unexpected_state"


def test_a_cancelled_intent_can_never_be_confirmed_and_a_succeeded_one_cannot_be_cancelled(
        fake: FakePaymentGateway) -> None:
    intent = fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_1", metadata={},
                                        payment_method_id=None, idempotency_key="fund:void")
    assert fake.cancel_payment_intent(intent.id, idempotency_key="cancel:1").status == "canceled"
    with pytest.raises(PaymentRefusedError):
        fake.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa", idempotency_key="confirm:void")
    paid = fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_2", metadata={},
                                      payment_method_id="pm_card_visa", idempotency_key="fund:paid")
    with pytest.raises(PaymentRefusedError) as refused:
        fake.cancel_payment_intent(paid.id, idempotency_key="cancel:2")
    assert refused.value.reason == "payment_intent_unexpected_state"


def test_confirm_after_a_decline_charges_the_new_card(fake: FakePaymentGateway) -> None:
    intent = fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_1", metadata={},
                                        payment_method_id=None, idempotency_key="fund:1")
    with pytest.raises(PaymentFailedError):
        fake.confirm_payment_intent(intent.id, payment_method_id="pm_card_chargeDeclined", idempotency_key="c:1")
    assert fake.confirm_payment_intent(intent.id, payment_method_id="pm_card_visa",
                                       idempotency_key="c:2").status == "succeeded"


def test_the_same_key_replays_the_first_intent_and_other_parameters_conflict(fake: FakePaymentGateway) -> None:
    first = paid(fake)
    assert paid(fake) == first and len(fake.intents) == 1
    with pytest.raises(ConflictError):
        paid(fake, amount=9_999)
    assert fake.calls == [("create_payment_intent", "fund:m1")] * 3


def test_unknown_objects_are_not_found(fake: FakePaymentGateway) -> None:
    with pytest.raises(NotFoundError):
        fake.get_payment_intent("pi_nope")
    with pytest.raises(NotFoundError):
        fake.get_account("acct_nope")
    with pytest.raises(NotFoundError):
        fake.create_payment_intent(amount=ngn(1), transfer_group="g", metadata={}, payment_method_id="pm_nope",
                                   idempotency_key="k")


# ---- accounts, transfers, reversals, refunds -------------------------------------------------------------


def test_accounts_payouts_can_be_restricted_or_wait_for_onboarding(fake: FakePaymentGateway) -> None:
    ready = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    fake.set_payouts_enabled(ready.id, False)
    assert fake.get_account(ready.id).payouts_enabled is False
    fake.new_accounts_payouts_enabled = False
    waiting = fake.create_account(user_id="u2", email="b@example.com", idempotency_key="acct:u2")
    assert waiting.payouts_enabled is False
    fake.open_link(fake.onboarding_link(waiting.id, refresh_url="app://r", return_url="app://d"))
    assert fake.get_account(waiting.id).payouts_enabled is True


def test_transfers_are_capped_at_what_is_left_of_the_charge(fake: FakePaymentGateway) -> None:
    payee = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    intent = paid(fake, 10_000)
    assert intent.charge_id is not None

    def transfer(amount: int, key: str) -> object:
        assert intent.charge_id is not None
        return fake.create_transfer(amount=ngn(amount), destination=payee.id, source_transaction=intent.charge_id,
                                    transfer_group="mil_1", metadata={}, idempotency_key=key)

    first = transfer(9_000, "release:1")
    assert transfer(9_000, "release:1") == first and len(fake.transfers) == 1
    with pytest.raises(PaymentRefusedError) as beyond:
        transfer(1_001, "release:2")
    assert beyond.value.reason == "amount_too_large"
    reversal = fake.reverse_transfer(fake.transfers[0].id, amount=ngn(4_000), metadata={}, idempotency_key="rev:1")
    assert fake.reversals == [reversal] and fake.transfers[0].amount_reversed == ngn(4_000)
    transfer(5_000, "release:3")  # 10,000 - (9,000 - 4,000)
    with pytest.raises(PaymentRefusedError):
        transfer(1, "release:4")


def test_a_restricted_payee_is_refused_a_transfer(fake: FakePaymentGateway) -> None:
    payee = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    fake.set_payouts_enabled(payee.id, False)
    intent = paid(fake)
    assert intent.charge_id is not None
    with pytest.raises(PaymentRefusedError) as refused:
        fake.create_transfer(amount=ngn(1), destination=payee.id, source_transaction=intent.charge_id,
                             transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    assert refused.value.details == [ErrorDetail(field="payout_account",
                                                 issue="insufficient_capabilities_for_transfer")]
    assert fake.transfers == []


def test_reversals_are_capped_at_what_is_left_of_the_transfer(fake: FakePaymentGateway) -> None:
    payee = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    charge = paid(fake).charge_id
    assert charge is not None
    moved = fake.create_transfer(amount=ngn(9_000), destination=payee.id, source_transaction=charge,
                                 transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    with pytest.raises(PaymentRefusedError) as beyond:
        fake.reverse_transfer(moved.id, amount=ngn(9_001), metadata={}, idempotency_key="rev:1")
    assert beyond.value.reason == "amount_too_large"
    fake.reverse_transfer(moved.id, amount=ngn(9_000), metadata={}, idempotency_key="rev:2")
    with pytest.raises(PaymentRefusedError) as done:
        fake.reverse_transfer(moved.id, amount=ngn(1), metadata={}, idempotency_key="rev:3")
    assert done.value.reason == "transfer_already_reversed"


def test_refunds_are_partial_repeated_and_capped(fake: FakePaymentGateway) -> None:
    intent = paid(fake, 10_000)
    first = fake.refund(payment_intent_id=intent.id, amount=ngn(4_000), metadata={}, idempotency_key="refund:1")
    assert fake.refund(payment_intent_id=intent.id, amount=ngn(4_000), metadata={},
                       idempotency_key="refund:1") == first
    with pytest.raises(PaymentRefusedError) as beyond:
        fake.refund(payment_intent_id=intent.id, amount=ngn(6_001), metadata={}, idempotency_key="refund:2")
    assert beyond.value.reason == "amount_too_large"
    fake.refund(payment_intent_id=intent.id, amount=ngn(6_000), metadata={}, idempotency_key="refund:3")
    assert [r.amount for r in fake.refunds] == [ngn(4_000), ngn(6_000)]
    with pytest.raises(PaymentRefusedError) as spent:
        fake.refund(payment_intent_id=intent.id, amount=ngn(1), metadata={}, idempotency_key="refund:4")
    assert spent.value.reason == "charge_already_refunded"


def test_refunding_an_unpaid_intent_is_a_bug_in_the_call(fake: FakePaymentGateway) -> None:
    intent = fake.create_payment_intent(amount=ngn(5_000), transfer_group="mil_1", metadata={},
                                        payment_method_id=None, idempotency_key="fund:1")
    with pytest.raises(FakeInvalidRequestError):
        fake.refund(payment_intent_id=intent.id, amount=ngn(1), metadata={}, idempotency_key="refund:1")


# ---- outages -------------------------------------------------------------------------------------------------


def test_an_outage_before_the_effect_moves_nothing(fake: FakePaymentGateway) -> None:
    payee = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    charge = paid(fake).charge_id
    assert charge is not None
    fake.outage(2)
    for _ in range(2):
        with pytest.raises(UpstreamUnavailableError):
            fake.create_transfer(amount=ngn(9_000), destination=payee.id, source_transaction=charge,
                                 transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    assert fake.transfers == []
    fake.create_transfer(amount=ngn(9_000), destination=payee.id, source_transaction=charge,
                         transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    assert len(fake.transfers) == 1
    assert fake.calls[-3:] == [("create_transfer", "release:1")] * 3


def test_an_outage_after_the_effect_is_recovered_by_a_retry_with_the_same_key(fake: FakePaymentGateway) -> None:
    payee = fake.create_account(user_id="u1", email="a@example.com", idempotency_key="acct:u1")
    charge = paid(fake).charge_id
    assert charge is not None
    fake.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        fake.create_transfer(amount=ngn(9_000), destination=payee.id, source_transaction=charge,
                             transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    [moved] = fake.transfers
    retried = fake.create_transfer(amount=ngn(9_000), destination=payee.id, source_transaction=charge,
                                   transfer_group="mil_1", metadata={}, idempotency_key="release:1")
    assert retried == moved and len(fake.transfers) == 1


def test_an_outage_hits_reads_too(fake: FakePaymentGateway) -> None:
    intent = paid(fake)
    fake.outage(1)
    with pytest.raises(UpstreamUnavailableError):
        fake.get_payment_intent(intent.id)
    assert fake.get_payment_intent(intent.id) == intent


# ---- webhook events ------------------------------------------------------------------------------------------


def test_an_event_it_signs_is_parsed(fake: FakePaymentGateway) -> None:
    intent = paid(fake)
    payload, signature = fake.event("payment_intent.succeeded", fake.intent_object(intent.id), event_id="evt_1")
    event = fake.parse_event(payload, signature)
    assert (event.id, event.type, event.object_id) == ("evt_1", "payment_intent.succeeded", intent.id)
    assert event.object["latest_charge"] == intent.charge_id and event.object["transfer_group"] == "mil_1"


def test_events_that_do_not_verify_are_refused() -> None:
    clock = [1_800_000_000.0]
    fake = FakePaymentGateway(now=lambda: clock[0])
    payload, signature = fake.event("account.updated", {"id": "acct_1"})
    with pytest.raises(InvalidSignatureError):
        fake.parse_event(payload.replace(b"acct_1", b"acct_2"), signature)
    with pytest.raises(InvalidSignatureError):
        fake.parse_event(*fake.event("account.updated", {"id": "acct_1"}, secret="whsec_other"))
    with pytest.raises(InvalidSignatureError):
        fake.parse_event(payload, "")
    clock[0] += 301
    with pytest.raises(InvalidSignatureError):
        fake.parse_event(payload, signature)
