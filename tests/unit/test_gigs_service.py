"""The gig use cases on the in-memory unit of work (tests/fake_unit_of_work.py): what is written, what each
change records for search and matching, and what is refused (issue 17 item 1)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gigcore.domain.errors import ConflictError, ForbiddenError, InvalidStateError, ValidationError
from gigcore.domain.gigs import Budget, Gig, GigChanges, GigDraft
from gigcore.domain.money import Money
from gigcore.domain.users import Location, Principal
from gigcore.services import gigs
from tests.fake_unit_of_work import FakeUnitOfWorkFactory

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLIENT = Principal(user_id="u-client", roles=("client",))
OTHER = Principal(user_id="u-other", roles=("client",))
FREELANCER = Principal(user_id="u-free", roles=("freelancer",))


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def draft(**changes: Any) -> GigDraft:
    return replace(GigDraft(title="Fix a leaking tap", description="Kitchen.", category="plumbing", skills=("pipes",),
                            budget=Budget(min=ngn(500_000), max=ngn(900_000), type="fixed"),
                            location=Location(6.5244, 3.3792), remote=False, urgency="high", deadline=None),
                   **changes)


@pytest.fixture
def units() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


def posted(units: FakeUnitOfWorkFactory, **changes: Any) -> Gig:
    return gigs.create_gig(CLIENT, draft(**changes), uow=units, now=NOW)


def events(units: FakeUnitOfWorkFactory) -> list[tuple[str, str]]:
    return [(e.type, e.queue) for e in units.world.outbox]


def test_a_posted_gig_is_stored_open_at_version_one_and_told_to_search_and_matching(units) -> None:
    gig = posted(units)
    assert units.world.gigs[gig.id] == gig and (gig.status, gig.version) == ("open", 1)
    assert events(units) == [("gig.created", "search-indexing"), ("gig.created", "gig-matching")]


def test_only_clients_post_gigs_and_nothing_is_written_otherwise(units) -> None:
    with pytest.raises(ForbiddenError):
        gigs.create_gig(FREELANCER, draft(), uow=units, now=NOW)
    assert units.world.gigs == {} and units.world.outbox == []


def test_an_edit_bumps_the_version_and_tells_search(units) -> None:
    gig = posted(units)
    edited = gigs.update_gig(CLIENT, gig.id, GigChanges(title="Fix two taps"), uow=units,
                             now=NOW + timedelta(minutes=1))
    assert (edited.title, edited.version, edited.updated_at) == ("Fix two taps", 2, NOW + timedelta(minutes=1))
    assert units.world.gigs[gig.id] == edited and events(units)[-1] == ("gig.updated", "search-indexing")


def test_only_the_owner_edits_and_a_cancelled_gig_is_not_edited(units) -> None:
    gig = posted(units)
    with pytest.raises(ForbiddenError):
        gigs.update_gig(OTHER, gig.id, GigChanges(title="Mine now"), uow=units, now=NOW)
    gigs.cancel_gig(CLIENT, gig.id, uow=units, now=NOW)
    with pytest.raises(InvalidStateError):
        gigs.update_gig(CLIENT, gig.id, GigChanges(title="Again now"), uow=units, now=NOW)
    assert units.world.gigs[gig.id].title == "Fix a leaking tap"


def test_a_budget_currency_is_fixed_once_the_gig_has_an_application(units) -> None:
    gig = posted(units)
    unit = units()
    unit.gigs.count_application(gig.id, "NGN")
    unit.commit()
    dollars = Money(amount=5_000, currency="USD")
    with pytest.raises(InvalidStateError):
        gigs.update_gig(CLIENT, gig.id, GigChanges(budget=Budget(min=dollars, max=dollars, type="fixed")), uow=units,
                        now=NOW)
    assert units.world.gigs[gig.id].budget.min.currency == "NGN"


def test_a_rule_across_fields_is_refused_before_anything_is_written(units) -> None:
    gig = posted(units)
    with pytest.raises(ValidationError):
        gigs.update_gig(CLIENT, gig.id, GigChanges(location=None), uow=units, now=NOW)
    assert units.world.gigs[gig.id] == gig and len(units.world.outbox) == 2


def test_a_cancelled_gig_is_closed_for_search_and_its_applications_and_told_once(units) -> None:
    gig = posted(units)
    rejected: list[str] = []

    class Rejector:
        def reject_pending(self, closed: Gig, now: datetime) -> None:
            rejected.append(closed.status)

    cancelled = gigs.cancel_gig(CLIENT, gig.id, uow=units, now=NOW, rejector=Rejector())
    assert cancelled.status == "cancelled" and rejected == ["cancelled"]
    assert events(units)[2:] == [("gig.closed", "search-indexing"), ("gig.closed", "gig-matching")]
    with pytest.raises(InvalidStateError):
        gigs.cancel_gig(CLIENT, gig.id, uow=units, now=NOW)
    assert len(units.world.outbox) == 4


def test_a_change_that_keeps_losing_its_race_answers_409_and_writes_nothing(units) -> None:
    gig = posted(units)

    def another_edit_lands_first(world: Any) -> None:
        unit = units()
        current = unit.gigs.get(gig.id)
        assert current is not None
        unit.gigs.save(current.changed(description=f"edit {current.version}"), expected_status="open")
        unit.commit()

    units.world.before_commit = another_edit_lands_first
    with pytest.raises(ConflictError):
        gigs.update_gig(CLIENT, gig.id, GigChanges(title="A lost edit"), uow=units, now=NOW)
    assert units.world.gigs[gig.id].title == "Fix a leaking tap" and units.world.gigs[gig.id].version == 4


def test_every_event_carries_the_gig_as_written_with_its_version_after_the_write(units) -> None:
    gig = posted(units)
    edited = gigs.update_gig(CLIENT, gig.id, GigChanges(location=None, remote=True), uow=units, now=NOW)
    assert edited.location is None and edited.remote
    assert [e.payload for e in units.world.outbox] == [gig.event_payload()] * 2 + [edited.event_payload()]
    assert [e.payload["version"] for e in units.world.outbox] == [1, 1, 2]
