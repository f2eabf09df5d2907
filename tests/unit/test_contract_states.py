"""The state machines of applications, milestones and contracts."""

from __future__ import annotations

import pytest

from gigcore.domain.applications import (
    APPLICATION_STATUSES,
    APPLICATION_TRANSITIONS,
    next_application_status,
    statuses_allowing_application,
)
from gigcore.domain.contracts import (
    CONTRACT_TRANSITIONS,
    MAX_MILESTONES,
    MILESTONE_STATUSES,
    MILESTONE_TRANSITIONS,
    Milestone,
    MilestonePlan,
    next_contract_status,
    next_milestone_status,
    plan_milestones,
    settled_status,
    statuses_allowing_milestone,
)
from gigcore.domain.errors import InvalidStateError, ValidationError
from gigcore.domain.money import Money


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def milestone(status: str, refunded: int = 0) -> Milestone:
    return Milestone(id="m", contract_id="c", position=0, title="t", amount=ngn(1000), status=status,  # type: ignore[arg-type]
                     refunded_amount=ngn(refunded))


@pytest.mark.parametrize(("status", "action", "after"), [
    ("pending", "shortlist", "shortlisted"), ("pending", "accept", "accepted"), ("pending", "reject", "rejected"),
    ("pending", "withdraw", "withdrawn"), ("shortlisted", "accept", "accepted"),
    ("shortlisted", "reject", "rejected"), ("shortlisted", "withdraw", "withdrawn"),
])
def test_application_moves_the_contract_allows(status, action, after):
    assert next_application_status(status, action) == after


@pytest.mark.parametrize("final", ["accepted", "rejected", "withdrawn"])
@pytest.mark.parametrize("action", ["shortlist", "reject", "withdraw", "accept"])
def test_a_final_application_cannot_move(final, action):
    with pytest.raises(InvalidStateError) as raised:
        next_application_status(final, action)
    assert raised.value.status == 409
    assert raised.value.code == "invalid_state"


def test_a_shortlisted_application_cannot_be_shortlisted_again():
    with pytest.raises(InvalidStateError):
        next_application_status("shortlisted", "shortlist")


def test_transition_tables_only_name_known_statuses():
    pairs = ((APPLICATION_TRANSITIONS, APPLICATION_STATUSES), (MILESTONE_TRANSITIONS, MILESTONE_STATUSES))
    for table, statuses in pairs:
        assert {s for (s, _a) in table} | set(table.values()) <= set(statuses)
    assert statuses_allowing_application("accept") == {"pending", "shortlisted"}


def test_milestone_happy_path_is_pending_funding_funded_submitted_released():
    status = "pending"
    for action, after in [("fund", "funding"), ("funded", "funded"), ("submit", "submitted"), ("release", "released")]:
        status = next_milestone_status(status, action)  # type: ignore[arg-type]
        assert status == after


def test_client_may_release_from_funded_or_submitted_only():
    assert statuses_allowing_milestone("release") == {"funded", "submitted"}
    for status in ("pending", "funding", "released", "refunded", "disputed"):
        with pytest.raises(InvalidStateError):
            next_milestone_status(status, "release")  # type: ignore[arg-type]


def test_released_and_refunded_milestones_cannot_be_released_or_funded_again():
    for final in ("released", "refunded"):
        for action in ("fund", "funded", "submit", "release", "dispute"):
            with pytest.raises(InvalidStateError):
                next_milestone_status(final, action)  # type: ignore[arg-type]
    with pytest.raises(InvalidStateError):
        next_milestone_status("refunded", "refund")


def test_a_disputed_milestone_is_not_released_by_the_schedule_but_by_resolution():
    assert "disputed" not in statuses_allowing_milestone("release")
    assert next_milestone_status("disputed", "resolve_release") == "released"
    assert next_milestone_status("disputed", "resolve_refund") == "refunded"


def test_a_declined_charge_goes_back_to_pending():
    assert next_milestone_status("funding", "fund_failed") == "pending"


def test_held_is_amount_minus_refunds_while_funded_and_zero_otherwise():
    assert milestone("funded", refunded=300).held == ngn(700)
    assert milestone("pending").held == ngn(0)
    assert milestone("released").held == ngn(0)


def test_contract_settles_completed_when_one_released_and_cancelled_when_all_refunded():
    assert settled_status([milestone("released"), milestone("refunded")]) == "completed"
    assert settled_status([milestone("refunded"), milestone("refunded")]) == "cancelled"
    assert settled_status([milestone("released"), milestone("funded")]) is None
    assert next_contract_status("active", "complete") == "completed"
    assert ("cancelled", "complete") not in CONTRACT_TRANSITIONS


def test_a_completed_contract_whose_releases_are_all_refunded_later_becomes_cancelled():
    # Issue 16 item 13: "cancelled if all were refunded" holds after completion too (an admin refunding a release).
    assert settled_status([milestone("refunded")]) == "cancelled"
    assert next_contract_status("completed", "cancel") == "cancelled"
    with pytest.raises(InvalidStateError):
        next_contract_status("cancelled", "cancel")  # a cancelled contract stays cancelled


def test_milestone_plans_must_be_in_the_gigs_currency_and_positive():
    assert plan_milestones([MilestonePlan("a", ngn(1))], "NGN")
    with pytest.raises(ValidationError) as raised:
        plan_milestones([MilestonePlan("a", Money(amount=5, currency="USD")), MilestonePlan("b", ngn(0))], "NGN")
    assert [d.field for d in raised.value.details] == ["milestones.0.amount.currency", "milestones.1.amount.amount"]
    with pytest.raises(ValidationError):
        plan_milestones([], "NGN")
    with pytest.raises(ValidationError):
        plan_milestones([MilestonePlan("a", ngn(1))] * (MAX_MILESTONES + 1), "NGN")

