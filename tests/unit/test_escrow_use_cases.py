"""The escrow use cases on fakes (issue 17 items 1 and 2): tests/fake_unit_of_work.py for contracts, gigs, the
ledger, disputes and payout accounts (one in-memory world, held to DynamoDB by the port contract suites),
tests/fake_payments.py for Stripe. What they guard: the one claim/complete helper (a step joined, a step
left behind finished with its own keys, a claim that can never succeed given up, a refusal that moves nothing),
the state machine's answers recorded, a contract and its gig settled with the last milestone, and invoices
computed in the domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    PaymentFailedError,
    UpstreamUnavailableError,
)
from gigcore.domain.escrow import PendingOp, entry
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.invoices import invoices
from gigcore.domain.money import Money
from gigcore.domain.users import Principal, User
from gigcore.services.escrow import Escrow, EscrowConfig, EscrowPorts
from tests.fake_payments import FakePaymentGateway
from tests.fake_unit_of_work import FakePayoutAccounts, FakeUnitOfWorkFactory, World
from tests.fakes import FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLIENT = Principal(user_id="u-client", roles=("client",))
FREELANCER = Principal(user_id="u-free", roles=("freelancer",))
ADMIN = Principal(user_id="u-admin", roles=("admin",))


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


class Setup:
    def __init__(self, amounts: tuple[int, ...] = (1_000_000,)) -> None:
        self.world = World()
        self.stripe = FakePaymentGateway()
        self.users = FakeUsers()
        for p in (CLIENT, FREELANCER, ADMIN):
            self.users.add(User(id=p.user_id, email=f"{p.user_id}@example.com", name=p.user_id, roles=p.roles,
                                password_hash="x", created_at=NOW))
        self.settled: list[str] = []
        ports = EscrowPorts(unit_of_work=FakeUnitOfWorkFactory(self.world),
                            payout_accounts=FakePayoutAccounts(self.world), payments=self.stripe, users=self.users)
        self.escrow = Escrow(ports, EscrowConfig(fee_bps=1000, auto_release_days=7),
                             lambda change: self.settled.append(change.entity_id))
        self.world.gigs["g1"] = Gig(id="g1", owner_id=CLIENT.user_id, title="Edit a video", description="d",
                                    category="editing", skills=("editing",),
                                    budget=Budget(min=ngn(1), max=ngn(5_000_000), type="fixed"), location=None,
                                    remote=True, urgency="low", deadline=None, status="in_progress",
                                    created_at=NOW, updated_at=NOW, version=3)
        milestones = tuple(Milestone(id=f"m{i}", contract_id="c1", position=i, title=f"Part {i}", amount=ngn(a),
                                     status="pending", refunded_amount=ngn(0), version=1)
                           for i, a in enumerate(amounts))
        self.world.contracts["c1"] = Contract(id="c1", gig_id="g1", application_id="a1", client_id=CLIENT.user_id,
                                              freelancer_id=FREELANCER.user_id, currency="NGN", status="active",
                                              created_at=NOW, updated_at=NOW, milestones=milestones)

    def m(self, milestone_id: str = "m0") -> Milestone:
        found = self.world.milestone("c1", milestone_id)
        assert found is not None
        return found

    def funded(self, milestone_id: str = "m0") -> None:
        funding = self.escrow.fund(CLIENT, "c1", milestone_id, "pm_card_visa", NOW)
        self.escrow.apply_intent(self.stripe.get_payment_intent(funding.intent.id), NOW)
        assert self.m(milestone_id).status == "funded"

    def plant(self, op: str, milestone_id: str = "m0") -> None:
        """A step left in flight on the milestone (as a crashed call, or a version of the code, left it)."""
        unit = self.escrow.ports.unit_of_work()
        m = self.m(milestone_id)
        unit.contracts.save_milestone(m.changed(pending_op=op), expected={m.status})
        unit.commit()

    def payable(self) -> None:
        self.escrow.payout_account(FREELANCER, NOW)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.world.ledger]


@pytest.fixture
def s() -> Setup:
    return Setup()


def test_fund_then_stripe_success_funds_the_milestone_once_with_its_ledger_entry(s: Setup) -> None:
    funding = s.escrow.fund(CLIENT, "c1", "m0", "pm_card_visa", NOW)
    assert funding.milestone.status == "funding" and funding.milestone.pending_op is None
    intent = s.stripe.get_payment_intent(funding.intent.id)
    s.escrow.apply_intent(intent, NOW)
    s.escrow.apply_intent(intent, NOW)  # a repeated event changes nothing
    assert s.m().status == "funded" and s.kinds() == ["funding"]
    assert [e.type for e in s.world.outbox] == ["milestone.funded"]


def test_a_declined_card_gives_the_claim_up_and_moves_nothing(s: Setup) -> None:
    with pytest.raises(PaymentFailedError):
        s.escrow.fund(CLIENT, "c1", "m0", "pm_card_chargeDeclined", NOW)
    assert s.m().status == "pending" and s.m().pending_op is None and s.world.ledger == []


def test_release_of_the_last_milestone_settles_the_contract_and_its_gig_in_one_transaction(s: Setup) -> None:
    s.payable()
    s.funded()
    s.escrow.submit(FREELANCER, "c1", "m0", "done", (), NOW)
    before = s.world.transactions
    released = s.escrow.release(CLIENT, "c1", "m0", NOW)
    assert released.status == "released" and released.pending_op is None
    assert s.world.transactions == before + 2  # the claim, then the outcome with the settlement
    assert s.world.contracts["c1"].status == "completed" and s.world.gigs["g1"].status == "completed"
    assert s.settled == ["g1"]
    assert s.kinds() == ["funding", "release", "fee"] and [t.amount for t in s.stripe.transfers] == [ngn(900_000)]


def test_a_release_whose_answer_was_lost_is_finished_by_the_next_call_with_the_same_transfer(s: Setup) -> None:
    s.payable()
    s.funded()
    s.stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        s.escrow.release(CLIENT, "c1", "m0", NOW)
    assert s.m().pending_op is not None and len(s.stripe.transfers) == 1
    again = s.escrow.release(CLIENT, "c1", "m0", NOW)  # joins the step left in flight
    assert again.status == "released" and len(s.stripe.transfers) == 1
    assert s.kinds() == ["funding", "release", "fee"]


def test_a_step_left_behind_is_finished_before_another_step_runs(s: Setup) -> None:
    s.funded()
    s.stripe.outage(1, after_effect=True)
    with pytest.raises(UpstreamUnavailableError):
        s.escrow.refund(CLIENT, "c1", "m0", ngn(100_000), "a scene cut", NOW)
    after = s.escrow.refund(CLIENT, "c1", "m0", ngn(50_000), "another scene cut", NOW)
    assert [r.amount for r in s.stripe.refunds] == [ngn(100_000), ngn(50_000)]
    assert after.refunded_amount == ngn(150_000) and after.status == "funded"


def test_a_claim_that_can_never_succeed_is_given_up_with_409_and_nothing_moves(s: Setup) -> None:
    s.funded()
    m = s.m()
    too_much = PendingOp(kind="refund", key=f"refund:m0:v{m.version}", by=CLIENT.user_id, amount=2_000_000)
    s.plant(too_much.encode())
    refunded = s.escrow.refund(CLIENT, "c1", "m0", ngn(10_000), "a scene cut", NOW)  # finds it, gives it up
    assert refunded.pending_op is None and refunded.refunded_amount == ngn(10_000)
    assert [r.amount for r in s.stripe.refunds] == [ngn(10_000)]


def test_a_step_of_unknown_kind_is_cleared(s: Setup) -> None:
    s.plant('{"kind":"split","key":"x","by":"u"}')
    funding = s.escrow.fund(CLIENT, "c1", "m0", "pm_card_visa", NOW)
    assert funding.milestone.status == "funding"


def test_a_full_refund_of_every_milestone_cancels_the_contract_and_its_gig(s: Setup) -> None:
    s.funded()
    s.escrow.refund(CLIENT, "c1", "m0", ngn(400_000), "part", NOW)
    assert s.m().status == "funded"
    done = s.escrow.refund(CLIENT, "c1", "m0", None, "the rest", NOW)
    assert done.status == "refunded" and s.world.contracts["c1"].status == "cancelled"
    assert s.world.gigs["g1"].status == "cancelled" and s.settled == ["g1"]
    assert s.escrow.ledger(CLIENT, "c1").balances.held == ngn(0)


def test_a_dispute_resolved_in_two_parts_refunds_then_releases_and_completes_the_contract(s: Setup) -> None:
    s.payable()
    s.funded()
    dispute = s.escrow.open_dispute(FREELANCER, "c1", "m0", "unpaid", NOW)
    assert s.m().status == "disputed" and s.world.contracts["c1"].status == "disputed"
    assert [e.payload.get("audience") for e in s.world.outbox if e.type == "dispute.opened"] == [None, "admins"]
    resolved = s.escrow.resolve(ADMIN, dispute.id, ngn(600_000), ngn(400_000), "split", NOW)
    assert resolved.status == "resolved" and s.m().status == "released"
    assert s.world.contracts["c1"].status == "completed"
    assert s.kinds() == ["funding", "refund", "release", "fee"]


def test_a_resolution_of_one_of_two_disputed_milestones_keeps_the_contract_disputed() -> None:
    s = Setup((500_000, 500_000))
    s.payable()
    s.funded("m0")
    s.funded("m1")
    first = s.escrow.open_dispute(CLIENT, "c1", "m0", "late", NOW)
    s.escrow.open_dispute(CLIENT, "c1", "m1", "late", NOW)
    s.escrow.resolve(ADMIN, first.id, ngn(0), ngn(500_000), "refund", NOW)
    assert s.m("m0").status == "refunded" and s.world.contracts["c1"].status == "disputed"


def test_submit_records_the_machines_answer_and_auto_release_pays_when_due(s: Setup) -> None:
    s.payable()
    s.funded()
    with pytest.raises(InvalidStateError):
        s.escrow.release(None, "c1", "m0", NOW)  # the schedule releases submitted milestones only
    submitted = s.escrow.submit(FREELANCER, "c1", "m0", "done", ("k",), NOW)
    assert submitted.status == "submitted" and submitted.auto_release_at == NOW + timedelta(days=7)
    assert s.escrow.auto_release_due(NOW) == 0
    assert s.escrow.auto_release_due(NOW + timedelta(days=7)) == 1 and s.m().status == "released"


def test_cancel_before_any_money_moved_reopens_the_gig_and_tells_both_parties(s: Setup) -> None:
    cancelled = s.escrow.cancel_contract(FREELANCER, "c1", "open", "changed plans", NOW)
    assert cancelled.status == "cancelled" and s.world.gigs["g1"].status == "open"
    told = sorted(e.payload["user_id"] for e in s.world.outbox if e.type == "contract.cancelled")
    assert told == sorted([CLIENT.user_id, FREELANCER.user_id]) and s.settled == ["g1"]
    with pytest.raises(InvalidStateError):
        s.escrow.fund(CLIENT, "c1", "m0", "pm_card_visa", NOW)


def test_invoices_are_computed_in_the_domain_from_the_ledger() -> None:
    at = NOW
    entries = [entry("e1", "c1", "m0", at, "funding", ngn(1_000), "ch_1"),
               entry("e2", "c1", "m0", at, "release", ngn(900), "tr_1"),
               entry("e3", "c1", "m0", at, "fee", ngn(100), "tr_1"),
               entry("e4", "c1", "m1", at, "refund", ngn(50), "re_1")]
    got: list[Any] = invoices(entries, {"m0": "Cut"}, 1000)
    assert [i.kind for i in got] == ["funding", "release", "refund"]
    release = got[1]
    assert [(line.kind, line.amount.amount) for line in release.lines] == [("gross", 1_000), ("fee", 100),
                                                                           ("net", 900)]
    assert release.lines[1].description == "Platform fee (10%)" and got[2].lines[0].description.startswith(
        "Milestone \u201cm1\u201d")


def test_a_refund_whose_stripe_call_meets_another_call_finishing_it_answers_what_was_done(s: Setup) -> None:
    # Given a funded milestone, and Stripe answering 409 ("the same key is in use") to the refund's own call
    # because another request found the claim and is finishing that very refund with the same key
    s.funded()
    refund = s.stripe.refund
    met: list[str] = []

    def busy_once(**kw: Any) -> Any:
        if not met:
            met.append("the other caller")
            s.escrow.refund(ADMIN, "c1", "m0", ngn(50_000), "another caller", NOW)
            raise ConflictError("The same payment operation is being processed; try again shortly.")
        return refund(**kw)

    s.stripe.refund = busy_once  # type: ignore[method-assign]
    # When the client's refund runs into it
    answer = s.escrow.refund(CLIENT, "c1", "m0", ngn(100_000), "a scene cut", NOW)
    # Then the client is told its refund was made (not a 409 for money that moved), each refund made once
    assert answer.refunded_amount.amount >= 100_000
    assert sorted(r.amount.amount for r in s.stripe.refunds) == [50_000, 100_000]
    assert s.m().refunded_amount == ngn(150_000) and s.m().pending_op is None
    assert sum(e.amount.amount for e in s.world.ledger if e.kind == "refund") == 150_000


def test_a_resolution_that_read_the_dispute_open_after_another_settled_it_is_told_409(s: Setup) -> None:
    # Given a dispute resolved by one admin, read as still open by a second resolution racing it
    s.payable()
    s.funded()
    dispute = s.escrow.open_dispute(FREELANCER, "c1", "m0", "unpaid", NOW)
    s.escrow.resolve(ADMIN, dispute.id, ngn(600_000), ngn(400_000), "split", NOW)
    s.world.disputes[dispute.id] = replace(s.world.disputes[dispute.id], status="open")  # the stale read
    # When the second resolution, with its own split, plans against the settled milestone
    with pytest.raises(InvalidStateError):
        s.escrow.resolve(ADMIN, dispute.id, ngn(500_000), ngn(500_000), "another split", NOW)
    # Then it is told the milestone is settled (409), not that its amounts do not add up (422), and nothing moved
    assert s.m().status == "released" and s.kinds() == ["funding", "refund", "release", "fee"]


# ---- issue 17 item 1: every escrow use case on the in-memory unit of work ------------------------------------

STRANGER = Principal(user_id="u-stranger", roles=("client", "freelancer"))


def test_a_declined_attempt_confirmed_by_the_app_returns_the_milestone_to_pending_and_books_nothing(
        s: Setup) -> None:
    funding = s.escrow.fund(CLIENT, "c1", "m0", None, NOW)
    assert funding.milestone.status == "funding"
    s.escrow.apply_intent(s.stripe.fail(funding.intent.id), NOW)
    assert s.m().status == "pending" and s.m().pending_op is None and s.world.ledger == []


def test_sync_is_the_payers_and_applies_what_stripe_says_now(s: Setup) -> None:
    funding = s.escrow.fund(CLIENT, "c1", "m0", None, NOW)
    s.stripe.succeed(funding.intent.id)
    with pytest.raises(ForbiddenError):
        s.escrow.sync(FREELANCER, funding.intent.id, NOW)
    assert s.m().status == "funding"
    assert s.escrow.sync(CLIENT, funding.intent.id, NOW).status == "funded"
    assert s.kinds() == ["funding"]


def test_a_payout_account_is_made_once_and_follows_what_stripe_reports(s: Setup) -> None:
    first = s.escrow.payout_account(FREELANCER, NOW)
    again = s.escrow.payout_account(FREELANCER, NOW)
    assert again.account == first.account and len(s.world.accounts) == 1
    s.stripe.set_payouts_enabled(first.account.account_id, False)
    s.escrow.on_stripe_event("account.updated", first.account.account_id, NOW)
    assert s.world.accounts[FREELANCER.user_id].payouts_enabled is False
    with pytest.raises(ForbiddenError):
        s.escrow.payout_account(CLIENT, NOW)


def test_a_release_to_a_freelancer_who_cannot_be_paid_is_refused_and_moves_nothing(s: Setup) -> None:
    s.funded()
    with pytest.raises(InvalidStateError):
        s.escrow.release(CLIENT, "c1", "m0", NOW)
    assert s.m().status == "funded" and s.m().pending_op is None and s.stripe.transfers == []


def test_a_contract_with_a_funded_milestone_is_not_cancelled(s: Setup) -> None:
    s.funded()
    with pytest.raises(InvalidStateError):
        s.escrow.cancel_contract(CLIENT, "c1", "open", None, NOW)
    assert s.world.contracts["c1"].status == "active" and s.world.gigs["g1"].status == "in_progress"


def test_a_dispute_is_seen_by_the_parties_and_admins_only(s: Setup) -> None:
    s.funded()
    dispute = s.escrow.open_dispute(FREELANCER, "c1", "m0", "not paid", NOW)
    assert s.escrow.get_dispute(ADMIN, dispute.id) == dispute == s.escrow.get_dispute(CLIENT, dispute.id)
    with pytest.raises(ForbiddenError):
        s.escrow.get_dispute(STRANGER, dispute.id)
    with pytest.raises(InvalidStateError):
        s.escrow.open_dispute(CLIENT, "c1", "m0", "again", NOW)


def test_the_ledger_balances_after_a_release_and_a_refund_of_part_of_it(s: Setup) -> None:
    s.payable()
    s.funded()
    s.escrow.release(CLIENT, "c1", "m0", NOW)
    s.escrow.refund(ADMIN, "c1", "m0", ngn(300_000), "a scene was missing", NOW)
    ledger = s.escrow.ledger(CLIENT, "c1")
    b = ledger.balances
    assert b.funded == b.held + b.released + b.refunded + b.fees
    assert (b.refunded, b.held) == (ngn(300_000), ngn(0))
    receipts = s.escrow.invoices(FREELANCER, "c1")
    # One receipt each (in id order: entries made in one millisecond may come in any order).
    assert sorted(r.kind for r in receipts) == ["funding", "refund", "release"]


def _always_first(world: World) -> None:
    """A rival that changes milestone m0 (its version) just before each of this call's commits."""
    m = world.milestone("c1", "m0")
    assert m is not None
    world.put_milestone(replace(m, version=m.version + 1))


