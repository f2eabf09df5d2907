"""The application use cases on the in-memory unit of work (tests/fake_unit_of_work.py): apply, shortlist, reject,
withdraw, accept (the contract) and the rejection of what is left open when a gig closes (issue 17 item 1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gigcore.domain.applications import Acceptance, Proposal
from gigcore.domain.contracts import MilestonePlan
from gigcore.domain.errors import ConflictError, ForbiddenError, InvalidStateError, ValidationError
from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.money import Money
from gigcore.domain.users import Principal, User
from gigcore.services import applications
from gigcore.services.applications import ApplicationPorts, OpenApplicationsRejector
from tests.fake_unit_of_work import FakeUnitOfWorkFactory
from tests.fakes import FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CLIENT = Principal(user_id="u-client", roles=("client",))


def freelancer(n: int) -> Principal:
    return Principal(user_id=f"u-free-{n}", roles=("freelancer",))


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


class Setup:
    def __init__(self) -> None:
        self.units = FakeUnitOfWorkFactory()
        self.world = self.units.world
        users = FakeUsers()
        for p in (CLIENT, *(freelancer(n) for n in range(60))):
            users.add(User(id=p.user_id, email=f"{p.user_id}@example.com", name=p.user_id, roles=p.roles,
                           password_hash="x", created_at=NOW))
        self.ports = ApplicationPorts(unit_of_work=self.units, users=users)
        self.world.gigs["g1"] = Gig(id="g1", owner_id=CLIENT.user_id, title="Edit a video", description="d",
                                    category="editing", skills=("editing",),
                                    budget=Budget(min=ngn(100_000), max=ngn(5_000_000), type="fixed"),
                                    location=None, remote=True, urgency="low", deadline=None, status="open",
                                    created_at=NOW, updated_at=NOW, version=1)

    def apply(self, n: int = 0, rate: Money | None = None) -> Any:
        return applications.apply(freelancer(n), "g1", Proposal(cover_letter="Cut forty videos.",
                                                                proposed_rate=rate or ngn(1_000_000),
                                                                estimated_days=3),
                                  ports=self.ports, now=NOW)

    def told(self, kind: str) -> list[str]:
        return [str(e.payload["user_id"]) for e in self.world.outbox if e.type == kind]


@pytest.fixture
def s() -> Setup:
    return Setup()


def test_an_apply_stores_the_application_counts_it_on_the_gig_and_tells_the_owner(s: Setup) -> None:
    app = s.apply()
    assert s.world.applications[app.id] == app and (app.status, app.version) == ("pending", 1)
    assert (s.world.gigs["g1"].application_count, s.world.gigs["g1"].version) == (1, 2)
    assert s.told("application.received") == [CLIENT.user_id]


def test_a_second_apply_is_a_conflict_and_counts_nothing(s: Setup) -> None:
    s.apply()
    with pytest.raises(ConflictError):
        s.apply()
    assert len(s.world.applications) == 1 and s.world.gigs["g1"].application_count == 1


def test_an_apply_in_another_currency_or_by_a_client_is_refused(s: Setup) -> None:
    with pytest.raises(ValidationError):
        s.apply(rate=Money(amount=5_000, currency="USD"))
    with pytest.raises(ForbiddenError):
        applications.apply(CLIENT, "g1", Proposal(cover_letter="Cut forty videos.", proposed_rate=ngn(1_000),
                                                  estimated_days=3), ports=s.ports, now=NOW)
    assert s.world.applications == {} and s.world.outbox == []


def test_an_apply_whose_gig_closes_meanwhile_is_told_the_gig_is_no_longer_open(s: Setup) -> None:
    def the_gig_fills(world: Any) -> None:
        world.gigs["g1"] = world.gigs["g1"].changed(status="in_progress", version=world.gigs["g1"].version + 1)

    s.world.before_commit = the_gig_fills
    with pytest.raises(InvalidStateError):
        s.apply()
    assert s.world.applications == {}


def test_shortlist_then_reject_tells_the_freelancer_once(s: Setup) -> None:
    app = s.apply()
    shortlisted = applications.shortlist(CLIENT, app.id, ports=s.ports, now=NOW)
    rejected = applications.reject(CLIENT, app.id, ports=s.ports, now=NOW)
    assert (shortlisted.version, rejected.status, rejected.version) == (2, "rejected", 3)
    assert s.told("application.rejected") == [freelancer(0).user_id]
    with pytest.raises(InvalidStateError):
        applications.withdraw(freelancer(0), app.id, ports=s.ports, now=NOW)


def test_only_the_applicant_withdraws(s: Setup) -> None:
    app = s.apply()
    with pytest.raises(ForbiddenError):
        applications.withdraw(freelancer(1), app.id, ports=s.ports, now=NOW)
    assert applications.withdraw(freelancer(0), app.id, ports=s.ports, now=NOW).status == "withdrawn"


def test_accept_makes_the_contract_fills_the_gig_and_rejects_the_others_in_one_transaction(s: Setup) -> None:
    chosen, other = s.apply(0), s.apply(1)
    before = s.world.transactions
    contract = applications.accept(CLIENT, chosen.id, Acceptance(), ports=s.ports, now=NOW)
    assert s.world.transactions == before + 1
    assert s.world.contracts[contract.id] == contract and [m.amount for m in contract.milestones] == [ngn(1_000_000)]
    assert s.world.applications[chosen.id].status == "accepted"
    assert s.world.applications[chosen.id].contract_id == contract.id
    assert s.world.applications[other.id].status == "rejected" and s.world.gigs["g1"].status == "in_progress"
    assert s.told("application.accepted") == [freelancer(0).user_id]
    assert s.told("application.rejected") == [freelancer(1).user_id]
    assert [e.queue for e in s.world.outbox if e.type == "gig.closed"] == ["search-indexing", "gig-matching"]


def test_an_accept_past_the_transaction_limit_leaves_the_rest_to_the_gig_closed_consumer(s: Setup) -> None:
    chosen = s.apply(0)
    for n in range(1, 60):
        s.apply(n)
    applications.accept(CLIENT, chosen.id, Acceptance(), ports=s.ports, now=NOW)
    still = [a for a in s.world.applications.values() if a.status == "pending"]
    assert 0 < len(still) < 59  # the first transaction took what fitted in 100 items
    OpenApplicationsRejector(s.ports).on_gig_closed("g1", NOW)
    assert [a for a in s.world.applications.values() if a.status == "pending"] == []
    assert len(s.told("application.rejected")) == 59


def test_only_the_owner_accepts_and_a_second_accept_is_invalid_state(s: Setup) -> None:
    app = s.apply()
    with pytest.raises(ForbiddenError):
        applications.accept(freelancer(0), app.id, Acceptance(), ports=s.ports, now=NOW)
    applications.accept(CLIENT, app.id, Acceptance(), ports=s.ports, now=NOW)
    with pytest.raises(InvalidStateError):
        applications.accept(CLIENT, app.id, Acceptance(), ports=s.ports, now=NOW)
    assert len(s.world.contracts) == 1


def test_a_party_sees_the_contract_and_a_stranger_does_not(s: Setup) -> None:
    contract = applications.accept(CLIENT, s.apply().id, Acceptance(), ports=s.ports, now=NOW)
    assert applications.get_contract(freelancer(0), contract.id, ports=s.ports) == contract
    assert [c.id for c in applications.my_contracts(CLIENT, limit=5, after=None, ports=s.ports).contracts] == \
        [contract.id]
    with pytest.raises(ForbiddenError):
        applications.get_contract(freelancer(1), contract.id, ports=s.ports)


def test_each_notification_names_the_gig_and_the_application(s: Setup) -> None:
    chosen, other = s.apply(0), s.apply(1)
    contract = applications.accept(CLIENT, chosen.id, Acceptance(), ports=s.ports, now=NOW)
    about = {"gig_id": "g1", "gig_title": "Edit a video"}
    assert [(e.type, e.queue, e.payload) for e in s.world.outbox if e.queue == "notifications"] == [
        ("application.received", "notifications", {"user_id": CLIENT.user_id, "application_id": chosen.id, **about,
                                                   "freelancer_id": "u-free-0", "freelancer_name": "u-free-0"}),
        ("application.received", "notifications", {"user_id": CLIENT.user_id, "application_id": other.id, **about,
                                                   "freelancer_id": "u-free-1", "freelancer_name": "u-free-1"}),
        ("application.accepted", "notifications", {"user_id": "u-free-0", "application_id": chosen.id, **about,
                                                   "contract_id": contract.id}),
        ("application.rejected", "notifications", {"user_id": "u-free-1", "application_id": other.id, **about}),
    ]


def test_an_accept_with_milestones_makes_them_in_the_gigs_currency(s: Setup) -> None:
    app = s.apply()
    with pytest.raises(ValidationError):
        applications.accept(CLIENT, app.id, Acceptance((MilestonePlan("All", Money(amount=5, currency="USD")),)),
                            ports=s.ports, now=NOW)
    assert s.world.contracts == {} and s.world.gigs["g1"].status == "open"
    terms = Acceptance((MilestonePlan("Rough cut", ngn(400_000)), MilestonePlan("Final cut", ngn(600_000))))
    contract = applications.accept(CLIENT, app.id, terms, ports=s.ports, now=NOW)
    assert [(m.title, m.amount) for m in s.world.contracts[contract.id].milestones] == [
        ("Rough cut", ngn(400_000)), ("Final cut", ngn(600_000))]
