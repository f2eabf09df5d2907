"""Escrow's crash and outage paths: the escrow service on DynamoDB Local with the in-memory payment fake, whose
outages can strike before or after a call took effect (the answer lost on the way back).

Whatever fails, the next call on the milestone finishes what was in flight with the same Stripe keys: the
provider never moves money twice, and the ledger records each movement once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.adapters.dynamo_escrow import DynamoPayoutAccountStore
from gigcore.domain.clock import utc_now
from gigcore.domain.errors import InvalidStateError, UpstreamUnavailableError
from gigcore.domain.escrow import PendingOp
from gigcore.domain.money import Money
from gigcore.domain.users import Principal
from gigcore.ports.payments import PaymentRefusedError
from gigcore.services.escrow import Escrow, EscrowConfig, EscrowPorts
from tests.conftest import Api
from tests.fake_payments import FakePaymentGateway

pytestmark = pytest.mark.integration


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


@pytest.fixture
def stripe() -> FakePaymentGateway:
    return FakePaymentGateway()


@pytest.fixture
def escrow(stack_env: dict[str, str], stripe: FakePaymentGateway) -> Escrow:
    c = bootstrap.container()
    ports = EscrowPorts(unit_of_work=c.unit_of_work,
                        payout_accounts=DynamoPayoutAccountStore(c.dynamodb, c.settings.table_name),
                        payments=stripe, users=c.users)
    return Escrow(ports, EscrowConfig(fee_bps=1000, auto_release_days=7))


def _user(api: Api, role: str) -> Principal:
    answer = api.post("/auth/signup", {"email": f"faults-{uuid.uuid4().hex[:12]}@example.com",
                                       "password": "correct horse battery", "name": "F", "roles": [role]})
    assert answer.status_code == 201, answer.json_body
    return Principal(user_id=answer.json_body["user"]["id"], roles=(role,))


@pytest.fixture
def deal(api: Api) -> dict[str, Any]:
    """A contract with one milestone of 1,000,000 between a new client and a new freelancer."""
    client, freelancer = _user(api, "client"), _user(api, "freelancer")
    from gigcore.domain.applications import Acceptance, Proposal
    from gigcore.services import applications

    ports = bootstrap.container().application_ports
    tokens = {}
    for who in (client, freelancer):
        tokens[who.user_id] = bootstrap.container().access_tokens.issue(
            bootstrap.container().users.get(who.user_id), utc_now())[0]
    gig = api.post("/gigs", {"title": "Edit a music video", "description": "Three minutes.", "category": "editing",
                             "skills": ["editing"], "budget": {"min": ngn(100_000).model_dump(),
                                                               "max": ngn(2_000_000).model_dump(), "type": "fixed"},
                             "location": {"lat": 6.5, "lng": 3.4}, "remote": True, "urgency": "low"},
                   token=tokens[client.user_id]).json_body
    now = utc_now()
    app = applications.apply(freelancer, gig["id"], Proposal(cover_letter="Cut forty videos.",
                                                             proposed_rate=ngn(1_000_000), estimated_days=3),
                             ports=ports, now=now)
    contract = applications.accept(client, app.id, Acceptance(), ports=ports, now=now)
    return {"client": client, "freelancer": freelancer, "contract": contract, "milestone": contract.milestones[0]}


def _funded(escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    funding = escrow.fund(deal["client"], c.id, m.id, "pm_card_visa", utc_now())
    assert escrow.apply_intent(stripe.get_payment_intent(funding.intent.id), utc_now()).status == "funded"


def _kinds(escrow: Escrow, deal: dict[str, Any]) -> list[str]:
    return [e.kind for e in escrow.ledger(deal["client"], deal["contract"].id).entries]


def test_a_refund_whose_answer_was_lost_is_finished_by_the_next_refund_not_repeated(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    _funded(escrow, stripe, deal)
    stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        escrow.refund(deal["client"], c.id, m.id, ngn(100_000), "one scene cut", utc_now())
    assert [r.amount for r in stripe.refunds] == [ngn(100_000)]  # it happened at the provider
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.refunded_amount == ngn(0) and stored.pending_op is not None
    assert _kinds(escrow, deal) == ["funding"]  # not recorded yet
    after = escrow.refund(deal["client"], c.id, m.id, ngn(50_000), "another scene cut", utc_now())
    assert [r.amount for r in stripe.refunds] == [ngn(100_000), ngn(50_000)]  # the first was not made again
    assert after.refunded_amount == ngn(150_000) and after.status == "funded" and after.pending_op is None
    assert _kinds(escrow, deal) == ["funding", "refund", "refund"]
    held = escrow.ledger(deal["client"], c.id).balances.held
    assert held == ngn(850_000)


def test_the_retry_of_a_refund_cut_short_finishes_it_and_refunds_nothing_more(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    _funded(escrow, stripe, deal)
    stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        escrow.refund(deal["client"], c.id, m.id, ngn(100_000), "one scene cut", utc_now(), request_key="k-1")
    retried = escrow.refund(deal["client"], c.id, m.id, ngn(100_000), "one scene cut", utc_now(), request_key="k-1")
    assert retried.refunded_amount == ngn(100_000) and retried.pending_op is None
    assert [r.amount for r in stripe.refunds] == [ngn(100_000)]
    assert _kinds(escrow, deal) == ["funding", "refund"]


def test_a_resolution_cut_short_before_its_transfer_is_finished_by_the_retry(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    escrow.payout_account(deal["freelancer"], utc_now())
    _funded(escrow, stripe, deal)
    dispute = escrow.open_dispute(deal["freelancer"], c.id, m.id, "No answer for weeks.", utc_now())
    admin = Principal(user_id="admin-" + uuid.uuid4().hex[:8], roles=("admin",))
    calls = len(stripe.calls)
    real = stripe.create_transfer

    def down(**kwargs: Any) -> Any:
        raise UpstreamUnavailableError("Stripe is unreachable.")

    stripe.create_transfer = down  # type: ignore[method-assign]
    with pytest.raises(UpstreamUnavailableError):
        escrow.resolve(admin, dispute.id, ngn(600_000), ngn(400_000), "Six tenths delivered.", utc_now())
    stripe.create_transfer = real  # type: ignore[method-assign]
    assert [r.amount for r in stripe.refunds] == [ngn(400_000)] and stripe.transfers == []
    assert len(stripe.calls) > calls
    resolved = escrow.resolve(admin, dispute.id, ngn(600_000), ngn(400_000), "Six tenths delivered.", utc_now())
    assert resolved.status == "resolved"
    assert [r.amount for r in stripe.refunds] == [ngn(400_000)]  # replayed, not refunded again
    assert [t.amount for t in stripe.transfers] == [ngn(540_000)]  # 600,000 less the fee
    b = escrow.ledger(admin, c.id).balances
    assert (b.funded, b.held, b.released, b.refunded, b.fees) == (ngn(1_000_000), ngn(0), ngn(540_000),
                                                                   ngn(400_000), ngn(60_000))


def test_a_fund_whose_answer_was_lost_is_funded_by_stripe_report_and_not_charged_twice(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        escrow.fund(deal["client"], c.id, m.id, "pm_card_visa", utc_now())
    (intent,) = stripe.intents.values()
    assert intent.status == "succeeded"  # charged, but GigConnect never heard back
    escrow.on_stripe_event("payment_intent.succeeded", intent.id, utc_now())
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.status == "funded" and stored.payment_intent_id == intent.id
    with pytest.raises(InvalidStateError):
        escrow.fund(deal["client"], c.id, m.id, "pm_card_visa", utc_now())
    assert len(stripe.intents) == 1 and _kinds(escrow, deal) == ["funding"]


def test_the_schedule_skips_a_milestone_it_cannot_pay_yet_and_releases_it_once_it_can(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    # Due at once (AUTO_RELEASE_DAYS = 0), so that the schedule finds this milestone and none of the other
    # tests' (they are due a week after their submission).
    escrow = Escrow(escrow.ports, EscrowConfig(fee_bps=1000, auto_release_days=0))
    c, m = deal["contract"], deal["milestone"]
    _funded(escrow, stripe, deal)
    escrow.submit(deal["freelancer"], c.id, m.id, "Final cut attached.", [], utc_now())
    later = utc_now() + timedelta(seconds=1)
    escrow.auto_release_due(later)  # no payout account yet: skipped, not lost
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.status == "submitted" and stored.pending_op is None
    escrow.payout_account(deal["freelancer"], utc_now())
    escrow.auto_release_due(later)
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.status == "released"
    assert [t.amount for t in stripe.transfers] == [ngn(900_000)]
    assert bootstrap.container().contracts.get(c.id).status == "completed"  # type: ignore[union-attr]


# ---- issue 16: claims that can never succeed, a joined refund recorded meanwhile, a refusal after a refund ------


def _plant(deal: dict[str, Any], op: PendingOp) -> None:
    """A claim as a call of an earlier version left it in the table."""
    repo = bootstrap.container().contracts
    stored = repo.get_milestone(deal["contract"].id, deal["milestone"].id)
    assert stored is not None
    unit = bootstrap.container().unit_of_work()
    unit.contracts.save_milestone(stored.changed(pending_op=op.encode()), expected={stored.status})
    unit.commit()


def test_a_refund_claim_that_can_never_succeed_is_cleared_by_the_next_call_and_nothing_moves(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    escrow.payout_account(deal["freelancer"], utc_now())
    _funded(escrow, stripe, deal)
    _plant(deal, PendingOp(kind="refund", key=f"refund:{m.id}:v9", by=deal["client"].user_id, amount=5_000_000))
    released = escrow.release(deal["client"], c.id, m.id, utc_now())
    assert released.status == "released" and released.pending_op is None
    assert stripe.refunds == [] and [t.amount for t in stripe.transfers] == [ngn(900_000)]
    assert sorted(_kinds(escrow, deal)) == ["fee", "funding", "release"]  # a release and its fee share a ms


def test_a_claim_of_a_kind_no_version_knows_and_a_resolution_of_no_dispute_are_cleared(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    _funded(escrow, stripe, deal)
    _plant(deal, PendingOp.decode('{"kind":"payout","key":"payout:x","by":"someone","future_field":1}'))
    refunded = escrow.refund(deal["client"], c.id, m.id, ngn(100_000), "one scene cut", utc_now())
    assert refunded.refunded_amount == ngn(100_000) and refunded.pending_op is None
    _plant(deal, PendingOp(kind="resolve", key="resolve:gone", by="admin", amount=900_000, dispute_id="gone"))
    again = escrow.refund(deal["client"], c.id, m.id, ngn(100_000), "another cut", utc_now())
    assert again.refunded_amount == ngn(200_000) and again.pending_op is None
    assert [r.amount for r in stripe.refunds] == [ngn(100_000), ngn(100_000)]


def test_a_caller_joining_a_refund_that_another_records_meanwhile_answers_from_the_stored_state(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16 item 4: the joiner read the milestone with the claim; the claimer recorded before the joiner
    read the ledger. Before, the joiner counted the recorded refund twice and failed (500)."""
    c, m = deal["contract"], deal["milestone"]
    _funded(escrow, stripe, deal)
    stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        escrow.refund(deal["client"], c.id, m.id, None, "all of it", utc_now(), request_key="k-all")
    repo = bootstrap.container().contracts
    real_get = repo.get
    armed = {"on": True}

    def get_then_let_the_claimer_record(contract_id: str) -> Any:
        seen = real_get(contract_id)
        if armed["on"]:
            armed["on"] = False
            escrow.refund(deal["client"], c.id, m.id, None, "all of it", utc_now(), request_key="k-all")
        return seen

    monkeypatch.setattr(repo, "get", get_then_let_the_claimer_record)
    with pytest.raises(InvalidStateError):  # all of it was refunded: nothing is left for this one
        escrow.refund(deal["client"], c.id, m.id, ngn(10_000), "a bit more", utc_now(), request_key="k-more")
    monkeypatch.undo()
    assert [r.amount for r in stripe.refunds] == [ngn(1_000_000)]
    assert _kinds(escrow, deal) == ["funding", "refund"]
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.status == "refunded" and stored.pending_op is None


