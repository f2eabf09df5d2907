"""Geo math: great-circle distances, the cells a disc touches, and what a geo index entry holds. Pure, no I/O.

Distances are great-circle (haversine) kilometres on a sphere of the mean Earth radius. Cells are geohash
latitude/longitude rectangles (:mod:`gigcore.domain.geohash`); :func:`min_distance_km` and
:func:`max_distance_km` bound the distance from a point to any point of a cell (a hair loose, never tight the
wrong way), which is what the nearest-first search needs for its stop rule. Where each entry is stored is the
partition layout's business (:mod:`gigcore.domain.geo_partitions`).

The names of both modules are re-exported here, so that ``geo.encode`` or ``geo.PartitionLayout`` read as one
vocabulary wherever geo is used.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from gigcore.domain import coords
from gigcore.domain.geo_partitions import (
    Partition,
    PartitionLayout,
    Piece,
    density_histogram,
    interval_area_km2,
    partition_counts,
    plan_splits,
)
from gigcore.domain.geohash import (
    BASE32,
    EARTH_RADIUS_KM,
    KEY_END,
    KEY_PRECISION,
    PARTITION_PRECISION,
    Box,
    area_km2,
    axis_bits,
    bounds,
    cell_area_km2,
    cell_at,
    cells_between,
    children,
    compact_cells,
    encode,
    expand_cells,
    grid_position,
    inclusive_upper,
    is_cell,
    key_at_or_before,
    key_point,
    same_key_point,
    successor,
)
from gigcore.domain.users import User

__all__ = [
    "BASE32", "EARTH_RADIUS_KM", "FREELANCER_INDEXED", "KEY_END", "KEY_PRECISION", "PARTITION_PRECISION", "Box",
    "DistancesFrom",
    "GeoEntry", "Partition", "PartitionLayout", "Piece", "area_km2", "bounds", "cell_area_km2", "cells_between",
    "children", "compact_cells", "cover", "density_histogram", "disc_box", "encode", "expand_cells",
    "freelancer_entry", "grid_position", "haversine_km", "inclusive_upper", "interval_area_km2", "is_cell",
    "key_at_or_before", "key_point", "same_key_point",
    "max_distance_km", "min_distance_km", "partition_counts", "plan_splits", "successor",
]

#: Added to distance bounds so that float rounding never makes a bound tight the wrong way (1 micrometre).
_SLACK_KM = 1e-9
_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM


@dataclass(frozen=True)
class GeoEntry:
    """What one geo index item holds: where, and what the filters look at (small: a page reads many)."""

    id: str
    lat: float
    lng: float
    category: str | None = None
    skills: frozenset[str] = frozenset()
    amount_min: int | None = None
    amount_max: int | None = None
    currency: str | None = None
    availability: str | None = None
    #: How far the owner goes for work (a freelancer's service radius), for gig matching.
    reach_km: float | None = None
    #: When the entry stops belonging in the index (epoch seconds; a gig's deadline): the store lets it expire
    #: then, so entries that no reader would show do not pile up under the keys pages read.
    until: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat", coords.quantise(self.lat))
        object.__setattr__(self, "lng", coords.quantise(self.lng))
        if self.reach_km is not None:
            object.__setattr__(self, "reach_km", round(float(self.reach_km), 3) + 0.0)

    @classmethod
    def stored(cls, id: str, lat: float, lng: float, *, category: str | None = None,  # noqa: A002
               skills: frozenset[str] = frozenset(), amount_min: int | None = None, amount_max: int | None = None,
               currency: str | None = None, availability: str | None = None,
               reach_km: float | None = None, until: int | None = None) -> GeoEntry:
        """An entry read back from the index, whose coordinates were quantised before it was written (see
        :func:`coords.parse_stored`): the same entry as the constructor's, without its per-field work (a
        frozen dataclass sets each field through ``object.__setattr__``), which a page pays a hundred times."""
        entry = object.__new__(cls)
        entry.__dict__.update(id=id, lat=lat, lng=lng, category=category, skills=skills, amount_min=amount_min,
                              amount_max=amount_max, currency=currency, availability=availability,
                              reach_km=None if reach_km is None else round(float(reach_km), 3) + 0.0, until=until)
        return entry

    @classmethod
    def stored_at(cls, id: str, lat: float, lng: float, until: int | None = None) -> GeoEntry:  # noqa: A002
        """:meth:`stored` of an entry read with nothing but its location and expiry (a search that filters on
        nothing asks for no more): every other field at its default."""
        entry = object.__new__(cls)
        fields = entry.__dict__
        fields.update(_UNFILTERED)
        fields["id"], fields["lat"], fields["lng"], fields["until"] = id, lat, lng, until
        return entry

    @property
    def key(self) -> str:
        """The item's sort key: its geohash, then its id (identical locations stay distinct, ordered by id)."""
        return encode(self.lat, self.lng) + "#" + self.id



