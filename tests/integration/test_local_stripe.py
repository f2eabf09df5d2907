"""The local Stripe (localstripe + the local Connect service) driven by the real ``stripe`` client.

These pin down what GigConnect's escrow relies on, so that the local stack behaves as Stripe does for it:
Connect accounts and onboarding, PaymentIntents with ``transfer_group`` and ``confirm(payment_method=...)``,
the declining test cards, transfers from a charge, reversals, capped refunds, idempotent requests and signed
webhooks.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from tests.stripe_hooks import Receiver, register_webhook

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stripe_v1(local_services: Any) -> Any:
    client = stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                                 max_network_retries=0)
    return client.v1


def _control(local_services: Any, path: str, data: dict[str, Any]) -> Any:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        local_services.stripe_endpoint + path, data=json.dumps(data).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
        return answer.read()


WEBHOOK_SECRET = "whsec_test_" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def receiver(local_services: Any) -> Iterator[Receiver]:
    hook = Receiver()
    register_webhook(local_services, hook.url, WEBHOOK_SECRET)
    yield hook
    hook.close()


def _account(stripe_v1: Any) -> Any:
    return stripe_v1.accounts.create({"type": "express", "country": "NG", "email": "pay@example.com",
                                      "capabilities": {"transfers": {"requested": True}}})


def _paid_intent(stripe_v1: Any, amount: int = 100_000, group: str | None = None) -> Any:
    group = group or "mil_" + uuid.uuid4().hex[:10]
    return stripe_v1.payment_intents.create({
        "amount": amount, "currency": "ngn", "transfer_group": group, "payment_method": "pm_card_visa",
        "confirm": True, "metadata": {"contract_id": "c1", "milestone_id": group}})


def _charge_id(intent: Any) -> str:
    charge = intent.latest_charge
    return charge if isinstance(charge, str) else str(charge.id)


def test_a_new_connected_account_is_ready_for_payouts_and_has_an_onboarding_link(stripe_v1: Any) -> None:
    account = _account(stripe_v1)
    assert account.id.startswith("acct_") and account.payouts_enabled is True
    assert account.capabilities["transfers"] == "active"
    link = stripe_v1.account_links.create({"account": account.id, "type": "account_onboarding",
                                           "refresh_url": "gigconnect://payout/refresh",
                                           "return_url": "gigconnect://payout/done"})
    assert link.url.startswith("http") and link.expires_at > time.time()


def test_an_account_waits_for_its_onboarding_link_in_link_mode(stripe_v1: Any, local_services: Any,
                                                              receiver: Receiver) -> None:
    _control(local_services, "/_config/connect/onboarding", {"mode": "link"})
    try:
        account = _account(stripe_v1)
    finally:
        _control(local_services, "/_config/connect/onboarding", {"mode": "instant"})
    assert account.payouts_enabled is False and account.requirements["currently_due"]
    link = stripe_v1.account_links.create({"account": account.id, "type": "account_onboarding",
                                           "refresh_url": "gigconnect://r", "return_url": "gigconnect://d"})
    with urllib.request.urlopen(link.url, timeout=5) as page:  # noqa: S310 (loopback)
        assert b"Onboarding complete" in page.read()
    assert stripe_v1.accounts.retrieve(account.id).payouts_enabled is True
    updates = receiver.events("account.updated", account.id, WEBHOOK_SECRET)
    assert updates and updates[-1].data.object.payouts_enabled is True


def test_a_restricted_account_cannot_receive_a_transfer(stripe_v1: Any, local_services: Any) -> None:
    account = _account(stripe_v1)
    _control(local_services, f"/_config/connect/accounts/{account.id}", {"payouts_enabled": "false"})
    intent = _paid_intent(stripe_v1)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_v1.transfers.create({"amount": 1000, "currency": "ngn", "destination": account.id,
                                    "source_transaction": _charge_id(intent)})
    assert refused.value.code == "insufficient_capabilities_for_transfer"


def test_a_payment_intent_carries_its_transfer_group_and_metadata(stripe_v1: Any, receiver: Receiver) -> None:
    intent = _paid_intent(stripe_v1, group="mil_group_check")
    assert intent.status == "succeeded" and intent.transfer_group == "mil_group_check"
    assert intent.metadata["milestone_id"] == "mil_group_check"
    events = receiver.events("payment_intent.succeeded", intent.id, WEBHOOK_SECRET)
    assert len(events) == 1 and events[0].data.object.transfer_group == "mil_group_check"


def test_confirm_with_a_payment_method_charges_it(stripe_v1: Any) -> None:
    intent = stripe_v1.payment_intents.create({"amount": 5000, "currency": "ngn", "transfer_group": "g"})
    assert intent.status == "requires_payment_method" and intent.client_secret.startswith(intent.id)
    confirmed = stripe_v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert confirmed.status == "succeeded"


@pytest.mark.parametrize(("card", "code", "decline_code"), [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
    ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
    ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
])
def test_the_declining_test_cards_answer_402_card_error(stripe_v1: Any, card: str, code: str,
                                                        decline_code: str) -> None:
    intent = stripe_v1.payment_intents.create({"amount": 5000, "currency": "ngn"})
    with pytest.raises(stripe.CardError) as declined:
        stripe_v1.payment_intents.confirm(intent.id, {"payment_method": card})
    assert declined.value.http_status == 402 and declined.value.code == code
    assert declined.value.error.decline_code == decline_code
    after = stripe_v1.payment_intents.retrieve(intent.id)
    assert after.status == "requires_payment_method" and after.last_payment_error["code"] == code
    assert stripe_v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"}).status == "succeeded"


def test_a_transfer_from_a_charge_and_its_reversal(stripe_v1: Any, receiver: Receiver) -> None:
    account = _account(stripe_v1)
    intent = _paid_intent(stripe_v1, 100_000)
    transfer = stripe_v1.transfers.create({"amount": 90_000, "currency": "ngn", "destination": account.id,
                                           "source_transaction": _charge_id(intent),
                                           "transfer_group": intent.transfer_group})
    assert transfer.amount == 90_000 and transfer.destination == account.id and transfer.reversed is False
    listed = stripe_v1.transfers.list({"transfer_group": intent.transfer_group})
    assert [t.id for t in listed.data] == [transfer.id]
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        stripe_v1.transfers.create({"amount": 20_000, "currency": "ngn", "destination": account.id,
                                    "source_transaction": _charge_id(intent)})
    assert too_much.value.code == "amount_too_large"
    stripe_v1.transfers.reversals.create(transfer.id, {"amount": 30_000})
    stripe_v1.transfers.reversals.create(transfer.id, {})
    after = stripe_v1.transfers.retrieve(transfer.id)
    assert after.amount_reversed == 90_000 and after.reversed is True
    with pytest.raises(stripe.InvalidRequestError):
        stripe_v1.transfers.reversals.create(transfer.id, {"amount": 1})
    assert receiver.events("transfer.created", transfer.id, WEBHOOK_SECRET)


def test_refunds_are_partial_repeated_and_capped(stripe_v1: Any, receiver: Receiver) -> None:
    intent = _paid_intent(stripe_v1, 10_000)
    first = stripe_v1.refunds.create({"payment_intent": intent.id, "amount": 4_000,
                                      "reason": "requested_by_customer"})
    assert first.amount == 4_000 and first.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as capped:
        stripe_v1.refunds.create({"payment_intent": intent.id, "amount": 6_001})
    assert capped.value.code == "amount_too_large"
    rest = stripe_v1.refunds.create({"payment_intent": intent.id})
    assert rest.amount == 6_000
    with pytest.raises(stripe.InvalidRequestError) as done:
        stripe_v1.refunds.create({"payment_intent": intent.id, "amount": 1})
    assert done.value.code == "charge_already_refunded"
    assert len(receiver.events("charge.refunded", _charge_id(intent), WEBHOOK_SECRET)) >= 1


def test_the_same_idempotency_key_answers_the_first_answer_again(stripe_v1: Any) -> None:
    account = _account(stripe_v1)
    intent = _paid_intent(stripe_v1, 10_000)
    key = f"release:{uuid.uuid4().hex}"
    params = {"amount": 9_000, "currency": "ngn", "destination": account.id, "source_transaction": _charge_id(intent)}
    first = stripe_v1.transfers.create(params, {"idempotency_key": key})
    again = stripe_v1.transfers.create(params, {"idempotency_key": key})
    assert again.id == first.id
    assert len(stripe_v1.transfers.list({"destination": account.id}).data) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe_v1.transfers.create(params | {"amount": 100}, {"idempotency_key": key})


def test_parameters_are_validated_as_stripe_does(stripe_v1: Any) -> None:
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_v1.transfers.create({"amount": 1, "currency": "ngn", "destination": "acct_x", "colour": "red"})
    assert (unknown.value.code, unknown.value.param) == ("parameter_unknown", "colour")
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_v1.transfers.create({"amount": 1, "currency": "ngn"})
    assert (missing.value.code, missing.value.param) == ("parameter_missing", "destination")
    with pytest.raises(stripe.InvalidRequestError) as no_account:
        stripe_v1.account_links.create({"account": "acct_nope", "type": "account_onboarding"})
    assert no_account.value.code == "resource_missing"


def test_an_injected_fault_answers_once(stripe_v1: Any, local_services: Any) -> None:
    _control(local_services, "/_config/connect/faults", {"method": "POST", "path": "^/v1/accounts$",
                                                         "status": 503, "count": 1})
    with pytest.raises(stripe.APIError):
        _account(stripe_v1)
    assert _account(stripe_v1).id.startswith("acct_")
