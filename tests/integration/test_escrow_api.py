"""Escrow over the local stack (DynamoDB Local, moto, the local Stripe), through the Chalice app in process.

Stripe's events come from the local Stripe itself: a receiver registered with the stack's endpoint secret
collects what it sends, and the tests post those signed payloads to ``/webhooks/stripe`` as Stripe would
(any number of times, in any order), then run the payments consumer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import stripe

from gigcore import bootstrap
from gigcore.cli.admin import set_admin
from gigcore.domain.clock import utc_now
from tests.conftest import Api
from tests.fake_clock import FakeClock
from tests.stripe_hooks import Receiver, register_webhook

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def ngn(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def code(answer: Any) -> str:
    return str(answer.json_body["error"]["code"])


@pytest.fixture(scope="module")
def receiver(local_services: Any, stack_env: dict[str, str]) -> Iterator[Receiver]:
    """Receives what the local Stripe sends, signed with the stack's endpoint secret (as the app's webhook is)."""
    hook = Receiver()
    register_webhook(local_services, hook.url, stack_env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"])
    yield hook
    hook.close()


@pytest.fixture(scope="module")
def stripe_v1(local_services: Any) -> Any:
    return stripe.StripeClient("sk_test_local", base_addresses={"api": local_services.stripe_endpoint},
                               max_network_retries=0).v1


@pytest.fixture(scope="module")
def app_client(stack_env: dict[str, str]) -> Iterator[Api]:
    from app import app
    from chalice.test import Client

    with Client(app) as client:
        yield Api(client)


def _signup(api: Api, roles: list[str]) -> dict[str, str]:
    """A new user, signed up from an address of its own (sign-ups are limited per source address)."""
    from chalice.local import LambdaEventConverter

    email = f"escrow-{uuid.uuid4().hex[:12]}@example.com"
    octets = uuid.uuid4().bytes
    saved = LambdaEventConverter.LOCAL_SOURCE_IP
    LambdaEventConverter.LOCAL_SOURCE_IP = f"10.{octets[0]}.{octets[1]}.{octets[2]}"
    try:
        answer = api.post("/auth/signup", {"email": email, "password": PASSWORD, "name": "Ada Obi", "roles": roles})
    finally:
        LambdaEventConverter.LOCAL_SOURCE_IP = saved
    assert answer.status_code == 201, answer.json_body
    return {"token": answer.json_body["access_token"], "id": answer.json_body["user"]["id"], "email": email}


@pytest.fixture(scope="module")
def people(app_client: Api) -> dict[str, dict[str, str]]:
    """A client, a freelancer with a payout account, a stranger, and an admin (granted by the CLI's function)."""
    client, freelancer = _signup(app_client, ["client"]), _signup(app_client, ["freelancer"])
    stranger, admin = _signup(app_client, ["client", "freelancer"]), _signup(app_client, ["client"])
    set_admin(bootstrap.container().users, admin["email"], admin=True)
    login = app_client.post("/auth/login", {"email": admin["email"], "password": PASSWORD})
    assert login.status_code == 200, login.json_body
    admin["token"] = login.json_body["access_token"]
    account = app_client.post("/me/payout-account", token=freelancer["token"])
    assert account.status_code == 200, account.json_body
    assert account.json_body["payouts_enabled"] is True and account.json_body["onboarding_url"].startswith("http")
    return {"client": client, "freelancer": freelancer, "stranger": stranger, "admin": admin}


def contract(api: Api, people: dict[str, dict[str, str]], amounts: tuple[int, ...] = (1_000_000, 500_000)) -> dict:
    """A gig by the client, the freelancer's application, accepted with one milestone per amount."""
    body = {"title": "Light a short film", "description": "Two days on set.", "category": "film-crew",
            "skills": ["gaffer"], "budget": {"min": ngn(100_000), "max": ngn(5_000_000), "type": "fixed"},
            "location": {"lat": 6.5244, "lng": 3.3792}, "remote": False, "urgency": "medium"}
    gig = api.post("/gigs", body, token=people["client"]["token"]).json_body
    application = api.post(f"/gigs/{gig['id']}/applications",
                           {"cover_letter": "Ten features lit.", "proposed_rate": ngn(sum(amounts)),
                            "estimated_days": 2}, token=people["freelancer"]["token"]).json_body
    accepted = api.post(f"/applications/{application['id']}/accept",
                        {"milestones": [{"title": f"Part {i + 1}", "amount": ngn(a)} for i, a in enumerate(amounts)]},
                        token=people["client"]["token"])
    assert accepted.status_code == 201, accepted.json_body
    return dict(accepted.json_body)


def path(c: dict, i: int, action: str) -> str:
    return f"/contracts/{c['id']}/milestones/{c['milestones'][i]['id']}/{action}"


def fund(api: Api, people: dict, c: dict, i: int, card: str = "pm_card_visa") -> Any:
    return api.post(path(c, i, "fund"), {"payment_method_id": card}, token=people["client"]["token"], headers=key())


def funded(api: Api, people: dict, c: dict, i: int) -> dict:
    """Fund and reconcile at once (the sync route), for tests that are about what comes after."""
    answer = fund(api, people, c, i)
    assert answer.status_code == 200, answer.json_body
    synced = api.post(f"/payments/{answer.json_body['payment']['payment_intent_id']}/sync",
                      token=people["client"]["token"])
    assert synced.status_code == 200 and synced.json_body["milestone"]["status"] == "funded", synced.json_body
    return dict(synced.json_body["milestone"])


def milestone(api: Api, people: dict, c: dict, i: int) -> dict:
    got = api.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body
    return dict(got["milestones"][i])


def ledger(api: Api, people: dict, c: dict) -> dict:
    answer = api.get(f"/contracts/{c['id']}/ledger", token=people["client"]["token"])
    assert answer.status_code == 200, answer.json_body
    return dict(answer.json_body)


def post_webhook(api: Api, raw: bytes, signature: str) -> Any:
    """The raw payload as Stripe sends it (the signature is over these exact bytes)."""
    return api._client.http.request("POST", "/webhooks/stripe", body=raw,
                                    headers={"Content-Type": "application/json", "Stripe-Signature": signature})


def sign(payload: bytes, secret: str) -> str:
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


# ---- funding and Stripe's reports -----------------------------------------------------------------------


def test_a_funded_milestone_is_marked_funded_once_by_webhooks_sent_five_times_out_of_order(
        app_client: Api, people: dict, receiver: Receiver, deliver: Any, stack_env: dict[str, str]) -> None:
    c = contract(app_client, people)
    answer = fund(app_client, people, c, 0)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["milestone"]["status"] == "funding"
    intent_id = answer.json_body["payment"]["payment_intent_id"]
    assert answer.json_body["payment"]["status"] == "succeeded" and answer.json_body["payment"]["client_secret"]
    events = receiver.about(intent_id, "payment_intent.succeeded")
    assert events, "the local Stripe sent no payment_intent.succeeded"
    # A failure report about the same intent, signed with the endpoint secret, arriving after the success.
    failed = json.dumps({"id": f"evt_{uuid.uuid4().hex[:20]}", "object": "event",
                         "type": "payment_intent.payment_failed", "created": int(time.time()),
                         "data": {"object": {"id": intent_id, "object": "payment_intent"}}}).encode()
    secret = stack_env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"]
    deliveries = [(failed, sign(failed, secret)), *events] * 5
    for raw, signature in reversed(deliveries):
        accepted = post_webhook(app_client, raw, signature)
        assert accepted.status_code == 200, accepted.json_body
    deliver("payments")
    after = milestone(app_client, people, c, 0)
    assert after["status"] == "funded" and after["funded_at"]
    entries = ledger(app_client, people, c)
    assert [e["kind"] for e in entries["items"]] == ["funding"]
    assert entries["balances"]["funded"] == ngn(1_000_000) == entries["balances"]["held"]


def test_a_webhook_with_a_bad_signature_is_refused_and_queues_nothing(app_client: Api, deliver: Any) -> None:
    payload = json.dumps({"id": "evt_forged", "object": "event", "type": "payment_intent.succeeded",
                          "data": {"object": {"id": "pi_forged", "object": "payment_intent"}}}).encode()
    for signature in ("", sign(payload, "whsec_wrong"), "t=1,v1=00"):
        answer = post_webhook(app_client, payload, signature)
        assert answer.status_code == 400 and code(answer) == "validation_error"
    assert deliver("payments") == 0


def test_an_event_about_an_intent_stripe_does_not_know_is_consumed_not_retried(
        app_client: Api, deliver: Any, stack_env: dict[str, str]) -> None:
    payload = json.dumps({"id": f"evt_{uuid.uuid4().hex[:20]}", "object": "event", "type": "payment_intent.succeeded",
                          "created": int(time.time()),
                          "data": {"object": {"id": "pi_unknown_" + uuid.uuid4().hex[:8], "object": "payment_intent"}}}
                         ).encode()
    answer = post_webhook(app_client, payload, sign(payload, stack_env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"]))
    assert answer.status_code == 200 and answer.json_body == {"received": True}
    assert deliver("payments") == 1  # handled (nothing to apply), not failed back to the queue


def test_a_declined_card_answers_402_with_the_decline_code_and_the_milestone_stays_pending(
        app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    answer = fund(app_client, people, c, 0, card="pm_card_chargeDeclinedInsufficientFunds")
    assert answer.status_code == 402, answer.json_body
    assert code(answer) == "payment_failed"
    assert answer.json_body["error"]["details"] == [{"field": "payment_method_id", "issue": "insufficient_funds"}]
    assert milestone(app_client, people, c, 0)["status"] == "pending"
    assert ledger(app_client, people, c)["items"] == []
    retried = fund(app_client, people, c, 0)  # another card works
    assert retried.status_code == 200 and retried.json_body["milestone"]["status"] == "funding"


def test_fund_without_a_payment_method_leaves_the_confirmation_to_the_app(app_client: Api, people: dict,
                                                                         stripe_v1: Any) -> None:
    c = contract(app_client, people)
    answer = app_client.post(path(c, 0, "fund"), {}, token=people["client"]["token"], headers=key())
    assert answer.status_code == 200, answer.json_body
    payment = answer.json_body["payment"]
    assert payment["status"] == "requires_payment_method" and payment["client_secret"]
    intent = stripe_v1.payment_intents.retrieve(payment["payment_intent_id"])
    assert intent.transfer_group == c["milestones"][0]["id"]
    assert intent.metadata["contract_id"] == c["id"] and intent.metadata["milestone_id"] == c["milestones"][0]["id"]
    # The app confirms with the SDK; then a sync (or the webhook) funds the milestone.
    stripe_v1.payment_intents.confirm(payment["payment_intent_id"], {"payment_method": "pm_card_visa"})
    synced = app_client.post(f"/payments/{payment['payment_intent_id']}/sync", token=people["client"]["token"])
    assert synced.status_code == 200 and synced.json_body["milestone"]["status"] == "funded"
    # Funding again reuses the same intent: one charge per milestone.
    again = app_client.post(path(c, 0, "fund"), {}, token=people["client"]["token"], headers=key())
    assert again.status_code == 409 and code(again) == "invalid_state"


def test_money_routes_require_an_idempotency_key(app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    answer = app_client.post(path(c, 0, "fund"), {"payment_method_id": "pm_card_visa"},
                             token=people["client"]["token"])
    assert answer.status_code == 400
    assert answer.json_body["error"]["details"] == [{"field": "Idempotency-Key", "issue": "required"}]
    assert milestone(app_client, people, c, 0)["status"] == "pending"


# ---- release ----------------------------------------------------------------------------------------------


def test_twenty_concurrent_releases_make_exactly_one_transfer(app_client: Api, people: dict,
                                                              stripe_v1: Any) -> None:
    c = contract(app_client, people)
    funded(app_client, people, c, 0)
    answers: list[Any] = []

    def release() -> None:
        answers.append(app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key()))

    threads = [threading.Thread(target=release) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}, statuses
    transfers = stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data
    assert len(transfers) == 1
    assert transfers[0].amount == 900_000  # 1,000,000 less the 10% fee
    assert milestone(app_client, people, c, 0)["status"] == "released"
    entries = ledger(app_client, people, c)
    assert sorted(e["kind"] for e in entries["items"]) == ["fee", "funding", "release"]
    assert entries["balances"] == {"funded": ngn(1_000_000), "held": ngn(0), "released": ngn(900_000),
                                   "refunded": ngn(0), "fees": ngn(100_000)}
    again = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert again.status_code == 409 and code(again) == "invalid_state"


class Killed(BaseException):
    """The Lambda dies: nothing after this point runs (not even the route's error mapping)."""


def test_a_release_killed_between_the_transfer_and_the_state_write_is_completed_by_the_retry(
        app_client: Api, people: dict, stripe_v1: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    c = contract(app_client, people)
    funded(app_client, people, c, 0)
    gateway = bootstrap.container().payments
    real = gateway.create_transfer

    def transfer_then_die(**kwargs: Any) -> Any:
        real(**kwargs)
        raise Killed

    monkeypatch.setattr(gateway, "create_transfer", transfer_then_die)
    with pytest.raises(Killed):
        app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    monkeypatch.setattr(gateway, "create_transfer", real)
    assert len(stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data) == 1
    assert milestone(app_client, people, c, 0)["status"] == "funded"  # the state write never happened
    retry = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert retry.status_code == 200 and retry.json_body["status"] == "released", retry.json_body
    assert len(stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data) == 1
    assert [e["kind"] for e in ledger(app_client, people, c)["items"]].count("release") == 1


def test_a_stripe_outage_answers_503_and_records_nothing_then_the_retry_releases(
        app_client: Api, people: dict, local_services: Any, stripe_v1: Any) -> None:
    import urllib.request

    c = contract(app_client, people)
    funded(app_client, people, c, 0)
    fault = json.dumps({"method": "POST", "path": "^/v1/transfers$", "status": 503, "count": 1}).encode()
    urllib.request.urlopen(urllib.request.Request(  # noqa: S310 (loopback)
        f"{local_services.stripe_endpoint}/_config/connect/faults", data=fault,
        headers={"Content-Type": "application/json"}, method="POST"), timeout=5).read()
    answer = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert answer.status_code == 503 and code(answer) == "upstream_unavailable", answer.json_body
    assert "Traceback" not in json.dumps(answer.json_body)
    assert milestone(app_client, people, c, 0)["status"] == "funded"
    assert [e["kind"] for e in ledger(app_client, people, c)["items"]] == ["funding"]
    retry = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert retry.status_code == 200 and retry.json_body["status"] == "released"
    assert len(stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data) == 1


def test_release_needs_a_payout_account_that_can_be_paid(app_client: Api, people: dict) -> None:
    newcomer = _signup(app_client, ["freelancer"])
    team = people | {"freelancer": newcomer}
    c = contract(app_client, team)
    funded(app_client, team, c, 0)
    answer = app_client.post(path(c, 0, "release"), token=team["client"]["token"], headers=key())
    assert answer.status_code == 409 and code(answer) == "invalid_state"
    assert answer.json_body["error"]["details"] == [{"field": "payout_account", "issue": "required"}]
    assert milestone(app_client, team, c, 0)["status"] == "funded"
    assert app_client.post("/me/payout-account", token=newcomer["token"]).status_code == 200
    assert app_client.post(path(c, 0, "release"), token=team["client"]["token"], headers=key()).status_code == 200


def test_an_onboarding_finished_at_stripe_reaches_the_payout_account_through_the_webhook(
        app_client: Api, local_services: Any, receiver: Receiver, deliver: Any) -> None:
    import urllib.request

    from tests.integration.test_local_stripe import _control

    newcomer = _signup(app_client, ["freelancer"])
    _control(local_services, "/_config/connect/onboarding", {"mode": "link"})
    try:
        first = app_client.post("/me/payout-account", token=newcomer["token"])
    finally:
        _control(local_services, "/_config/connect/onboarding", {"mode": "instant"})
    assert first.status_code == 200 and first.json_body["payouts_enabled"] is False, first.json_body
    with urllib.request.urlopen(first.json_body["onboarding_url"], timeout=5) as page:  # noqa: S310 (loopback)
        page.read()
    updates = receiver.about(first.json_body["account_id"], "account.updated")
    assert updates
    for raw, signature in updates:
        assert post_webhook(app_client, raw, signature).status_code == 200
    deliver("payments")
    stored = bootstrap.container().escrow.ports.payout_accounts.get(newcomer["id"])
    assert stored is not None and stored.payouts_enabled is True
    again = app_client.post("/me/payout-account", token=newcomer["token"])
    assert again.json_body["account_id"] == first.json_body["account_id"]  # one account per freelancer


# ---- refunds, completion ---------------------------------------------------------------------------------


def test_partial_refunds_then_release_then_completion(app_client: Api, people: dict, stripe_v1: Any) -> None:
    c = contract(app_client, people)
    funded(app_client, people, c, 0)
    funded(app_client, people, c, 1)
    first = app_client.post(path(c, 1, "refund"), {"amount": ngn(200_000), "reason": "smaller scope"},
                            token=people["client"]["token"], headers=key())
    assert first.status_code == 200, first.json_body
    assert first.json_body["status"] == "funded" and first.json_body["refunded_amount"] == ngn(200_000)
    too_much = app_client.post(path(c, 1, "refund"), {"amount": ngn(300_001), "reason": "all"},
                               token=people["client"]["token"], headers=key())
    assert too_much.status_code == 422 and code(too_much) == "validation_error"
    rest = app_client.post(path(c, 1, "refund"), {"reason": "cancelled"}, token=people["client"]["token"],
                           headers=key())
    assert rest.status_code == 200 and rest.json_body["status"] == "refunded"
    assert rest.json_body["refunded_amount"] == ngn(500_000)
    intent = stripe_v1.payment_intents.retrieve(milestone_intent(c, 1))
    charge = stripe_v1.charges.retrieve(intent.latest_charge if isinstance(intent.latest_charge, str)
                                        else intent.latest_charge.id)
    assert charge.amount_refunded == 500_000
    submitted = app_client.post(path(c, 0, "submit"), {"note": "Rushes uploaded."},
                                token=people["freelancer"]["token"])
    assert submitted.status_code == 200 and submitted.json_body["status"] == "submitted"
    assert submitted.json_body["auto_release_at"]
    late = app_client.post(path(c, 0, "refund"), {"reason": "changed my mind"}, token=people["client"]["token"],
                           headers=key())
    assert late.status_code == 409 and code(late) == "invalid_state"  # the client refunds only before submission
    before = app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body
    assert before["status"] == "in_progress"  # now in this instance's gig cache
    released = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert released.status_code == 200 and released.json_body["status"] == "released"
    after = app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body
    assert after["status"] == "completed"
    gig = app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body
    assert gig["status"] == "completed"
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_500_000), "held": ngn(0), "released": ngn(900_000), "refunded": ngn(500_000),
                 "fees": ngn(100_000)}
    invoices = app_client.get(f"/contracts/{c['id']}/invoices", token=people["freelancer"]["token"]).json_body
    kinds = sorted(i["kind"] for i in invoices["items"])
    assert kinds == ["funding", "funding", "refund", "refund", "release"]
    release_invoice = next(i for i in invoices["items"] if i["kind"] == "release")
    assert [line["kind"] for line in release_invoice["lines"]] == ["gross", "fee", "net"]
    assert [line["amount"]["amount"] for line in release_invoice["lines"]] == [1_000_000, 100_000, 900_000]


def milestone_intent(c: dict, i: int) -> str:
    item = bootstrap.container().contracts.get_milestone(c["id"], c["milestones"][i]["id"])
    assert item is not None and item.payment_intent_id
    return item.payment_intent_id


def test_an_admin_refund_after_release_reverses_the_transfer_first(app_client: Api, people: dict,
                                                                   stripe_v1: Any) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    funded(app_client, people, c, 0)
    assert app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key()).status_code == 200
    answer = app_client.post(path(c, 0, "refund"), {"amount": ngn(950_000), "reason": "chargeback risk"},
                             token=people["admin"]["token"], headers=key())
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["status"] == "released" and answer.json_body["refunded_amount"] == ngn(950_000)
    transfer = stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data[0]
    assert transfer.amount_reversed == 900_000  # all of the freelancer's part, then 50,000 of the fee
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_000_000), "held": ngn(0), "released": ngn(0), "refunded": ngn(950_000),
                 "fees": ngn(50_000)}


