# ruff: noqa: F811 (the backend fixture, imported, is a parameter here)
"""The application port (``ApplicationRepository`` in a unit of work), held to one behaviour on the in-memory fake
and on DynamoDB Local: one application per (gig, freelancer), saves on the status and version read, and the
gig's application count raised in the same transaction only while the gig is open in that currency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gigcore.domain.applications import Application
from gigcore.domain.clock import utc_now
from gigcore.domain.errors import ConflictError, InvalidStateError, TransactionConflictError
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from tests.integration.port_backends import Backend, backend  # noqa: F401

pytestmark = pytest.mark.integration


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def a_gig(backend: Backend) -> Gig:
    now = datetime.now(UTC)
    gig = Gig(id=new_id(), owner_id=new_id(), title="Fix a tap", description="", category="plumbing",
              skills=("pipes",), budget=Budget(min=ngn(1_000), max=ngn(2_000), type="fixed"), location=None,
              remote=True, urgency="low", deadline=None, status="open", created_at=now, updated_at=now)
    unit = backend.units()
    stored = unit.gigs.add(gig)
    unit.commit()
    return stored


def application(gig_id: str, freelancer_id: str) -> Application:
    now = utc_now()
    return Application(id=new_id(), gig_id=gig_id, client_id=new_id(), freelancer_id=freelancer_id,
                       cover_letter="hi", proposed_rate=ngn(10_000), estimated_days=3, status="pending",
                       created_at=now, updated_at=now)


def applied(backend: Backend, app: Application) -> Application:
    unit = backend.units()
    stored = unit.applications.add(app)
    unit.commit()
    return stored


def test_one_application_per_freelancer_per_gig(backend: Backend) -> None:
    gig, freelancer = new_id(), new_id()
    first = applied(backend, application(gig, freelancer))
    with pytest.raises(ConflictError) as raised:
        applied(backend, application(gig, freelancer))
    assert not isinstance(raised.value, TransactionConflictError)
    assert backend.units().applications.get(first.id) == first and first.version == 1
    assert [a.id for a in backend.units().applications.open_of_gig(gig)] == [first.id]
    assert [a.id for a in backend.units().applications.of_freelancer(freelancer, limit=5, after=None).applications] \
        == [first.id]
    assert [a.id for a in backend.units().applications.of_gig(gig, limit=5, after=None).applications] == [first.id]


def test_an_application_is_saved_on_the_status_and_version_it_was_read_at(backend: Backend) -> None:
    first = applied(backend, application(new_id(), new_id()))
    unit = backend.units()
    moved = unit.applications.save(first.moved("shortlist", utc_now()), expected={"pending"})
    unit.commit()
    assert moved.status == "shortlisted" and moved.version == 2
    assert backend.units().applications.get(first.id) == moved
    again = backend.units()
    again.applications.save(first.moved("reject", utc_now()), expected={"pending"})
    with pytest.raises(InvalidStateError):
        again.commit()
    stale = backend.units()
    stale.applications.save(first.moved("reject", utc_now()), expected={"pending", "shortlisted"})
    with pytest.raises(ConflictError):
        stale.commit()
    assert backend.units().applications.get(first.id) == moved


def test_an_apply_raises_the_gigs_count_and_version_in_its_transaction(backend: Backend) -> None:
    gig = a_gig(backend)
    unit = backend.units()
    unit.applications.add(application(gig.id, new_id()))
    unit.gigs.count_application(gig.id, "NGN")
    unit.commit()
    counted = backend.units().gigs.get(gig.id)
    assert counted is not None and (counted.application_count, counted.version) == (1, 2)


def test_an_apply_to_a_gig_whose_currency_changed_or_that_closed_writes_nothing(backend: Backend) -> None:
    gig = a_gig(backend)
    freelancer = new_id()
    unit = backend.units()
    app = unit.applications.add(application(gig.id, freelancer))
    unit.gigs.count_application(gig.id, "USD")
    with pytest.raises(TransactionConflictError) as raised:
        unit.commit()
    assert raised.value.failed == (0,)
    assert backend.units().applications.get(app.id) is None
    closing = backend.units()
    closing.gigs.save(gig.moved("cancel", utc_now()), expected_status="open")
    closing.commit()
    late = backend.units()
    late.applications.add(application(gig.id, freelancer))
    late.gigs.count_application(gig.id, "NGN")
    with pytest.raises(TransactionConflictError):
        late.commit()
    assert backend.units().applications.open_of_gig(gig.id) == []
