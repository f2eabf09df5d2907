"""An application's changes in the domain (issue 17 item 2): applying, shortlisting, rejecting, withdrawing and
accepting each answer what they make and what they tell whom, so the service only writes and records them. The
requests' conversion into the domain's commands (what the views hand the service) is here too."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from gigcore.domain.applications import Acceptance, Application, ApplicationMove, ApplicationNotice, Proposal
from gigcore.domain.contracts import MilestonePlan
from gigcore.domain.errors import ForbiddenError, InvalidStateError, ValidationError
from gigcore.domain.gigs import Budget, Gig, GigStatus
from gigcore.domain.money import Money
from gigcore.schemas.contracts import AcceptRequest, ApplyRequest

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLIENT, FREELANCER = "u-client", "u-free"


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


GIG = Gig(id="g1", owner_id=CLIENT, title="Edit a video", description="d", category="editing", skills=("editing",),
          budget=Budget(min=ngn(100_000), max=ngn(5_000_000), type="fixed"), location=None, remote=True,
          urgency="low", deadline=None, status="open", created_at=NOW, updated_at=NOW, version=3)
PROPOSAL = Proposal(cover_letter="Cut forty videos.", proposed_rate=ngn(1_000_000), estimated_days=3)


def applied(gig: Gig = GIG, proposal: Proposal = PROPOSAL, by: str = FREELANCER,
            name: str | None = "Ada") -> tuple[Application, list[ApplicationNotice]]:
    return Application.apply(gig, proposal, application_id="a1", freelancer_id=by, freelancer_name=name, now=NOW)


def pending() -> Application:
    return replace(applied()[0], version=1)


def numbered() -> Callable[[], str]:
    """Ids in the order they are asked for: id-1, id-2..."""
    counter = itertools.count(1)
    return lambda: f"id-{next(counter)}"


# ---- apply ---------------------------------------------------------------------------------------------------


def test_an_application_is_pending_and_tells_the_owner_who_applied() -> None:
    app, told = applied()
    assert (app.id, app.gig_id, app.client_id, app.freelancer_id, app.status) == ("a1", "g1", CLIENT, FREELANCER,
                                                                                  "pending")
    assert (app.cover_letter, app.proposed_rate, app.estimated_days, app.created_at) == (
        "Cut forty videos.", ngn(1_000_000), 3, NOW)
    assert told == [ApplicationNotice("application.received", CLIENT, app,
                                      {"freelancer_id": FREELANCER, "freelancer_name": "Ada"})]
    assert applied(name=None)[1][0].details["freelancer_name"] == "A freelancer"


def test_the_owner_does_not_apply_to_their_own_gig() -> None:
    with pytest.raises(ForbiddenError):
        applied(by=CLIENT)


@pytest.mark.parametrize("status", ["in_progress", "completed", "cancelled"])
def test_a_gig_that_is_not_open_takes_no_application(status: GigStatus) -> None:
    with pytest.raises(InvalidStateError) as refused:
        applied(gig=replace(GIG, status=status))
    assert [(d.field, d.issue) for d in refused.value.details] == [("gig.status", status)]


def test_a_gig_past_its_deadline_takes_no_application() -> None:
    with pytest.raises(InvalidStateError) as refused:
        applied(gig=replace(GIG, deadline=NOW - timedelta(seconds=1)))
    assert [(d.field, d.issue) for d in refused.value.details] == [("gig.deadline", "passed")]


@pytest.mark.parametrize(("rate", "field"), [(Money(amount=5_000, currency="USD"), "proposed_rate.currency"),
                                             (ngn(0), "proposed_rate.amount")])
def test_a_rate_in_another_currency_or_of_nothing_is_refused(rate: Money, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        applied(proposal=replace(PROPOSAL, proposed_rate=rate))
    assert [d.field for d in refused.value.details] == [field]


# ---- shortlist, reject, withdraw -----------------------------------------------------------------------------


def test_the_owner_shortlists_then_rejects_and_only_the_rejection_tells_the_freelancer() -> None:
    shortlisted, told = pending().move("shortlist", by=CLIENT, now=NOW + timedelta(hours=1))
    assert (shortlisted.status, shortlisted.updated_at, told) == ("shortlisted", NOW + timedelta(hours=1), [])
    rejected, told = shortlisted.move("reject", by=CLIENT, now=NOW)
    assert rejected.status == "rejected"
    assert told == [ApplicationNotice("application.rejected", FREELANCER, shortlisted)]


def test_only_the_applicant_withdraws_and_only_the_owner_shortlists_or_rejects() -> None:
    with pytest.raises(ForbiddenError):
        pending().move("withdraw", by=CLIENT, now=NOW)
    owners: tuple[ApplicationMove, ...] = ("shortlist", "reject")
    for action in owners:
        with pytest.raises(ForbiddenError):
            pending().move(action, by=FREELANCER, now=NOW)
    assert pending().move("withdraw", by=FREELANCER, now=NOW) == (replace(pending(), status="withdrawn"), [])


def test_a_final_application_does_not_move() -> None:
    withdrawn, _ = pending().move("withdraw", by=FREELANCER, now=NOW)
    with pytest.raises(InvalidStateError):
        withdrawn.move("reject", by=CLIENT, now=NOW)


# ---- accept: the contract ------------------------------------------------------------------------------------


def test_accepting_makes_the_contract_fills_the_gig_and_tells_the_freelancer() -> None:
    app = pending()
    accepted = app.accept(GIG, Acceptance(), by=CLIENT, now=NOW, ids=numbered())
    contract = accepted.contract
    assert (contract.id, contract.gig_id, contract.application_id, contract.client_id, contract.freelancer_id) == (
        "id-1", "g1", "a1", CLIENT, FREELANCER)
    assert (contract.status, contract.currency, contract.created_at) == ("active", "NGN", NOW)
    assert [(m.id, m.contract_id, m.position, m.title, m.amount, m.status, m.refunded_amount)
            for m in contract.milestones] == [("id-2", "id-1", 0, "Edit a video", ngn(1_000_000), "pending", ngn(0))]
    assert accepted.application == replace(app, status="accepted", contract_id="id-1")
    assert (accepted.gig.gig.status, accepted.gig.event) == ("in_progress", "gig.closed")
    assert accepted.told == [ApplicationNotice("application.accepted", FREELANCER, app, {"contract_id": "id-1"})]


def test_accepting_with_milestones_makes_one_each_in_order() -> None:
    terms = Acceptance((MilestonePlan("Rough cut", ngn(400_000)), MilestonePlan("Final cut", ngn(600_000))))
    contract = pending().accept(GIG, terms, by=CLIENT, now=NOW, ids=numbered()).contract
    assert [(m.position, m.title, m.amount) for m in contract.milestones] == [
        (0, "Rough cut", ngn(400_000)), (1, "Final cut", ngn(600_000))]


def test_a_rate_in_another_currency_than_the_gigs_is_accepted_only_with_milestones() -> None:
    dollars = replace(pending(), proposed_rate=Money(amount=5_000, currency="USD"))
    with pytest.raises(InvalidStateError) as refused:
        dollars.accept(GIG, Acceptance(), by=CLIENT, now=NOW, ids=numbered())
    assert [(d.field, d.issue) for d in refused.value.details] == [("milestones", "required in NGN")]
    terms = Acceptance((MilestonePlan("All of it", ngn(1_000_000)),))
    assert dollars.accept(GIG, terms, by=CLIENT, now=NOW, ids=numbered()).contract.currency == "NGN"


def test_only_the_owner_accepts_an_open_application_of_an_open_gig() -> None:
    with pytest.raises(ForbiddenError):
        pending().accept(GIG, Acceptance(), by=FREELANCER, now=NOW, ids=numbered())
    rejected, _ = pending().move("reject", by=CLIENT, now=NOW)
    with pytest.raises(InvalidStateError):
        rejected.accept(GIG, Acceptance(), by=CLIENT, now=NOW, ids=numbered())
    with pytest.raises(InvalidStateError):
        pending().accept(replace(GIG, status="in_progress"), Acceptance(), by=CLIENT, now=NOW,
                         ids=numbered())


# ---- what the views hand the service -------------------------------------------------------------------------


def test_an_apply_request_becomes_its_proposal_and_an_accept_request_its_terms() -> None:
    body = {"cover_letter": "Cut forty videos.", "proposed_rate": {"amount": 1_000_000, "currency": "NGN"},
            "estimated_days": 3}
    assert ApplyRequest.model_validate(body).proposal() == PROPOSAL
    assert AcceptRequest.model_validate({}).acceptance() == Acceptance()
    milestones = {"milestones": [{"title": "Rough cut", "amount": {"amount": 400_000, "currency": "NGN"}}]}
    assert AcceptRequest.model_validate(milestones).acceptance() == Acceptance(
        (MilestonePlan("Rough cut", ngn(400_000)),))
