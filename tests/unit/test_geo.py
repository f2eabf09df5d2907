"""Geohash cells, distance bounds, disc coverings and the partition layout (pure functions)."""

import math

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from gigcore.domain import coords, geo

lats = st.floats(min_value=-90, max_value=90, allow_nan=False)
lngs = st.floats(min_value=-180, max_value=180, allow_nan=False)
precisions = st.integers(min_value=1, max_value=12)


@given(lats, lngs, precisions)
def test_a_point_lies_in_the_cell_of_its_geohash(lat, lng, precision):
    box = geo.bounds(geo.encode(lat, lng, precision))
    assert box.lat_lo - 1e-9 <= lat <= box.lat_hi + 1e-9 and box.lng_lo - 1e-9 <= lng <= box.lng_hi + 1e-9


def test_geohashes_match_the_published_examples():
    assert geo.encode(57.64911, 10.40744, 11) == "u4pruydqqvj"
    assert geo.encode(42.6, -5.6, 5) == "ezs42"


@given(lats, lngs, lats, lngs, st.integers(min_value=1, max_value=8),
       st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
@example(lat=0.0, lng=180.0, cell_lat=0.0, cell_lng=0.0, precision=6, u=0.0, v=0.0)  # the antipode of a corner
def test_distance_bounds_hold_for_every_point_of_a_cell(lat, lng, cell_lat, cell_lng, precision, u, v):
    box = geo.bounds(geo.encode(cell_lat, cell_lng, precision))
    inside_lat = box.lat_lo + u * (box.lat_hi - box.lat_lo)
    inside_lng = box.lng_lo + v * (box.lng_hi - box.lng_lo)
    d = geo.haversine_km(lat, lng, inside_lat, inside_lng)
    assert geo.min_distance_km(lat, lng, box) <= d <= geo.max_distance_km(lat, lng, box) + 1e-9


@given(lats, lngs, st.integers(min_value=1, max_value=6))
def test_a_point_is_at_distance_zero_from_its_own_cell(lat, lng, precision):
    box = geo.bounds(geo.encode(lat, lng, precision))
    assert geo.min_distance_km(lat, lng, box) == 0.0


@settings(max_examples=60, deadline=None)
@given(lats, lngs, st.floats(min_value=0.1, max_value=100), st.floats(min_value=0, max_value=2 * math.pi),
       st.floats(min_value=0, max_value=1), st.integers(min_value=3, max_value=5))
def test_a_covering_holds_every_point_of_the_disc(lat, lng, radius, bearing, fraction, precision):
    # Points at the poles and across the antimeridian included: walk from the centre along a great circle.
    d = fraction * radius / geo.EARTH_RADIUS_KM
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(max(-1.0, min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    lat2, lng2 = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
    assume(geo.haversine_km(lat, lng, lat2, lng2) <= radius)
    cells = geo.cover(lat, lng, radius, precision)
    assert geo.encode(lat2, lng2, precision) in cells


def test_a_covering_near_the_pole_spans_every_longitude():
    cells = geo.cover(89.9, 0.0, 20, 3)
    lngs_seen = {round(geo.bounds(c).lng_lo) for c in cells}
    assert min(lngs_seen) == -180 and max(lngs_seen) >= 178


def test_a_covering_across_the_antimeridian_takes_both_sides():
    cells = geo.cover(0.0, 179.99, 5, 4)
    assert any(geo.bounds(c).lng_hi <= -179 for c in cells) and any(geo.bounds(c).lng_lo >= 179 for c in cells)


@given(st.lists(st.tuples(st.floats(6.3, 6.7), st.floats(3.2, 3.6)), min_size=1, max_size=400),
       st.integers(min_value=5, max_value=60))
def test_split_partitions_hold_about_the_target_and_tile_the_key_space(points, target):
    keys = [geo.encode(lat, lng) for lat, lng in points]
    layout = geo.PartitionLayout(splits=geo.plan_splits(keys, target))
    counts = geo.partition_counts(layout, keys)
    distinct = len(set(keys))
    assert sum(counts.values()) == len(keys)
    if distinct == len(keys):
        assert max(counts.values()) <= 2 * target
    for key in keys:
        part = layout.partition_of(key)
        assert part.start <= key and (part.end is None or key < part.end)
    pieces = list(layout.pieces("s0", "s1"))
    assert pieces[0][1] == "s0" and pieces[-1][2] == "s1"
    assert all(a[2] == b[1] for a, b in zip(pieces, pieces[1:], strict=False))


@given(st.lists(st.text(alphabet=geo.BASE32, min_size=3, max_size=9), max_size=50))
def test_cells_written_compactly_come_back_the_same(cells):
    assert sorted(geo.expand_cells(geo.compact_cells(cells))) == sorted(set(cells))


@given(st.text(alphabet=geo.BASE32, min_size=1, max_size=5), st.text(alphabet=geo.BASE32, min_size=1, max_size=5))
def test_cells_between_tile_a_key_range_exactly(a, b):
    lo, hi = min(a, b), max(a, b)
    assume(lo < hi)
    cells = geo.cells_between(lo, hi)
    assert all(lo <= c and (geo.successor(c) or "~") <= hi or geo.successor(c) == hi for c in cells)
    assert all(geo.successor(x) is not None and geo.successor(x).ljust(12, "0") == y.ljust(12, "0")
               for x, y in zip(cells, cells[1:], strict=False))


def test_a_density_histogram_refines_only_where_entries_crowd():
    keys = [geo.encode(6.45 + i * 1e-5, 3.39) for i in range(1000)] + [geo.encode(10.0, 10.0)]
    histogram = geo.density_histogram(keys, refine_above=100, max_precision=6)
    assert histogram[keys[0][:3]] == 1000 and histogram[keys[-1][:3]] == 1
    assert any(len(cell) == 6 for cell in histogram) and not any(c.startswith(keys[-1][:4]) for c in histogram
                                                                   if len(c) > 3)


@given(lats, lngs, lats, lngs, st.integers(min_value=1, max_value=8))
@example(lat=0.0, lng=180.0, cell_lat=0.0, cell_lng=0.0, precision=6)
@example(lat=90.0, lng=10.0, cell_lat=45.0, cell_lng=100.0, precision=3)
def test_the_lower_bound_is_the_distance_to_the_nearest_point_of_the_nearest_edge(lat, lng, cell_lat, cell_lng,
                                                                                  precision):
    # The bound reads one point of the meridian edge nearest in longitude; the nearest point of that edge is
    # its foot of the perpendicular or one of its two ends, so the bound is the least of those three distances.
    box = geo.bounds(geo.encode(cell_lat, cell_lng, precision))
    if box.lng_lo <= lng <= box.lng_hi:
        assume(False)
    edge = box.lng_lo if (box.lng_lo - lng) % 360.0 <= (lng - box.lng_hi) % 360.0 else box.lng_hi
    candidates = [geo.haversine_km(lat, lng, box.lat_lo, edge), geo.haversine_km(lat, lng, box.lat_hi, edge)]
    delta = math.radians(min((box.lng_lo - lng) % 360.0, (lng - box.lng_hi) % 360.0))
    phi = math.radians(lat)
    foot = math.degrees(math.atan2(math.sin(phi), math.cos(phi) * math.cos(delta)))
    if delta < math.pi / 2 and box.lat_lo <= foot <= box.lat_hi:
        candidates.append(geo.EARTH_RADIUS_KM * math.asin(min(1.0, abs(math.cos(phi) * math.sin(delta)))))
    assert math.isclose(geo.min_distance_km(lat, lng, box), max(0.0, min(candidates)), rel_tol=1e-12, abs_tol=1e-6)


@settings(max_examples=300)
@given(lats, lngs, lats, lngs, st.integers(min_value=1, max_value=11))
@example(89.9, 179.99, 89.99, -179.99, 4)  # near the pole, across the antimeridian
@example(6.5, 3.3, 6.5, -176.7, 2)  # the far side of the world: no foot of the perpendicular
@example(0.0, 0.0, 0.0, 0.0, 3)  # the point inside one of the cells
@example(0.0, 180.0, 0.0, -179.99, 4)  # on the antimeridian beside a column starting at -180
def test_the_children_of_a_cell_are_weighed_together_to_the_same_numbers(lat, lng, cell_lat, cell_lng, precision):
    """issue 20 item 3: a search works out the lower bounds of a cell's 32 children together (they share their
    edges); every number is the one :meth:`min_to` gives, to the last bit, so plans and pages do not change."""
    point = geo.DistancesFrom(lat, lng)
    cell = geo.encode(cell_lat, cell_lng, precision)
    assert list(point.min_to_children(cell)) == [point.min_to(geo.bounds(kid)) for kid in geo.children(cell)]


@given(st.sampled_from(["s0", "s0d", "s0dk", "s1b", "s1c"]).flatmap(
    lambda top: st.text(alphabet=geo.BASE32, max_size=5).map(lambda rest: (top + rest)[:8]).filter(
        lambda cell: len(cell) >= 3)))
def test_a_layouts_remembered_pieces_of_a_cell_are_its_pieces(cell):
    layout = geo.PartitionLayout(splits=("s0dk", "s0dkq", "s0e2", "s1bc"))
    expected = [(part.name, lo, hi) for part, lo, hi in layout.pieces(cell, geo.successor(cell))]
    pieces = layout.cell_pieces(cell)
    assert [(p.partition, p.lo, p.hi) for p in pieces] == expected and layout.cell_pieces(cell) == pieces
    assert all(p.cell == cell and p.start == geo.key_point(p.lo) for p in pieces)
    assert [p.end for p in pieces] == [None if hi is None else geo.key_point(hi) for _, _, hi in expected]


@given(st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=1, max_size=26), lats, lngs)
def test_an_entry_read_with_only_its_location_is_the_entry_with_every_other_field_at_its_default(id_, lat, lng):
    """issue 20 item 3: a search that filters on nothing reads only the location, and the adapter builds those
    entries without the constructor's per-field work; each is still equal to the constructor's entry."""
    lat, lng = coords.quantise(lat), coords.quantise(lng)
    entry = geo.GeoEntry.stored_at(id_, lat, lng)
    assert entry == geo.GeoEntry(id=id_, lat=lat, lng=lng)
    assert vars(entry) == vars(geo.GeoEntry(id=id_, lat=lat, lng=lng))  # every field set, none from the class
    assert hash(entry) == hash(geo.GeoEntry(id=id_, lat=lat, lng=lng))