# ---- disputes and auto-release ---------------------------------------------------------------------------


def test_a_disputed_milestone_is_not_auto_released_and_an_admin_splits_it(
        app_client: Api, people: dict, stripe_v1: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import app

    c = contract(app_client, people)
    for i in (0, 1):
        funded(app_client, people, c, i)
        assert app_client.post(path(c, i, "submit"), {"note": "done"},
                               token=people["freelancer"]["token"]).status_code == 200
    dispute = app_client.post(f"/contracts/{c['id']}/disputes",
                              {"milestone_id": c["milestones"][1]["id"], "reason": "Half the shots are missing."},
                              token=people["client"]["token"])
    assert dispute.status_code == 201, dispute.json_body
    assert dispute.json_body["status"] == "open" and dispute.json_body["held"] == ngn(500_000)
    assert app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "disputed"
    later = utc_now() + timedelta(days=8)
    monkeypatch.setitem(bootstrap.container().__dict__, "clock", FakeClock(later))
    app.handler_map["auto_release"]({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {},
                                     "time": "2026-12-11T00:00:00Z", "resources": [], "region": "us-east-1",
                                     "account": "000000000000", "id": "e", "version": "0"}, None)
    monkeypatch.undo()
    assert milestone(app_client, people, c, 0)["status"] == "released"  # past its time: released
    assert milestone(app_client, people, c, 1)["status"] == "disputed"  # disputed: kept
    wrong = app_client.post(f"/admin/disputes/{dispute.json_body['id']}/resolve",
                            {"release_amount": ngn(300_000), "refund_amount": ngn(100_000), "note": "split"},
                            token=people["admin"]["token"], headers=key())
    assert wrong.status_code == 422 and code(wrong) == "validation_error"
    resolved = app_client.post(f"/admin/disputes/{dispute.json_body['id']}/resolve",
                               {"release_amount": ngn(300_000), "refund_amount": ngn(200_000),
                                "note": "Partial delivery."}, token=people["admin"]["token"], headers=key())
    assert resolved.status_code == 200, resolved.json_body
    assert resolved.json_body["status"] == "resolved"
    assert resolved.json_body["resolution"]["release_amount"] == ngn(300_000)
    after = app_client.get(f"/contracts/{c['id']}", token=people["freelancer"]["token"]).json_body
    assert after["status"] == "completed"
    assert after["milestones"][1]["status"] == "released"
    assert after["milestones"][1]["refunded_amount"] == ngn(200_000)
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_500_000), "held": ngn(0), "released": ngn(900_000 + 270_000),
                 "refunded": ngn(200_000), "fees": ngn(100_000 + 30_000)}
    again = app_client.post(f"/admin/disputes/{dispute.json_body['id']}/resolve",
                            {"release_amount": ngn(300_000), "refund_amount": ngn(200_000), "note": "again"},
                            token=people["admin"]["token"], headers=key())
    assert again.status_code == 409