#: The fields of an entry read with only its location (:meth:`GeoEntry.stored_at`).
_UNFILTERED: dict[str, object] = {"category": None, "skills": frozenset(), "amount_min": None, "amount_max": None,
                                  "currency": None, "availability": None, "reach_km": None, "until": None}


# ---- distances -------------------------------------------------------------------------------------------


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km. The one distance function: ordering and filtering both use it."""
    return DistancesFrom(lat1, lng1).to(lat2, lng2)


def _lng_gap_degrees(lng: float, lo: float, hi: float) -> float:
    """How far (degrees, 0..180) ``lng`` lies outside the longitude interval ``[lo, hi]``, across the antimeridian."""
    if lo <= lng <= hi:
        return 0.0
    return min((lo - lng) % 360.0, (lng - hi) % 360.0)


@lru_cache(maxsize=65536)
def _centre_and_spread(box: Box) -> tuple[float, float, float]:
    """The box's centre and the farthest its corners lie from it."""
    c_lat = (box.lat_lo + box.lat_hi) / 2
    c_lng = (box.lng_lo + box.lng_hi) / 2
    centre = DistancesFrom(c_lat, c_lng)
    spread = max(centre.to(la, ln) for la in (box.lat_lo, box.lat_hi) for ln in (box.lng_lo, box.lng_hi))
    return c_lat, c_lng, spread


def _child_grid(parent_length_parity: int) -> tuple[int, int, operator.itemgetter[Any]]:
    """(columns, rows, what picks the children in :data:`BASE32` order out of a list of the grid's values
    column after column) for a parent of even (0) or odd (1) length: after an even length a child's five bits
    start with a longitude bit, after an odd one with a latitude bit."""
    cols = 8 if parent_length_parity == 0 else 4
    rows = 32 // cols
    places = []
    for index in range(32):
        col = row = 0
        for k, shift in enumerate(range(4, -1, -1)):
            bit = (index >> shift) & 1
            if (k + parent_length_parity) % 2 == 0:
                col = (col << 1) | bit
            else:
                row = (row << 1) | bit
        places.append(col * rows + row)
    return cols, rows, operator.itemgetter(*places)


_CHILD_GRID = (_child_grid(0), _child_grid(1))