def test_a_resolution_whose_transfer_is_refused_after_its_refund_records_the_refund_and_stays_open(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    c, m = deal["contract"], deal["milestone"]
    account = escrow.payout_account(deal["freelancer"], utc_now()).account
    _funded(escrow, stripe, deal)
    dispute = escrow.open_dispute(deal["client"], c.id, m.id, "Half delivered.", utc_now())
    admin = Principal(user_id="admin-" + uuid.uuid4().hex[:8], roles=("admin",))
    stripe.set_payouts_enabled(account.account_id, False)  # Stripe restricted the account; the table lags
    with pytest.raises(PaymentRefusedError):
        escrow.resolve(admin, dispute.id, ngn(600_000), ngn(400_000), "Split.", utc_now())
    assert [r.amount for r in stripe.refunds] == [ngn(400_000)] and stripe.transfers == []
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.pending_op is None
    assert stored.status == "disputed" and stored.refunded_amount == ngn(400_000)
    b = escrow.ledger(admin, c.id).balances
    assert (b.held, b.refunded) == (ngn(600_000), ngn(400_000))  # the ledger says what Stripe did
    stripe.set_payouts_enabled(account.account_id, True)
    resolved = escrow.resolve(admin, dispute.id, ngn(600_000), ngn(0), "The rest released.", utc_now())
    assert resolved.status == "resolved"
    assert [r.amount for r in stripe.refunds] == [ngn(400_000)] and [t.amount for t in stripe.transfers] == [
        ngn(540_000)]
    b = escrow.ledger(admin, c.id).balances
    assert (b.funded, b.held, b.released, b.refunded, b.fees) == (ngn(1_000_000), ngn(0), ngn(540_000),
                                                                   ngn(400_000), ngn(60_000))


def test_after_a_refused_transfer_the_admin_may_resolve_the_rest_differently(
        escrow: Escrow, stripe: FakePaymentGateway, deal: dict[str, Any]) -> None:
    """The second resolution of one dispute is another business operation: its Stripe keys are its own (with the
    first one's, Stripe would refuse a refund of another amount under the saved key, and the claim would stay)."""
    c, m = deal["contract"], deal["milestone"]
    account = escrow.payout_account(deal["freelancer"], utc_now()).account
    _funded(escrow, stripe, deal)
    dispute = escrow.open_dispute(deal["client"], c.id, m.id, "Half delivered.", utc_now())
    admin = Principal(user_id="admin-" + uuid.uuid4().hex[:8], roles=("admin",))
    stripe.set_payouts_enabled(account.account_id, False)
    with pytest.raises(PaymentRefusedError):
        escrow.resolve(admin, dispute.id, ngn(600_000), ngn(400_000), "Split.", utc_now())
    resolved = escrow.resolve(admin, dispute.id, ngn(0), ngn(600_000), "All back to the client.", utc_now())
    assert resolved.status == "resolved"
    assert [r.amount for r in stripe.refunds] == [ngn(400_000), ngn(600_000)] and stripe.transfers == []
    stored = bootstrap.container().contracts.get_milestone(c.id, m.id)
    assert stored is not None and stored.status == "refunded" and stored.pending_op is None
    b = escrow.ledger(admin, c.id).balances
    assert (b.funded, b.held, b.refunded) == (ngn(1_000_000), ngn(0), ngn(1_000_000))