# ---- who may do what ---------------------------------------------------------------------------------------

ACTORS = ("client", "freelancer", "stranger", "admin")

#: Every escrow route, the state it is called in, and the one answer each actor gets. Forbidden calls come
#: first and must change nothing; then the allowed ones run.
MATRIX: list[tuple[str, str, dict[str, int]]] = [
    ("fund", "pending", {"freelancer": 403, "stranger": 403, "admin": 403, "client": 200}),
    ("sync", "funding", {"freelancer": 403, "stranger": 403, "admin": 403, "client": 200}),
    ("submit", "funded", {"client": 403, "stranger": 403, "admin": 403, "freelancer": 200}),
    ("release", "submitted", {"freelancer": 403, "stranger": 403, "admin": 403, "client": 200}),
    ("refund", "funded", {"freelancer": 403, "stranger": 403, "client": 200, "admin": 200}),
    ("dispute", "funded", {"stranger": 403, "admin": 403, "client": 201, "freelancer": 409}),
    ("resolve", "disputed", {"client": 403, "freelancer": 403, "stranger": 403, "admin": 200}),
    ("get_dispute", "disputed", {"stranger": 403, "client": 200, "freelancer": 200, "admin": 200}),
    ("ledger", "funded", {"stranger": 403, "client": 200, "freelancer": 200, "admin": 200}),
    ("invoices", "funded", {"stranger": 403, "client": 200, "freelancer": 200, "admin": 200}),
    ("payout_account", "pending", {"client": 403, "admin": 403, "freelancer": 200, "stranger": 200}),
]