class DistancesFrom:
    """Distances from one point, its trigonometry worked out once: a search asks for hundreds (every cell it
    weighs, every entry it reads). The same arithmetic as a call each, so the same numbers to the last bit."""

    __slots__ = ("_cos_phi", "_phi", "_sin_phi", "lat", "lng")

    def __init__(self, lat: float, lng: float) -> None:
        self.lat, self.lng = lat, lng
        self._phi = math.radians(lat)
        self._cos_phi = math.cos(self._phi)
        self._sin_phi = math.sin(self._phi)

    def to(self, lat: float, lng: float) -> float:
        """The great-circle distance in km to the point (``lat``, ``lng``) (haversine)."""
        p2 = math.radians(lat)
        dp = p2 - self._phi
        dl = math.radians(lng - self.lng)
        h = math.sin(dp / 2) ** 2 + self._cos_phi * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))

    def min_to(self, box: Box) -> float:
        """A lower bound (exact up to 1 micrometre) of the distance to any point of ``box``."""
        lat, lng = self.lat, self.lng
        gap = _lng_gap_degrees(lng, box.lng_lo, box.lng_hi)
        if gap == 0.0:
            if box.lat_lo <= lat <= box.lat_hi:
                return 0.0
            edge = box.lat_lo if lat < box.lat_lo else box.lat_hi
            return max(0.0, math.radians(abs(lat - edge)) * EARTH_RADIUS_KM - _SLACK_KM)
        # Outside the longitude span the nearest point lies on the meridian edge nearest in longitude
        # (cos of the distance grows with cos of the longitude gap at every latitude).
        edge_lng = box.lng_lo if (box.lng_lo - lng) % 360.0 <= (lng - box.lng_hi) % 360.0 else box.lng_hi
        delta = math.radians(gap)
        if delta < math.pi / 2:
            # The point of that meridian nearest to ours (the foot of the perpendicular); along the meridian the
            # distance grows with the arc from the foot (cos d = cos a * cos s), so the edge's nearest point is
            # the foot when the edge holds it, else the edge's end nearer to it: one distance, not two.
            foot = math.degrees(math.atan2(self._sin_phi, self._cos_phi * math.cos(delta)))
            if box.lat_lo <= foot <= box.lat_hi:
                best = EARTH_RADIUS_KM * math.asin(min(1.0, abs(self._cos_phi * math.sin(delta))))
            else:
                best = self.to(box.lat_lo if foot < box.lat_lo else box.lat_hi, edge_lng)
        else:
            best = min(self.to(box.lat_lo, edge_lng), self.to(box.lat_hi, edge_lng))
        return max(0.0, best - _SLACK_KM)

    def min_to_children(self, cell: str) -> tuple[float, ...]:
        """:meth:`min_to` of each of ``cell``'s 32 children (in :func:`children`'s order), the same numbers to the
        last bit: a search weighs hundreds of children a page. The children are a grid of 8 x 4 (or 4 x 8)
        boxes, so what depends only on a column (the longitude gap, the nearest meridian edge, the foot of the
        perpendicular) or only on a latitude edge is worked out once, then each child takes the arithmetic of
        :meth:`min_to` and :meth:`to` on the bounds :func:`bounds` gives it (the same expressions of its grid
        position; ``x if x < 1.0 else 1.0`` is ``min(1.0, x)``, NaN included, and so on, without the calls)."""
        col, row = grid_position(cell)
        lng_bits, lat_bits = axis_bits(len(cell) + 1)
        lng_step = 360.0 / (1 << lng_bits)
        lat_step = 180.0 / (1 << lat_bits)
        cols, rows, in_order = _CHILD_GRID[len(cell) % 2]
        c0, r0 = col * cols, row * rows
        lat_edges = [-90.0 + (r0 + j) * lat_step for j in range(rows + 1)]
        lat, lng, phi, cos_phi = self.lat, self.lng, self._phi, self._cos_phi
        asin, sqrt, sin = math.asin, math.sqrt, math.sin
        diameter = 2 * EARTH_RADIUS_KM
        # Per latitude edge, the haversine's terms that depend on it alone (as :meth:`to` computes them).
        edge_terms: list[tuple[float, float]] = []
        for edge in lat_edges:
            p2 = math.radians(edge)
            edge_terms.append((sin((p2 - phi) / 2) ** 2, cos_phi * math.cos(p2)))
        in_column: list[float] | None = None
        grid: list[float] = []  # column after column, each from its southern row
        for i in range(cols):
            lng_lo, lng_hi = -180.0 + (c0 + i) * lng_step, -180.0 + (c0 + i + 1) * lng_step
            west, east = (lng_lo - lng) % 360.0, (lng - lng_hi) % 360.0
            gap = 0.0 if lng_lo <= lng <= lng_hi else min(west, east)
            if gap == 0.0:  # as in :meth:`min_to` (also at lng 180 beside a column starting at -180)
                if in_column is None:
                    in_column = []
                    for j in range(rows):
                        lat_lo, lat_hi = lat_edges[j], lat_edges[j + 1]
                        if lat_lo <= lat <= lat_hi:
                            in_column.append(0.0)
                        else:
                            edge = lat_lo if lat < lat_lo else lat_hi
                            in_column.append(max(0.0, math.radians(abs(lat - edge)) * EARTH_RADIUS_KM - _SLACK_KM))
                grid.extend(in_column)
                continue
            edge_lng = lng_lo if west <= east else lng_hi
            delta = math.radians(gap)
            dl_term = sin(math.radians(edge_lng - lng) / 2) ** 2
            if delta < math.pi / 2:
                foot = math.degrees(math.atan2(self._sin_phi, cos_phi * math.cos(delta)))
                at_foot = max(0.0, EARTH_RADIUS_KM * asin(min(1.0, abs(cos_phi * math.sin(delta)))) - _SLACK_KM)
                for j in range(rows):
                    if foot < lat_edges[j]:
                        a, c = edge_terms[j]
                    elif foot > lat_edges[j + 1]:
                        a, c = edge_terms[j + 1]
                    else:
                        grid.append(at_foot)
                        continue
                    h = sqrt(a + c * dl_term)
                    best = diameter * asin(h if h < 1.0 else 1.0) - _SLACK_KM
                    grid.append(best if best > 0.0 else 0.0)
            else:
                for j in range(rows):
                    a, c = edge_terms[j]
                    low = diameter * asin(min(1.0, sqrt(a + c * dl_term)))
                    a, c = edge_terms[j + 1]
                    high = diameter * asin(min(1.0, sqrt(a + c * dl_term)))
                    grid.append(max(0.0, min(low, high) - _SLACK_KM))
        found: tuple[float, ...] = in_order(grid)
        return found

    def max_to(self, box: Box) -> float:
        """An upper bound of the distance to any point of ``box`` (triangle inequality through its centre)."""
        c_lat, c_lng, spread = _centre_and_spread(box)
        bound = self.to(c_lat, c_lng) + spread + _SLACK_KM
        # Near the antipode the haversine's arcsine loses precision (up to nanometres a few km out); no distance
        # exceeds half the circumference, which is then the bound.
        return _HALF_CIRCUMFERENCE_KM if bound > _HALF_CIRCUMFERENCE_KM - 10.0 else bound


