"""Escrow end to end over HTTP on the local runtime, with Stripe's events delivered by the local Stripe to
``/webhooks/stripe`` and applied by the payments consumer the runtime's pollers run.

A client posts a gig, a freelancer applies and opens a payout account, the client accepts with two
milestones, funds the first with ``pm_card_visa`` (the webhook marks it funded), the freelancer submits, the
client releases (a transfer of the amount less the fee); the second is funded and refunded in two parts; the
ledger balances.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import stripe

from tests.stripe_hooks import register_webhook

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def ngn(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


def signup(runtime: Any, role: str) -> str:
    body = {"email": f"pay-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "Pay Flow",
            "roles": [role]}
    answer = httpx.post(f"{runtime.api_url}/auth/signup", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["access_token"])


def call(runtime: Any, method: str, path: str, token: str, body: Any = None, *, money: bool = False) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if money:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return httpx.request(method, f"{runtime.api_url}{path}", json=body, timeout=30, headers=headers)


@pytest.fixture(scope="module")
def stripe_events_to_runtime(runtime: Any, local_services: Any, stack_env: dict[str, str]) -> Iterator[None]:
    """The local Stripe sends its signed events to the runtime's webhook, as Stripe would to the stage's."""
    register_webhook(local_services, f"{runtime.api_url}/webhooks/stripe",
                     stack_env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"])
    yield


def wait_for(runtime: Any, token: str, contract_id: str, index: int, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        milestone = call(runtime, "GET", f"/contracts/{contract_id}", token).json()["milestones"][index]
        if milestone["status"] == status or time.monotonic() > deadline:
            assert milestone["status"] == status, milestone
            return dict(milestone)
        time.sleep(0.2)


def test_a_contract_is_funded_released_and_refunded_and_its_ledger_balances(
        runtime: Any, local_services: Any, stripe_events_to_runtime: None) -> None:
    client, freelancer = signup(runtime, "client"), signup(runtime, "freelancer")
    gig = call(runtime, "POST", "/gigs", client, {
        "title": "Boom operator for a feature", "description": "Three shoot days in Lagos.", "category": "film-crew",
        "skills": ["boom"], "budget": {"min": ngn(500_000), "max": ngn(3_000_000), "type": "fixed"},
        "location": {"lat": 6.45, "lng": 3.40}, "remote": False, "urgency": "high"}).json()
    application = call(runtime, "POST", f"/gigs/{gig['id']}/applications", freelancer, {
        "cover_letter": "Twelve features.", "proposed_rate": ngn(2_000_000), "estimated_days": 3}).json()
    account = call(runtime, "POST", "/me/payout-account", freelancer)
    assert account.status_code == 200 and account.json()["payouts_enabled"] is True, account.text
    accepted = call(runtime, "POST", f"/applications/{application['id']}/accept", client, {
        "milestones": [{"title": "Shoot days", "amount": ngn(1_500_000)},
                       {"title": "Wild tracks", "amount": ngn(500_000)}]})
    assert accepted.status_code == 201, accepted.text
    contract = accepted.json()
    cid, (first, second) = contract["id"], contract["milestones"]

    funding = call(runtime, "POST", f"/contracts/{cid}/milestones/{first['id']}/fund", client,
                   {"payment_method_id": "pm_card_visa"}, money=True)
    assert funding.status_code == 200, funding.text
    assert funding.json()["milestone"]["status"] == "funding"  # until Stripe's event arrives
    assert wait_for(runtime, client, cid, 0, "funded")["funded_at"]

    submitted = call(runtime, "POST", f"/contracts/{cid}/milestones/{first['id']}/submit", freelancer,
                     {"note": "Sound files on the drive.", "attachment_keys": []})
    assert submitted.status_code == 200 and submitted.json()["auto_release_at"], submitted.text
    released = call(runtime, "POST", f"/contracts/{cid}/milestones/{first['id']}/release", client, money=True)
    assert released.status_code == 200 and released.json()["status"] == "released", released.text
    v1 = stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                             max_network_retries=0).v1
    transfers = v1.transfers.list({"transfer_group": first["id"]}).data
    assert [(t.amount, t.currency) for t in transfers] == [(1_350_000, "ngn")]  # 1,500,000 less the 10% fee

    paid = call(runtime, "POST", f"/contracts/{cid}/milestones/{second['id']}/fund", client,
                {"payment_method_id": "pm_card_visa"}, money=True)
    assert paid.status_code == 200, paid.text
    wait_for(runtime, client, cid, 1, "funded")
    part = call(runtime, "POST", f"/contracts/{cid}/milestones/{second['id']}/refund", client,
                {"amount": ngn(200_000), "reason": "One day fewer."}, money=True)
    assert part.status_code == 200 and part.json()["status"] == "funded", part.text
    rest = call(runtime, "POST", f"/contracts/{cid}/milestones/{second['id']}/refund", client,
                {"amount": ngn(300_000), "reason": "Not needed after all."}, money=True)
    assert rest.status_code == 200 and rest.json()["status"] == "refunded", rest.text
    assert rest.json()["refunded_amount"] == ngn(500_000)

    after = call(runtime, "GET", f"/contracts/{cid}", freelancer).json()
    assert after["status"] == "completed"
    ledger = call(runtime, "GET", f"/contracts/{cid}/ledger", freelancer).json()
    debits, credits = Counter[str](), Counter[str]()
    for e in ledger["items"]:
        debits[e["debit"]] += e["amount"]["amount"]
        credits[e["credit"]] += e["amount"]["amount"]
    assert sum(debits.values()) == sum(credits.values())
    assert credits["escrow_held"] - debits["escrow_held"] == 0
    assert ledger["balances"] == {"funded": ngn(2_000_000), "held": ngn(0), "released": ngn(1_350_000),
                                  "refunded": ngn(500_000), "fees": ngn(150_000)}
    assert Counter(e["kind"] for e in ledger["items"]) == {"funding": 2, "release": 1, "fee": 1, "refund": 2}