def _prepare(api: Api, people: dict, c: dict, state: str) -> dict[str, str]:
    found: dict[str, str] = {}
    if state == "pending":
        return found
    answer = fund(api, people, c, 0)
    found["intent"] = answer.json_body["payment"]["payment_intent_id"]
    if state == "funding":
        return found
    api.post(f"/payments/{found['intent']}/sync", token=people["client"]["token"])
    if state == "submitted":
        api.post(path(c, 0, "submit"), {"note": "done"}, token=people["freelancer"]["token"])
    if state == "disputed":
        d = api.post(f"/contracts/{c['id']}/disputes", {"milestone_id": c["milestones"][0]["id"], "reason": "late"},
                     token=people["client"]["token"])
        found["dispute"] = d.json_body["id"]
    return found


def _call(api: Api, route: str, c: dict, found: dict[str, str], token: str) -> Any:
    m = c["milestones"][0]
    calls = {
        "fund": lambda: api.post(path(c, 0, "fund"), {"payment_method_id": "pm_card_visa"}, token=token, headers=key()),
        "sync": lambda: api.post(f"/payments/{found['intent']}/sync", token=token),
        "submit": lambda: api.post(path(c, 0, "submit"), {"note": "done"}, token=token),
        "release": lambda: api.post(path(c, 0, "release"), token=token, headers=key()),
        "refund": lambda: api.post(path(c, 0, "refund"), {"amount": ngn(1_000), "reason": "r"}, token=token,
                                   headers=key()),
        "dispute": lambda: api.post(f"/contracts/{c['id']}/disputes", {"milestone_id": m["id"], "reason": "r"},
                                    token=token),
        "resolve": lambda: api.post(f"/admin/disputes/{found['dispute']}/resolve",
                                    {"release_amount": ngn(500_000), "refund_amount": ngn(500_000), "note": "n"},
                                    token=token, headers=key()),
        "get_dispute": lambda: api.get(f"/disputes/{found['dispute']}", token=token),
        "ledger": lambda: api.get(f"/contracts/{c['id']}/ledger", token=token),
        "invoices": lambda: api.get(f"/contracts/{c['id']}/invoices", token=token),
        "payout_account": lambda: api.post("/me/payout-account", token=token),
    }
    return calls[route]()