def _first_once() -> Callable[[World], None]:
    """A rival that changes milestone m0 before this call's first commit only."""
    commits = iter([_always_first])
    return lambda world: next(commits, lambda _: None)(world)


@pytest.mark.parametrize("step", ["submit", "dispute"])
def test_a_step_that_keeps_losing_its_race_answers_a_plain_409_and_writes_nothing(s: Setup, step: str) -> None:
    """Issue 17: submit and open-dispute share one commit-or-lost helper and one retry; every attempt lost."""
    s.payable()
    s.funded()
    before = (len(s.world.outbox), len(s.world.disputes), s.m().status)
    s.world.before_commit = _always_first
    with pytest.raises(ConflictError) as raised:
        if step == "submit":
            s.escrow.submit(FREELANCER, "c1", "m0", "done", (), NOW)
        else:
            s.escrow.open_dispute(CLIENT, "c1", "m0", "not delivered", NOW)
    assert type(raised.value) is ConflictError and raised.value.message == "The milestone kept changing; try again."
    assert (len(s.world.outbox), len(s.world.disputes), s.m().status) == before


@pytest.mark.parametrize("step", ["submit", "dispute", "cancel"])
def test_a_step_that_loses_one_race_reads_again_and_goes_through(s: Setup, step: str) -> None:
    if step != "cancel":
        s.payable()
        s.funded()
    s.world.before_commit = _first_once()
    if step == "submit":
        assert s.escrow.submit(FREELANCER, "c1", "m0", "done", (), NOW).status == "submitted"
    elif step == "dispute":
        assert s.escrow.open_dispute(CLIENT, "c1", "m0", "not delivered", NOW).status == "open"
        assert s.m().status == "disputed"
    else:
        assert s.escrow.cancel_contract(CLIENT, "c1", "open", "changed plans", NOW).status == "cancelled"


def test_a_cancel_that_keeps_losing_its_race_answers_409_and_the_contract_stays_active(s: Setup) -> None:
    s.world.before_commit = _always_first
    with pytest.raises(ConflictError, match="The contract kept changing; try again."):
        s.escrow.cancel_contract(CLIENT, "c1", "open", "changed plans", NOW)
    assert s.world.contracts["c1"].status == "active" and s.world.gigs["g1"].status == "in_progress"
