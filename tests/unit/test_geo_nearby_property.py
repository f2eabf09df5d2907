"""Nearest-first paging against brute force, on the in-memory geo index (same layout and key order).

For random points, radii, layouts and data (clusters, identical locations, cell borders, the poles, the
antimeridian), the pages concatenated must equal the brute-force answer, in order.
"""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gigcore.domain import geo
from gigcore.domain.geo import GeoEntry, PartitionLayout
from gigcore.ports.gigs import GeoIndex
from gigcore.services import nearby
from gigcore.services.nearby import GeoFilter, NearbyQuery
from tests.fakes import FakeGeoIndex

SPECIAL_CENTRES = [
    (90.0, 0.0), (-89.999, 45.0), (0.0, 179.999), (-12.5, -179.9995), (51.5, -0.0001),
    # A corner where four geohash cells meet, and a point on a cell's edge.
    (geo.bounds("s0bq").lat_lo, geo.bounds("s0bq").lng_lo), (6.5, geo.bounds("s0bqr").lng_hi),
]


def destination(lat: float, lng: float, bearing: float, km: float) -> tuple[float, float]:
    d = km / geo.EARTH_RADIUS_KM
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(max(-1.0, min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return max(-90.0, min(90.0, math.degrees(p2))), (math.degrees(l2) + 540) % 360 - 180


@st.composite
def scenes(draw):
    """A centre, a radius and entries around it (some outside, some stacked, some on cell borders)."""
    if draw(st.booleans()):
        lat, lng = draw(st.sampled_from(SPECIAL_CENTRES))
    else:
        lat, lng = draw(st.floats(-90, 90)), draw(st.floats(-180, 180))
    radius = draw(st.sampled_from([0.1, 0.5, 2.0, 10.0, 60.0]))
    n = draw(st.integers(min_value=0, max_value=90))
    spread = draw(st.sampled_from([0.05, 0.3, 1.3]))  # tight cluster .. beyond the radius
    entries: list[GeoEntry] = []
    for i in range(n):
        kind = draw(st.sampled_from(["spread", "spread", "same", "border"]))
        if kind == "same" and entries:
            twin = entries[draw(st.integers(0, len(entries) - 1))]
            lat2, lng2 = twin.lat, twin.lng
        else:
            bearing = draw(st.floats(0, 2 * math.pi))
            lat2, lng2 = destination(lat, lng, bearing, draw(st.floats(0, 1)) * radius * spread)
            if kind == "border":  # snap onto the south-west edge of its 6-character cell
                box = geo.bounds(geo.encode(lat2, lng2, 6))
                lat2, lng2 = box.lat_lo, box.lng_lo
        entries.append(GeoEntry(
            id=f"{i:04d}{draw(st.sampled_from('ABC'))}", lat=lat2, lng=lng2,
            category=draw(st.sampled_from(["plumbing", "electrical"])),
            skills=frozenset(draw(st.lists(st.sampled_from(["pipes", "wiring", "tiling"]), max_size=2))),
            amount_min=draw(st.integers(0, 50)) * 1000, amount_max=draw(st.integers(50, 100)) * 1000,
            currency="NGN"))
    return lat, lng, radius, entries


filters = st.one_of(
    st.just(GeoFilter()),
    st.builds(GeoFilter, category=st.sampled_from(["plumbing", "electrical"])),
    st.builds(GeoFilter, skills_any=st.sets(st.sampled_from(["pipes", "wiring", "tiling"]), min_size=1)),
    st.builds(GeoFilter, amount_min=st.integers(0, 100_000), amount_max=st.integers(40_000, 120_000)),
)


def index_of(entries: list[GeoEntry], target: int | None, histogram: bool) -> FakeGeoIndex:
    keys = [geo.encode(e.lat, e.lng) for e in entries]
    splits = geo.plan_splits(keys, target) if target else ()
    hist = geo.density_histogram(keys, refine_above=8) if histogram else {}
    index = FakeGeoIndex(PartitionLayout(splits=splits, histogram=hist))
    for entry in entries:
        index.put(entry)
    return index


def all_pages(index: GeoIndex, query: NearbyQuery) -> list[str]:
    """Every page of ``query`` in order, each within its limit (any geo index: the fake or DynamoDB's)."""
    seen: list[str] = []
    position = None
    for _ in range(1000):
        page = nearby.nearest(index, query, position)
        assert len(page.hits) <= query.limit
        seen += [hit.entry.id for hit in page.hits]
        if page.next_position is None:
            return seen
        position = page.next_position
    raise AssertionError("paging did not end")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(), filters, st.integers(min_value=2, max_value=25), st.sampled_from([None, 3, 20]), st.booleans())
def test_pages_concatenated_equal_brute_force_in_order(scene, where, limit, target, histogram):
    lat, lng, radius, entries = scene
    query = NearbyQuery(lat=lat, lng=lng, radius_km=radius, filters=where, limit=limit)
    expected = [hit.entry.id for hit in nearby.distance_order(query, entries)]
    assert all_pages(index_of(entries, target, histogram), query) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(), st.integers(min_value=1, max_value=30), st.sampled_from([None, 4]))
def test_a_full_radius_read_equals_brute_force(scene, _seed, target):
    lat, lng, radius, entries = scene
    query = NearbyQuery(lat=lat, lng=lng, radius_km=radius)
    hits, stats = nearby.within(index_of(entries, target, True), query)
    assert [h.entry.id for h in hits] == [h.entry.id for h in nearby.distance_order(query, entries)]
    assert stats.rounds == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenes(), scenes(), st.integers(min_value=2, max_value=10), st.data())
def test_gigs_added_between_pages_cause_no_duplicates_and_no_gaps(scene, later, limit, data):
    lat, lng, radius, entries = scene
    index = index_of(entries, 4, True)
    query = NearbyQuery(lat=lat, lng=lng, radius_km=radius, limit=limit)
    # Gigs added between pages, around the same centre at random distances (some inside the radius).
    added = [GeoEntry(id=f"N{i:04d}", lat=p[0], lng=p[1])
             for i, p in enumerate(destination(lat, lng, e.lat, radius * (0.2 + abs(e.lng) / 180))
                                   for e in later[3])]
    shown: list[nearby.Hit] = []
    position = None
    expected_new: set[str] = set()
    while True:
        page = nearby.nearest(index, query, position)
        shown += page.hits
        if page.next_position is None:
            break
        position = page.next_position
        if added and data.draw(st.booleans()):
            batch, added = added[:3], added[3:]
            for entry in batch:
                index.put(entry)
                d = geo.haversine_km(lat, lng, entry.lat, entry.lng)
                if (d, entry.id) > shown[-1].order and d <= radius:
                    expected_new.add(entry.id)
    ids = [h.entry.id for h in shown]
    assert len(ids) == len(set(ids)), "no duplicates"
    assert [h.order for h in shown] == sorted(h.order for h in shown), "nearest first"
    originals = [h.entry.id for h in nearby.distance_order(query, entries)]
    assert set(originals) <= set(ids), "no gaps"
    assert expected_new <= set(ids), "what was added after the cursor shows up"