def min_distance_km(lat: float, lng: float, box: Box) -> float:
    """A lower bound (exact up to 1 micrometre) of the distance from the point to any point of ``box``."""
    return DistancesFrom(lat, lng).min_to(box)


def max_distance_km(lat: float, lng: float, box: Box) -> float:
    """An upper bound of the distance from the point to any point of ``box`` (triangle inequality)."""
    return DistancesFrom(lat, lng).max_to(box)


# ---- covering a disc -------------------------------------------------------------------------------------


def disc_box(lat: float, lng: float, radius_km: float) -> list[Box]:
    """Latitude/longitude boxes (one, or two across the antimeridian) that contain the disc."""
    angle = radius_km / EARTH_RADIUS_KM
    lat_lo = max(-90.0, lat - math.degrees(angle))
    lat_hi = min(90.0, lat + math.degrees(angle))
    if lat_lo <= -90.0 or lat_hi >= 90.0 or angle >= math.pi / 2:
        return [Box(lat_lo, lat_hi, -180.0, 180.0)]
    ratio = math.sin(angle) / math.cos(math.radians(lat))
    if ratio >= 1.0:
        return [Box(lat_lo, lat_hi, -180.0, 180.0)]
    half = math.degrees(math.asin(ratio))
    lo, hi = lng - half, lng + half
    if lo < -180.0:
        return [Box(lat_lo, lat_hi, lo + 360.0, 180.0), Box(lat_lo, lat_hi, -180.0, hi)]
    if hi > 180.0:
        return [Box(lat_lo, lat_hi, lo, 180.0), Box(lat_lo, lat_hi, -180.0, hi - 360.0)]
    return [Box(lat_lo, lat_hi, lo, hi)]


def cover(lat: float, lng: float, radius_km: float, precision: int) -> list[str]:
    """Every cell of ``precision`` that the disc touches (sorted, so in key order)."""
    lng_bits, lat_bits = axis_bits(precision)
    cols, rows = 1 << lng_bits, 1 << lat_bits
    found: set[str] = set()
    for box in disc_box(lat, lng, radius_km):
        c0 = min(cols - 1, max(0, math.floor((box.lng_lo + 180.0) / 360.0 * cols)))
        c1 = min(cols - 1, max(0, math.floor((box.lng_hi + 180.0) / 360.0 * cols)))
        r0 = min(rows - 1, max(0, math.floor((box.lat_lo + 90.0) / 180.0 * rows)))
        r1 = min(rows - 1, max(0, math.floor((box.lat_hi + 90.0) / 180.0 * rows)))
        for col in range(c0, c1 + 1):
            for row in range(r0, r1 + 1):
                cell = cell_at(col, row, precision)
                if min_distance_km(lat, lng, bounds(cell)) <= radius_km:
                    found.add(cell)
    return sorted(found)


#: Freelancers in these availabilities are in the freelancer geo index; "unavailable" ones leave it.
FREELANCER_INDEXED = frozenset({"available", "busy"})


def freelancer_entry(user: User) -> GeoEntry | None:
    """A freelancer's entry in the freelancer geo index, or None when the profile does not belong there."""
    profile = user.freelancer_profile
    if profile is None or not user.has_role("freelancer") or profile.availability not in FREELANCER_INDEXED:
        return None
    return GeoEntry(id=user.id, lat=profile.location.lat, lng=profile.location.lng,
                    skills=frozenset(s.name.lower() for s in profile.skills),
                    amount_min=profile.hourly_rate_amount, amount_max=profile.hourly_rate_amount,
                    currency=profile.hourly_rate_currency, availability=profile.availability,
                    reach_km=profile.service_radius_km)
