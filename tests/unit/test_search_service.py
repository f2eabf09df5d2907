"""Search on fakes: the index follows the outbox's gig and freelancer events, and a search shows only what the
table says is still open (or still a freelancer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from gigcore.domain.gigs import Budget, Gig
from gigcore.domain.money import Money
from gigcore.domain.users import FreelancerProfile, Location, Skill, User
from gigcore.ports import OutboxEvent
from gigcore.ports.search import FreelancerSearch, GeoPoint, GigSearch
from gigcore.schemas.gigs import gig_out
from gigcore.services import search
from gigcore.services.users import freelancer_search_event
from tests.fake_search import FakeSearchIndex
from tests.fakes import FakeUsers

NOW = datetime(2026, 12, 1, 9, 0, 0, 123456, tzinfo=UTC)


def a_gig(gig_id: str, title: str = "Plumber for a sink", *, status: str = "open", version: int = 1,
          deadline: datetime | None = None) -> Gig:
    return Gig(id=gig_id, owner_id="UC", title=title, description="Kitchen sink leaks", category="home",
               skills=("plumbing",), budget=Budget(Money(amount=5000, currency="EUR"),
                                                   Money(amount=9000, currency="EUR"), "fixed"),
               location=Location(48.8566, 2.3522), remote=False, urgency="low", deadline=deadline,
               status=status, created_at=NOW, updated_at=NOW, version=version)  # type: ignore[arg-type]


class Table:
    """The gigs the table holds now (the search reads its hits back)."""

    def __init__(self, *gigs: Gig) -> None:
        self.by_id = {g.id: g for g in gigs}

    def get_many(self, gig_ids: Sequence[str]) -> dict[str, Gig]:
        return {i: self.by_id[i] for i in gig_ids if i in self.by_id}


def gig_event(gig: Gig, kind: str = "gig.created") -> OutboxEvent:
    return OutboxEvent(id=f"e-{gig.id}-{gig.version}", type=kind, queue="search-indexing",
                       payload={"gig": gig_out(gig).model_dump(mode="json"), "version": gig.version})


def test_a_reindexed_gig_gets_the_document_its_event_gives():
    gig = a_gig("G1")
    assert search.doc_of(gig) == search.gig_doc(gig_out(gig).model_dump(mode="json"), gig.version)
    remote = a_gig("G2").changed(location=None, remote=True)
    assert search.doc_of(remote) == search.gig_doc(gig_out(remote).model_dump(mode="json"), remote.version)
    ending = a_gig("G3", deadline=NOW + timedelta(days=2))  # 09:00:00.123456: rounded up to the millisecond
    assert search.doc_of(ending) == search.gig_doc(gig_out(ending).model_dump(mode="json"), ending.version)
    assert search.doc_of(ending).deadline_ms == 1_796_288_400_124 and search.doc_of(gig).deadline_ms is None


def test_milliseconds_round_so_the_index_never_hides_a_gig_before_its_deadline():
    from gigcore.domain.clock import epoch_ms, epoch_seconds

    assert epoch_ms(NOW) == 1_796_115_600_123
    assert epoch_ms(NOW, round_up=True) == 1_796_115_600_124
    whole = NOW.replace(microsecond=5000)
    assert epoch_ms(whole) == epoch_ms(whole, round_up=True) == 1_796_115_600_005
    before = datetime(1969, 12, 31, 23, 59, 59, 999_500, tzinfo=UTC)
    assert (epoch_ms(before), epoch_ms(before, round_up=True)) == (-1, 0)
    # the geo index's expiry rounds the same way, in seconds
    assert (epoch_seconds(NOW), epoch_seconds(NOW, round_up=True)) == (1_796_115_600, 1_796_115_601)
    assert epoch_seconds(NOW.replace(microsecond=0), round_up=True) == 1_796_115_600


def test_a_posted_gig_is_found_and_a_closed_one_leaves_the_index():
    index = FakeSearchIndex()
    gig = a_gig("G1")
    search.index_gig_event(gig_event(gig), index=index)
    found = search.search_gigs(GigSearch(text="plumber"), None, index=index, gigs=Table(gig), now=NOW)
    assert [hit.gig.id for hit in found.items] == ["G1"]
    closed = gig.changed(status="cancelled", version=2)
    search.index_gig_event(gig_event(closed, "gig.closed"), index=index)
    search.index_gig_event(gig_event(gig), index=index)  # a late, older event changes nothing
    assert search.search_gigs(GigSearch(text="plumber"), None, index=index, gigs=Table(closed), now=NOW).items == []


def test_an_event_without_the_gig_is_left_alone():
    index = FakeSearchIndex()
    search.index_gig_event(OutboxEvent(id="e", type="gig.closed", queue="", payload={"gig_id": "G1"}), index=index)
    assert index.gigs == {}


def test_gigs_past_their_deadline_are_left_out_by_the_index_so_a_page_is_full():
    index = FakeSearchIndex()
    past = [a_gig(f"GP{i}", "Plumber plumber for a sink", deadline=NOW - timedelta(minutes=i + 1)) for i in range(3)]
    live = [a_gig("GL1", deadline=NOW + timedelta(minutes=1)), a_gig("GL2"), a_gig("GL3")]
    for gig in past + live:
        search.index_gig_event(gig_event(gig), index=index)
    found = search.search_gigs(GigSearch(text="plumber", limit=2), None, index=index, gigs=Table(*past, *live),
                               now=NOW)
    assert [hit.gig.id for hit in found.items] == ["GL1", "GL2"] and found.after is not None


def test_a_search_drops_gigs_the_table_says_are_no_longer_taking_applications():
    index = FakeSearchIndex()
    open_gig, given_a_deadline = a_gig("G1"), a_gig("G2")
    cancelled_meanwhile = a_gig("G3")
    for gig in (open_gig, given_a_deadline, cancelled_meanwhile):
        search.index_gig_event(gig_event(gig), index=index)
    # Changed in the table since they were indexed (their events not yet applied): G2 given a deadline that
    # has passed since, G3 cancelled.
    past = given_a_deadline.changed(deadline=NOW - timedelta(minutes=1), version=2)
    table = Table(open_gig, past, cancelled_meanwhile.changed(status="cancelled"))
    found = search.search_gigs(GigSearch(text="plumber", point=GeoPoint(48.8566, 2.3522), radius_km=5), None,
                               index=index, gigs=table, now=NOW)
    assert [(hit.gig.id, hit.distance_km) for hit in found.items] == [("G1", 0.0)]


def test_freelancers_follow_their_profile_events():
    index, users = FakeSearchIndex(), FakeUsers()
    ada = User(id="UF", email="ada@example.com", name="Ada", roles=("freelancer",), password_hash="h",
               created_at=NOW, rating_sum=9, rating_count=2,
               freelancer_profile=FreelancerProfile(
                   headline="Plumber", bio="Leaks", skills=(Skill("plumbing", "expert"),), hourly_rate_amount=4000,
                   hourly_rate_currency="EUR", availability="available", location=Location(48.85, 2.35),
                   service_radius_km=10))
    users.add(ada)
    stored = users.get("UF")
    assert stored is not None
    search.index_freelancer_event(freelancer_search_event(stored), index=index)
    found = search.search_freelancers(FreelancerSearch(text="plumber"), None, index=index, users=users)
    assert [(hit.user.id, hit.score > 0) for hit in found.items] == [("UF", True)]
    assert index.freelancers["UF"].rating == 4.5
    away = stored.changed(freelancer_profile=None, version=stored.version + 1)
    search.index_freelancer_event(freelancer_search_event(away), index=index)
    assert search.search_freelancers(FreelancerSearch(text="plumber"), None, index=index, users=users).items == []


def test_a_hit_whose_user_no_longer_has_a_profile_is_dropped():
    index, users = FakeSearchIndex(), FakeUsers()
    users.add(User(id="UF", email="f@example.com", name="F", roles=("client",), password_hash="h", created_at=NOW))
    event = OutboxEvent(id="e", type="freelancer.changed", queue="", payload={
        "user_id": "UF", "version": 1, "listed": True, "profile": {
            "headline": "Plumber", "bio": "", "skills": ["plumbing"], "lat": 48.85, "lng": 2.35, "hourly_rate": 1,
            "currency": "EUR", "availability": "available", "rating": 0.0}})
    search.index_freelancer_event(event, index=index)
    assert search.search_freelancers(FreelancerSearch(text="plumber"), None, index=index, users=users).items == []