@pytest.mark.parametrize(("route", "state", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_every_escrow_route_answers_each_actor_exactly_as_allowed(app_client: Api, people: dict, route: str,
                                                                  state: str, expected: dict[str, int]) -> None:
    c = contract(app_client, people)
    found = _prepare(app_client, people, c, state)
    before = (app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body,
              ledger(app_client, people, c))
    for actor, status in expected.items():
        if status in {403, 404}:
            answer = _call(app_client, route, c, found, people[actor]["token"])
            assert answer.status_code == status, (route, actor, answer.json_body)
            after = (app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body,
                     ledger(app_client, people, c))
            assert after == before, (route, actor, "a refused call changed something")
    for actor, status in expected.items():
        if status not in {403, 404}:
            answer = _call(app_client, route, c, found, people[actor]["token"])
            assert answer.status_code == status, (route, actor, answer.json_body)


def test_an_admin_sees_a_contract_and_a_stranger_does_not(app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    assert app_client.get(f"/contracts/{c['id']}", token=people["admin"]["token"]).status_code == 200
    refused = app_client.get(f"/contracts/{c['id']}", token=people["stranger"]["token"])
    assert refused.status_code == 403 and code(refused) == "forbidden"


def test_a_stranger_cannot_see_or_touch_a_contract_that_does_not_exist_either(app_client: Api, people: dict) -> None:
    ghost = f"/contracts/{uuid.uuid4().hex[:26].upper()}/milestones/{uuid.uuid4().hex[:26].upper()}/release"
    answer = app_client.post(ghost, token=people["client"]["token"], headers=key())
    assert answer.status_code == 404 and code(answer) == "not_found"
