# ruff: noqa: F811 (the backend fixture, imported, is a parameter here)
"""The gig port (``GigRepository`` in a unit of work), held to one behaviour on the in-memory fake and on
DynamoDB Local: a gig is added once, saved on the status and version it was read at, and its events are written
with it or not at all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigcore.domain.clock import utc_now
from gigcore.domain.errors import ConflictError
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.domain.users import Location
from gigcore.ports import OutboxEvent
from tests.integration.port_backends import Backend, backend  # noqa: F401

pytestmark = pytest.mark.integration


def a_gig(owner_id: str | None = None, *, located: bool = True) -> Gig:
    now = datetime.now(UTC)
    return Gig(id=new_id(), owner_id=owner_id or new_id(), title="Fix a tap", description="A leak.",
               category="plumbing", skills=("pipes", "tiles"),
               budget=Budget(min=Money(amount=1_000, currency="NGN"), max=Money(amount=2_000, currency="NGN"),
                             type="fixed"),
               location=Location(6.5244, 3.3792) if located else None, remote=not located, urgency="low",
               deadline=None, status="open", created_at=now, updated_at=now)


def event(gig: Gig) -> OutboxEvent:
    return OutboxEvent(id=new_id(), type="gig.updated", queue="search-indexing", payload={"gig_id": gig.id})


def test_a_gig_is_added_once_at_version_one_with_its_event(backend: Backend) -> None:
    gig = a_gig()
    unit, told = backend.units(), event(gig)
    stored = unit.gigs.add(gig)
    unit.record(told)
    unit.commit()
    assert stored.version == 1 and backend.units().gigs.get(gig.id) == stored
    assert backend.has_event(told.id)
    twice, again = backend.units(), event(gig)
    twice.gigs.add(gig)
    twice.record(again)
    with pytest.raises(ConflictError):
        twice.commit()
    assert not backend.has_event(again.id)


def test_a_gig_is_saved_on_the_status_and_version_it_was_read_at(backend: Backend) -> None:
    unit = backend.units()
    gig = unit.gigs.add(a_gig())
    unit.commit()
    edit = backend.units()
    edited = edit.gigs.save(gig.moved("edit", utc_now()).changed(title="Fix two taps"), expected_status="open")
    edit.commit()
    assert edited.version == 2 and backend.units().gigs.get(gig.id) == edited
    stale = backend.units()
    stale.gigs.save(gig.moved("cancel", utc_now()), expected_status="open")  # read before the edit
    with pytest.raises(ConflictError):
        stale.commit()
    wrong = backend.units()
    wrong.gigs.save(edited.moved("cancel", utc_now()), expected_status="in_progress")
    with pytest.raises(ConflictError):
        wrong.commit()
    assert backend.units().gigs.get(gig.id) == edited


def test_the_owners_gigs_come_newest_first_and_by_status(backend: Backend) -> None:
    owner = new_id()
    unit = backend.units()
    older = unit.gigs.add(a_gig(owner, located=False))
    unit.commit()
    unit = backend.units()
    newer = unit.gigs.add(a_gig(owner).changed(created_at=datetime.now(UTC)))
    unit.commit()
    unit = backend.units()
    unit.gigs.save(older.moved("cancel", utc_now()), expected_status="open")
    unit.commit()

    def mine() -> list[str]:
        return [g.id for g in backend.units().gigs.by_owner(owner, status=None, limit=10, after=None).gigs]

    assert backend.settled(mine, lambda ids: len(ids) == 2) == [newer.id, older.id]
    open_only = backend.settled(
        lambda: [g.id for g in backend.units().gigs.by_owner(owner, status="open", limit=10, after=None).gigs],
        lambda ids: ids == [newer.id])
    assert open_only == [newer.id]
    assert set(backend.units().gigs.get_many([older.id, newer.id, new_id()])) == {older.id, newer.id}
