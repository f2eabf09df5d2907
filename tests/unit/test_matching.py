"""Gig matching over an in-memory geo index: who hears of a new gig, and how often."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gigcore.domain import geo
from gigcore.domain.geo import GeoEntry
from gigcore.ports import OutboxEvent
from gigcore.services import matching
from gigcore.services.matching import MatchingPolicy, MatchingPorts
from tests.fakes import FakeGeoIndex, FakeMatchQuota, FakeQueue

LAGOS = (6.5244, 3.3792)
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def north_of(km: float) -> tuple[float, float]:
    return LAGOS[0] + km / 111.195, LAGOS[1]


def freelancer(fid: str, km: float, *, reach: float = 10.0, skills: tuple[str, ...] = ("plumbing",),
               availability: str = "available") -> GeoEntry:
    lat, lng = north_of(km)
    return GeoEntry(id=fid, lat=lat, lng=lng, skills=frozenset(skills), amount_min=5000, amount_max=5000,
                    currency="NGN", availability=availability, reach_km=reach)


def gig_event(gig_id: str = "G1", *, skills: list[str] | None = None, category: str = "plumbing",
              location: tuple[float, float] | None = LAGOS, status: str = "open", owner: str = "C1") -> OutboxEvent:
    gig = {"id": gig_id, "owner_id": owner, "title": f"Fix the sink {gig_id}", "category": category,
           "skills": ["Plumbing"] if skills is None else skills, "status": status,
           "location": None if location is None else {"lat": location[0], "lng": location[1]}}
    return OutboxEvent(id=f"e-{gig_id}", type="gig.created", queue="gig-matching", payload={"gig": gig})


def setup(*entries: GeoEntry, per_day: int = 5) -> tuple[MatchingPorts, MatchingPolicy, FakeQueue]:
    index = FakeGeoIndex()
    for entry in entries:
        index.put(entry)
    queue = FakeQueue()
    return MatchingPorts(freelancers=index, quota=FakeMatchQuota(), queue=queue), \
        MatchingPolicy(per_day=per_day, search_km=500.0), queue


def matched(queue: FakeQueue) -> dict[str, dict]:
    assert all(q == "notifications" for q, _ in queue.sent)
    return {body["payload"]["user_id"]: body for _, body in queue.sent}


def test_a_freelancer_whose_radius_covers_the_gig_and_whose_skills_overlap_hears_of_it():
    ports, policy, queue = setup(freelancer("near", 3.0, reach=5.0), freelancer("short", 8.0, reach=5.0),
                                 freelancer("far-reaching", 300.0, reach=400.0),
                                 freelancer("painter", 1.0, skills=("painting",)),
                                 freelancer("busy", 1.0, availability="busy"),
                                 freelancer("C1", 0.5))
    report = matching.match_gig(gig_event(), ports=ports, policy=policy, now=NOW)

    got = matched(queue)
    assert set(got) == {"near", "far-reaching"}
    assert report.candidates == 2 and report.sent == 2 and report.over_quota == 0
    near = got["near"]
    assert near["id"] == "match:G1:near" and near["type"] == "gig.nearby_match"
    assert near["payload"]["gig_id"] == "G1" and near["payload"]["gig_title"] == "Fix the sink G1"
    assert near["payload"]["distance_km"] == round(geo.haversine_km(*LAGOS, *north_of(3.0)), 1)


def test_a_gig_without_skills_matches_on_its_category():
    ports, policy, queue = setup(freelancer("carpenter", 1.0, skills=("carpentry",)), freelancer("plumber", 1.0))
    matching.match_gig(gig_event(skills=[], category="Carpentry"), ports=ports, policy=policy, now=NOW)
    assert set(matched(queue)) == {"carpenter"}


def test_remote_or_closed_gigs_match_nobody():
    ports, policy, queue = setup(freelancer("near", 1.0))
    matching.match_gig(gig_event("G1", location=None), ports=ports, policy=policy, now=NOW)
    matching.match_gig(gig_event("G2", status="cancelled"), ports=ports, policy=policy, now=NOW)
    assert queue.sent == []


def test_nobody_gets_more_than_the_daily_quota_and_a_retry_is_not_counted_twice():
    ports, policy, queue = setup(freelancer("near", 1.0), per_day=2)
    for gig_id in ("G1", "G2", "G2", "G3"):
        matching.match_gig(gig_event(gig_id), ports=ports, policy=policy, now=NOW)
    assert [body["id"] for _, body in queue.sent] == ["match:G1:near", "match:G2:near", "match:G2:near"]

    report = matching.match_gig(gig_event("G4"), ports=ports, policy=policy, now=NOW + timedelta(days=1))
    assert report.sent == 1 and queue.sent[-1][1]["id"] == "match:G4:near"
