"""A gig's changes in the domain (issue 17 item 2): each answers the gig after it and the event it records, and
the event's payload is the gig as the API answers it (item 1: the services no longer map through the schemas).
The requests' conversion into the domain's commands is here too (what the views hand the services)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gigcore.domain.errors import InvalidStateError, ValidationError
from gigcore.domain.gigs import KEEP, Budget, Gig, GigChanges, GigDraft, GigStatus
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.schemas.gigs import CreateGigRequest, PatchGigRequest, gig_out

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LAGOS = Location(6.5244, 3.3792)


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def draft(**changes: Any) -> GigDraft:
    return replace(GigDraft(title="Fix a leaking tap", description="Kitchen.", category="plumbing", skills=("pipes",),
                            budget=Budget(min=ngn(500_000), max=ngn(900_000), type="fixed"), location=LAGOS,
                            remote=False, urgency="high", deadline=None), **changes)


def open_gig(**changes: Any) -> Gig:
    return replace(Gig.post(draft(), gig_id="g1", owner_id="u-client", now=NOW).gig, version=1, **changes)


# ---- the event's payload is the API's gig --------------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2099, 1, 1), timezones=st.just(UTC))
gigs = st.builds(
    Gig, id=st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=26, max_size=26), owner_id=st.text(min_size=1),
    title=st.text(), description=st.text(), category=st.text(), skills=st.lists(st.text(), max_size=3).map(tuple),
    budget=st.builds(Budget, min=st.integers(1, 10**8).map(ngn), max=st.integers(1, 10**8).map(ngn),
                     type=st.sampled_from(["fixed", "hourly"])),
    location=st.none() | st.builds(Location, lat=st.floats(-90, 90), lng=st.floats(-180, 180)),
    remote=st.booleans(), urgency=st.sampled_from(["low", "medium", "high"]), deadline=st.none() | moments,
    status=st.sampled_from(["open", "in_progress", "completed", "cancelled"]), created_at=moments,
    updated_at=moments, application_count=st.integers(0, 10_000), version=st.integers(0, 10_000))


@given(gig=gigs)
def test_a_gig_events_payload_carries_the_gig_exactly_as_the_api_answers_it(gig: Gig) -> None:
    payload = gig.event_payload()
    assert payload == {"gig_id": gig.id, "owner_id": gig.owner_id, "status": gig.status, "version": gig.version,
                       "gig": gig_out(gig).model_dump(mode="json")}


# ---- post, edit, cancel, fill --------------------------------------------------------------------------------


def test_a_posted_gig_is_open_and_records_gig_created() -> None:
    posted = Gig.post(draft(), gig_id="g1", owner_id="u-client", now=NOW)
    assert (posted.gig.id, posted.gig.owner_id, posted.gig.status, posted.event) == ("g1", "u-client", "open",
                                                                                     "gig.created")
    assert (posted.gig.title, posted.gig.location, posted.gig.created_at) == ("Fix a leaking tap", LAGOS, NOW)


def test_a_post_that_breaks_rules_across_fields_names_each_field() -> None:
    with pytest.raises(ValidationError) as refused:
        Gig.post(draft(location=None, budget=Budget(min=ngn(900_000), max=ngn(500_000), type="fixed"),
                       deadline=NOW - timedelta(days=1)), gig_id="g1", owner_id="u-client", now=NOW)
    assert {d.field for d in refused.value.details} == {"budget.max", "location", "deadline"}


def test_an_edit_changes_only_the_fields_it_names_and_records_gig_updated() -> None:
    gig = open_gig()
    later = NOW + timedelta(hours=1)
    edited = gig.edit(GigChanges(title="Fix two taps", skills=("pipes", "taps")), later)
    assert edited.event == "gig.updated"
    assert edited.gig == replace(gig, title="Fix two taps", skills=("pipes", "taps"), updated_at=later)


def test_an_edit_removes_the_location_only_of_a_remote_gig() -> None:
    with pytest.raises(ValidationError):
        open_gig().edit(GigChanges(location=None), NOW)
    assert open_gig().edit(GigChanges(location=None, remote=True), NOW).gig.location is None


def test_a_deadline_already_past_is_refused_only_when_the_edit_sets_it() -> None:
    passed = open_gig(deadline=NOW - timedelta(days=1))
    assert passed.edit(GigChanges(title="Still open?"), NOW).gig.deadline == NOW - timedelta(days=1)
    with pytest.raises(ValidationError):
        open_gig().edit(GigChanges(deadline=NOW - timedelta(minutes=1)), NOW)


def test_the_budgets_currency_is_fixed_once_the_gig_has_an_application() -> None:
    dollars = Budget(min=Money(amount=5_000, currency="USD"), max=Money(amount=9_000, currency="USD"), type="fixed")
    assert open_gig().edit(GigChanges(budget=dollars), NOW).gig.budget == dollars
    with pytest.raises(InvalidStateError) as refused:
        open_gig(application_count=1).edit(GigChanges(budget=dollars), NOW)
    assert [(d.field, d.issue) for d in refused.value.details] == [("budget.min.currency", "must stay NGN")]


@pytest.mark.parametrize("status", ["in_progress", "completed", "cancelled"])
def test_only_an_open_gig_is_edited_cancelled_or_filled(status: GigStatus) -> None:
    gig = open_gig(status=status)
    for change in (lambda: gig.edit(GigChanges(title="Too late now"), NOW), lambda: gig.cancel(NOW),
                   lambda: gig.fill(NOW)):
        with pytest.raises(InvalidStateError):
            change()


def test_cancelling_or_filling_a_gig_records_gig_closed() -> None:
    cancelled, filled = open_gig().cancel(NOW), open_gig().fill(NOW)
    assert (cancelled.gig.status, cancelled.event) == ("cancelled", "gig.closed")
    assert (filled.gig.status, filled.event) == ("in_progress", "gig.closed")


# ---- what the views hand the service -------------------------------------------------------------------------

BODY = {"title": "Fix a leaking tap", "description": "Kitchen.", "category": "plumbing", "skills": ["pipes"],
        "budget": {"min": {"amount": 500_000, "currency": "NGN"}, "max": {"amount": 900_000, "currency": "NGN"},
                   "type": "fixed"},
        "location": {"lat": 6.5244, "lng": 3.3792}, "remote": False, "urgency": "high",
        "deadline": "2026-12-24T18:00:00+01:00"}


def test_a_create_request_becomes_the_draft_it_describes() -> None:
    assert CreateGigRequest.model_validate(BODY).draft() == draft(deadline=datetime(2026, 12, 24, 17, tzinfo=UTC))


def test_a_patch_names_only_what_it_changes_and_null_removes_a_location_or_a_deadline() -> None:
    assert PatchGigRequest.model_validate({}).changes() == GigChanges()
    changes = PatchGigRequest.model_validate({"location": None, "deadline": None, "remote": True}).changes()
    assert changes == GigChanges(location=None, deadline=None, remote=True)
    assert changes.title is KEEP and changes.given() == {"location": None, "deadline": None, "remote": True}
    whole = PatchGigRequest.model_validate(BODY).changes()
    assert whole == GigChanges(**{k: getattr(draft(deadline=datetime(2026, 12, 24, 17, tzinfo=UTC)), k)
                                  for k in BODY})


@pytest.mark.parametrize(("outcome", "status", "event"), [
    ("open", "open", "gig.updated"), ("cancelled", "cancelled", "gig.closed"),
    ("completed", "completed", "gig.closed")])
def test_a_filled_gig_follows_its_contract_when_it_ends(outcome: Any, status: str, event: str) -> None:
    filled = open_gig().fill(NOW).gig
    change = filled.follow_contract(outcome, NOW + timedelta(days=3))
    assert change is not None
    assert (change.gig.status, change.event, change.gig.updated_at) == (status, event, NOW + timedelta(days=3))


def test_a_gig_that_already_left_progress_does_not_follow_again() -> None:
    assert open_gig().follow_contract("completed", NOW) is None
    cancelled = open_gig().cancel(NOW).gig
    assert cancelled.follow_contract("open", NOW) is None
    completed = open_gig().fill(NOW).gig.follow_contract("completed", NOW)
    assert completed is not None and completed.gig.follow_contract("open", NOW) is None
    refunded = completed.gig.follow_contract("cancelled", NOW)  # every milestone refunded after completion
    assert refunded is not None and refunded.gig.status == "cancelled"
