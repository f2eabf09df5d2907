"""The embedded search engine's order keys and radius cells, against brute force.

``id_key`` must never invert the order of two ids (equal keys are settled by the ids themselves), and must
tell every two ULIDs apart. ``cells_near`` must cover every point of the disc.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from gigcore.adapters.tantivy_search import MAX_CELLS, cells_near, cells_of, id_key
from gigcore.domain import geo
from gigcore.ports.search import GeoPoint

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

ulid = st.builds(lambda first, rest: first + rest, st.sampled_from("01234567"),
                 st.text(alphabet=CROCKFORD, min_size=25, max_size=25))
#: Near-ULIDs: ULID characters with letters Crockford leaves out, lower case, punctuation, accents, any length.
near_ulid = st.text(alphabet=CROCKFORD + "89ILOUaz_-~!é\x00", max_size=30)
any_id = st.one_of(ulid, near_ulid, ulid.map(lambda u: u + "x"), ulid.map(lambda u: u[:-3]))


@settings(max_examples=300, deadline=None)
@given(st.lists(any_id, min_size=2, max_size=40))
def test_keys_never_invert_the_order_of_ids(ids: list[str]) -> None:
    keys = [id_key(i) for i in sorted(ids)]
    assert keys == sorted(keys)
    assert all(0 <= k < 1 << 128 for k in keys)


@settings(max_examples=300, deadline=None)
@given(st.lists(ulid, min_size=2, max_size=40, unique=True))
def test_every_ulid_has_its_own_key_its_value(ids: list[str]) -> None:
    keys = {i: id_key(i) for i in ids}
    assert len(set(keys.values())) == len(ids)
    for i, key in keys.items():
        assert key == sum(CROCKFORD.index(c) << (5 * (25 - n)) for n, c in enumerate(i))
    assert sorted(ids) == sorted(ids, key=keys.__getitem__)


def test_keys_of_strings_around_ulids() -> None:
    top = "7" + "Z" * 25
    assert id_key("") == id_key("!") == id_key("0" * 26) == 0
    assert id_key("8") == id_key("zz") == id_key(top) == (1 << 128) - 1
    assert id_key("01J") < id_key("01J" + "0" * 23)  # a prefix sorts before the ULIDs that extend it...
    assert id_key("01J" + "0" * 23 + "a") == id_key("01J" + "0" * 23)  # ...and after the ULID it extends


def destination(lat: float, lng: float, bearing: float, km: float) -> tuple[float, float]:
    d = km / geo.EARTH_RADIUS_KM
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(max(-1.0, min(1.0, math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540.0) % 360.0 - 180.0


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.floats(-90, 90), st.sampled_from([90.0, -90.0, 89.99, 0.0, 0.05])),
       st.one_of(st.floats(-180, 180), st.sampled_from([180.0, -180.0, 179.999, -179.9995, 0.0])),
       st.floats(0.1, 3_000), st.floats(0, 2 * math.pi), st.floats(0, 1))
def test_the_cells_near_a_point_hold_every_point_of_the_disc(lat: float, lng: float, radius: float, bearing: float,
                                                            share: float) -> None:
    centre = GeoPoint(lat, lng)
    cover = cells_near(centre, radius)
    if cover is None:  # too wide for the coarsest grid: the latitude/longitude ranges filter instead
        return
    assert len(cover) <= MAX_CELLS
    p_lat, p_lng = destination(lat, lng, bearing, radius * share)
    if geo.haversine_km(lat, lng, p_lat, p_lng) <= radius:
        assert set(cells_of(GeoPoint(p_lat, p_lng))) & set(cover)


def test_a_city_radius_is_a_few_cells() -> None:
    cover = cells_near(GeoPoint(6.5244, 3.3792), 10)
    assert cover is not None and 1 <= len(cover) <= 9 and all(c.startswith("1:") for c in cover)
