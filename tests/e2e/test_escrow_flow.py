"""Escrow end to end over HTTP on the local runtime, with Stripe's events delivered by the local Stripe to
``/webhooks/stripe`` and applied by the payments consumer the runtime's pollers run. Every call to the API goes
through the Python client generated from docs/openapi.json (tests/e2e/api.py).

A client posts a gig, a freelancer applies and opens a payout account, the client accepts with two
milestones, funds the first with ``pm_card_visa`` (the webhook marks it funded), the freelancer submits, the
client releases (a transfer of the amount less the fee); the second is funded and refunded in two parts; the
ledger balances.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import stripe
from gigconnect_client import AuthenticatedClient
from gigconnect_client.api.applications import apply_to_gig
from gigconnect_client.api.contracts import accept_application, get_contract
from gigconnect_client.api.escrow import (
    create_payout_account,
    fund_milestone,
    get_contract_ledger,
    refund_milestone,
    release_milestone,
    submit_milestone,
)
from gigconnect_client.api.gigs import create_gig
from gigconnect_client.models import (
    AcceptRequest,
    ApplyRequest,
    BudgetBody,
    BudgetBodyType,
    ChargeMoneyBody,
    ChargeMoneyBodyCurrency,
    ContractOutStatus,
    CreateGigRequest,
    CreateGigRequestUrgency,
    FundRequest,
    LedgerEntryOutCredit,
    LedgerEntryOutDebit,
    LocationBody,
    MilestoneBody,
    MilestoneOut,
    MilestoneOutStatus,
    MoneyBody,
    MoneyBodyCurrency,
    RefundRequest,
    SubmitRequest,
)

from tests.e2e.api import key, ok, sign_up_as
from tests.stripe_hooks import register_webhook

pytestmark = pytest.mark.e2e


def ngn(amount: int) -> ChargeMoneyBody:
    return ChargeMoneyBody(amount=amount, currency=ChargeMoneyBodyCurrency.NGN)


def naira(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


@pytest.fixture(scope="module")
def stripe_events_to_runtime(runtime: Any, local_services: Any, stack_env: dict[str, str]) -> Iterator[None]:
    """The local Stripe sends its signed events to the runtime's webhook, as Stripe would to the stage's."""
    register_webhook(local_services, f"{runtime.api_url}/webhooks/stripe",
                     stack_env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"])
    yield


def wait_for(api: AuthenticatedClient, contract_id: str, index: int, status: MilestoneOutStatus) -> MilestoneOut:
    deadline = time.monotonic() + 30
    while True:
        milestone = ok(get_contract.sync_detailed(contract_id, client=api)).milestones[index]
        if milestone.status == status or time.monotonic() > deadline:
            assert milestone.status == status, milestone
            return milestone
        time.sleep(0.2)


def test_a_contract_is_funded_released_and_refunded_and_its_ledger_balances(
        runtime: Any, local_services: Any, stripe_events_to_runtime: None) -> None:
    client, freelancer = sign_up_as(runtime, "client", prefix="pay"), sign_up_as(runtime, "freelancer", prefix="pay")
    gig = ok(create_gig.sync_detailed(client=client.client, idempotency_key=key(), body=CreateGigRequest(
        title="Boom operator for a feature", description="Three shoot days in Lagos.", category="film-crew",
        skills=["boom"], budget=BudgetBody(min_=ngn(500_000), max_=ngn(3_000_000), type_=BudgetBodyType.FIXED),
        location=LocationBody(lat=6.45, lng=3.40), remote=False, urgency=CreateGigRequestUrgency.HIGH)), 201)
    application = ok(apply_to_gig.sync_detailed(gig.id, client=freelancer.client, body=ApplyRequest(
        cover_letter="Twelve features.", proposed_rate=ngn(2_000_000), estimated_days=3)), 201)
    account = ok(create_payout_account.sync_detailed(client=freelancer.client))
    assert account.payouts_enabled is True
    contract = ok(accept_application.sync_detailed(application.id, client=client.client, body=AcceptRequest(
        milestones=[MilestoneBody(title="Shoot days", amount=ngn(1_500_000)),
                    MilestoneBody(title="Wild tracks", amount=ngn(500_000))])), 201)
    cid, (first, second) = contract.id, contract.milestones

    card = FundRequest(payment_method_id="pm_card_visa")
    funding = ok(fund_milestone.sync_detailed(cid, first.id, client=client.client, body=card, idempotency_key=key()))
    assert funding.milestone.status == MilestoneOutStatus.FUNDING  # until Stripe's event arrives
    assert funding.payment.client_secret and funding.payment.payment_intent_id
    assert wait_for(client.client, cid, 0, MilestoneOutStatus.FUNDED).funded_at

    submitted = ok(submit_milestone.sync_detailed(cid, first.id, client=freelancer.client, body=SubmitRequest(
        note="Sound files on the drive.", attachment_keys=[])))
    assert submitted.auto_release_at
    released = ok(release_milestone.sync_detailed(cid, first.id, client=client.client, idempotency_key=key()))
    assert released.status == MilestoneOutStatus.RELEASED
    v1 = stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                             max_network_retries=0).v1
    transfers = v1.transfers.list({"transfer_group": first.id}).data
    assert [(t.amount, t.currency) for t in transfers] == [(1_350_000, "ngn")]  # 1,500,000 less the 10% fee

    ok(fund_milestone.sync_detailed(cid, second.id, client=client.client, body=card, idempotency_key=key()))
    wait_for(client.client, cid, 1, MilestoneOutStatus.FUNDED)

    def refund(amount: int, reason: str) -> MilestoneOut:
        body = RefundRequest(amount=MoneyBody(amount=amount, currency=MoneyBodyCurrency.NGN), reason=reason)
        return ok(refund_milestone.sync_detailed(cid, second.id, client=client.client, body=body,
                                                 idempotency_key=key()))

    assert refund(200_000, "One day fewer.").status == MilestoneOutStatus.FUNDED
    rest = refund(300_000, "Not needed after all.")
    assert rest.status == MilestoneOutStatus.REFUNDED
    assert rest.refunded_amount.to_dict() == naira(500_000)

    assert ok(get_contract.sync_detailed(cid, client=freelancer.client)).status == ContractOutStatus.COMPLETED
    ledger = ok(get_contract_ledger.sync_detailed(cid, client=freelancer.client))
    debits, credits = Counter[str](), Counter[str]()
    for e in ledger.items:
        debits[e.debit.value] += e.amount.amount
        credits[e.credit.value] += e.amount.amount
    assert sum(debits.values()) == sum(credits.values())
    assert credits[LedgerEntryOutCredit.ESCROW_HELD.value] - debits[LedgerEntryOutDebit.ESCROW_HELD.value] == 0
    assert ledger.balances.to_dict() == {"funded": naira(2_000_000), "held": naira(0), "released": naira(1_350_000),
                                         "refunded": naira(500_000), "fees": naira(150_000)}
    assert Counter(e.kind.value for e in ledger.items) == {"funding": 2, "release": 1, "fee": 1, "refund": 2}
