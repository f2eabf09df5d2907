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
from dataclasses import dataclass

from gigcore.domain import coords
from gigcore.domain.geo_partitions import (
    Partition,
    PartitionLayout,
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
    successor,
)
from gigcore.domain.users import User

__all__ = [
    "BASE32", "EARTH_RADIUS_KM", "FREELANCER_INDEXED", "KEY_END", "KEY_PRECISION", "PARTITION_PRECISION", "Box",
    "GeoEntry", "Partition", "PartitionLayout", "area_km2", "bounds", "cell_area_km2", "cells_between",
    "children", "compact_cells", "cover", "density_histogram", "disc_box", "encode", "expand_cells",
    "freelancer_entry", "grid_position", "haversine_km", "inclusive_upper", "interval_area_km2", "is_cell",
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

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat", coords.quantise(self.lat))
        object.__setattr__(self, "lng", coords.quantise(self.lng))
        if self.reach_km is not None:
            object.__setattr__(self, "reach_km", round(float(self.reach_km), 3) + 0.0)

    @property
    def key(self) -> str:
        """The item's sort key: its geohash, then its id (identical locations stay distinct, ordered by id)."""
        return encode(self.lat, self.lng) + "#" + self.id



# ---- distances -------------------------------------------------------------------------------------------


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in km. The one distance function: ordering and filtering both use it."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _lng_gap_degrees(lng: float, lo: float, hi: float) -> float:
    """How far (degrees, 0..180) ``lng`` lies outside the longitude interval ``[lo, hi]``, across the antimeridian."""
    if lo <= lng <= hi:
        return 0.0
    return min((lo - lng) % 360.0, (lng - hi) % 360.0)


def min_distance_km(lat: float, lng: float, box: Box) -> float:
    """A lower bound (exact up to 1 micrometre) of the distance from the point to any point of ``box``."""
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
        # distance grows with the arc from the foot (cos d = cos a * cos s), so the edge's nearest point is the
        # foot when the edge holds it, else the edge's end nearer to it: one distance, not two.
        phi = math.radians(lat)
        foot = math.degrees(math.atan2(math.sin(phi), math.cos(phi) * math.cos(delta)))
        if box.lat_lo <= foot <= box.lat_hi:
            best = EARTH_RADIUS_KM * math.asin(min(1.0, abs(math.cos(phi) * math.sin(delta))))
        else:
            best = haversine_km(lat, lng, box.lat_lo if foot < box.lat_lo else box.lat_hi, edge_lng)
    else:
        best = min(haversine_km(lat, lng, box.lat_lo, edge_lng), haversine_km(lat, lng, box.lat_hi, edge_lng))
    return max(0.0, best - _SLACK_KM)


def max_distance_km(lat: float, lng: float, box: Box) -> float:
    """An upper bound of the distance from the point to any point of ``box`` (triangle inequality)."""
    c_lat = (box.lat_lo + box.lat_hi) / 2
    c_lng = (box.lng_lo + box.lng_hi) / 2
    spread = max(haversine_km(c_lat, c_lng, la, ln)
                 for la in (box.lat_lo, box.lat_hi) for ln in (box.lng_lo, box.lng_hi))
    bound = haversine_km(lat, lng, c_lat, c_lng) + spread + _SLACK_KM
    # Near the antipode the haversine's arcsine loses precision (up to nanometres a few km out); no distance
    # exceeds half the circumference, which is then the bound.
    return _HALF_CIRCUMFERENCE_KM if bound > _HALF_CIRCUMFERENCE_KM - 10.0 else bound



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
