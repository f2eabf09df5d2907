"""Geo math and the geohash index layout: pure functions, no I/O.

Locations are indexed by their 12-character geohash (a Z-order key: sorting geohash strings sorts cells
along the Z curve, so a cell is one contiguous key range and so is any run of neighbouring cells).

Distances are great-circle (haversine) kilometres on a sphere of the mean Earth radius. Cells are
latitude/longitude rectangles; :func:`min_distance_km` and :func:`max_distance_km` bound the distance from a
point to any point of a cell (a hair loose, never tight the wrong way), which is what the nearest-first
search needs for its stop rule.

The index is split into partitions (one DynamoDB partition key each). A :class:`PartitionLayout` says where:
every 3-character cell (about 156 x 156 km at the equator) is a partition, and dense ones are cut further
at *split keys*, each partition then holding one contiguous run of keys (see docs/geo.md).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from gigcore.domain import coords
from gigcore.domain.users import User

EARTH_RADIUS_KM = 6371.0088
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(BASE32)}
KEY_PRECISION = 12
PARTITION_PRECISION = 3
#: Added to distance bounds so that float rounding never makes a bound tight the wrong way (1 micrometre).
_SLACK_KM = 1e-9
_HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM
_BITS = 30  # per axis at precision 12 (60 bits)
#: Sorts after every character of a key (base32, "#", ULID characters).
KEY_END = "~"


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


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle in degrees: ``lat_lo <= lat < lat_hi``, ``lng_lo <= lng < lng_hi``."""

    lat_lo: float
    lat_hi: float
    lng_lo: float
    lng_hi: float


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


def area_km2(box: Box) -> float:
    """Area of a latitude/longitude rectangle on the sphere."""
    width = math.radians(box.lng_hi - box.lng_lo)
    return EARTH_RADIUS_KM**2 * width * (math.sin(math.radians(box.lat_hi)) - math.sin(math.radians(box.lat_lo)))


# ---- geohash ---------------------------------------------------------------------------------------------


def _axis_bits(precision: int) -> tuple[int, int]:
    """(longitude bits, latitude bits) of a geohash of ``precision`` characters."""
    total = 5 * precision
    return (total + 1) // 2, total // 2


def _quantise(value: float, low: float, span: float) -> int:
    q = int((value - low) / span * (1 << _BITS))
    return min(max(q, 0), (1 << _BITS) - 1)


def _interleave(col: int, row: int, precision: int) -> str:
    """The geohash of the cell at column ``col`` and row ``row`` of the grid of ``precision``."""
    lng_bits, lat_bits = _axis_bits(precision)
    value = 0
    li, ai = lng_bits - 1, lat_bits - 1
    for bit in range(5 * precision):
        if bit % 2 == 0:
            value = (value << 1) | ((col >> li) & 1)
            li -= 1
        else:
            value = (value << 1) | ((row >> ai) & 1)
            ai -= 1
    chars = []
    for shift in range(5 * (precision - 1), -1, -5):
        chars.append(BASE32[(value >> shift) & 31])
    return "".join(chars)


def encode(lat: float, lng: float, precision: int = KEY_PRECISION) -> str:
    """The geohash of a point (``precision`` characters, 1..12)."""
    if not 1 <= precision <= KEY_PRECISION:
        raise ValueError("precision must be within 1..12")
    col = _quantise(lng, -180.0, 360.0)
    row = _quantise(lat, -90.0, 180.0)
    lng_bits, lat_bits = _axis_bits(precision)
    return _interleave(col >> (_BITS - lng_bits), row >> (_BITS - lat_bits), precision)


@lru_cache(maxsize=65536)
def grid_position(cell: str) -> tuple[int, int]:
    """(column, row) of ``cell`` in the grid of its precision."""
    col = row = 0
    bit = 0
    for char in cell:
        value = _INDEX[char]
        for shift in range(4, -1, -1):
            if bit % 2 == 0:
                col = (col << 1) | ((value >> shift) & 1)
            else:
                row = (row << 1) | ((value >> shift) & 1)
            bit += 1
    return col, row


@lru_cache(maxsize=65536)
def bounds(cell: str) -> Box:
    """The rectangle of a geohash cell."""
    col, row = grid_position(cell)
    lng_bits, lat_bits = _axis_bits(len(cell))
    lng_step = 360.0 / (1 << lng_bits)
    lat_step = 180.0 / (1 << lat_bits)
    return Box(lat_lo=-90.0 + row * lat_step, lat_hi=-90.0 + (row + 1) * lat_step,
               lng_lo=-180.0 + col * lng_step, lng_hi=-180.0 + (col + 1) * lng_step)


def children(cell: str) -> list[str]:
    return [cell + char for char in BASE32]


def is_cell(text: str) -> bool:
    return 0 < len(text) <= KEY_PRECISION and all(char in _INDEX for char in text)


def cell_area_km2(cell: str) -> float:
    return area_km2(bounds(cell))


def successor(prefix: str) -> str | None:
    """The smallest key prefix after every key starting with ``prefix`` (None past the last cell)."""
    chars = list(prefix)
    while chars:
        i = _INDEX[chars[-1]]
        if i < 31:
            chars[-1] = BASE32[i + 1]
            return "".join(chars)
        chars.pop()
    return None


def inclusive_upper(exclusive: str | None) -> str:
    """The largest key bound below ``exclusive`` for a ``BETWEEN`` condition (keys are geohash + ``#id``)."""
    if exclusive is None:
        return KEY_END
    chars = list(exclusive)
    while chars:
        i = _INDEX[chars[-1]]
        if i > 0:
            chars[-1] = BASE32[i - 1]
            return "".join(chars) + KEY_END
        chars.pop()
    return ""  # nothing sorts below "0..."


def cells_between(lo: str, hi: str | None) -> list[str]:
    """The fewest geohash cells whose key ranges exactly tile ``[lo, hi)`` (``hi`` None: to the end)."""
    out: list[str] = []

    def walk(cell: str) -> None:
        end = successor(cell)
        if (end is not None and end <= lo) or (hi is not None and cell >= hi):
            return
        if cell >= lo and (hi is None or (end is not None and end <= hi)):
            out.append(cell)
            return
        if len(cell) < KEY_PRECISION:
            for child in children(cell):
                walk(child)

    for top in BASE32:
        walk(top)
    return out


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
    lng_bits, lat_bits = _axis_bits(precision)
    cols, rows = 1 << lng_bits, 1 << lat_bits
    found: set[str] = set()
    for box in disc_box(lat, lng, radius_km):
        c0 = min(cols - 1, max(0, math.floor((box.lng_lo + 180.0) / 360.0 * cols)))
        c1 = min(cols - 1, max(0, math.floor((box.lng_hi + 180.0) / 360.0 * cols)))
        r0 = min(rows - 1, max(0, math.floor((box.lat_lo + 90.0) / 180.0 * rows)))
        r1 = min(rows - 1, max(0, math.floor((box.lat_hi + 90.0) / 180.0 * rows)))
        for col in range(c0, c1 + 1):
            for row in range(r0, r1 + 1):
                cell = _interleave(col, row, precision)
                if min_distance_km(lat, lng, bounds(cell)) <= radius_km:
                    found.add(cell)
    return sorted(found)


# ---- the partition layout --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    """One partition key of the index: the keys ``[start, end)``; ``end`` None means the end of its top cell."""

    name: str
    start: str
    end: str | None


@dataclass(frozen=True)
class PartitionLayout:
    """Where each key lives. Every 3-character cell is a partition unless split further at ``splits``.

    ``histogram`` counts entries per cell as last measured (see :func:`density_histogram`): the search
    planner's prior of how many entries a cell holds. Where it knows nothing, ``default_density`` (entries
    per km2) stands in.
    """

    splits: tuple[str, ...] = ()
    histogram: Mapping[str, int] = field(default_factory=dict)
    version: int = 0
    default_density: float = 1.0

    def __post_init__(self) -> None:
        for split in self.splits:
            if not is_cell(split) or len(split) <= PARTITION_PRECISION:
                raise ValueError(f"split key {split!r} must be a geohash longer than {PARTITION_PRECISION}")
        if list(self.splits) != sorted(set(self.splits)):
            raise ValueError("split keys must be sorted and distinct")

    def partition_of(self, key: str) -> Partition:
        """The partition holding ``key`` (a geohash, or any key starting with one)."""
        top = key[:PARTITION_PRECISION]
        i = bisect.bisect_right(self.splits, key) - 1
        start = self.splits[i] if i >= 0 and self.splits[i].startswith(top) else top
        j = bisect.bisect_right(self.splits, key)
        end_of_top = successor(top)
        end = self.splits[j] if j < len(self.splits) and self.splits[j].startswith(top) else end_of_top
        return Partition(name=start, start=start, end=end)

    def pieces(self, lo: str, hi: str | None) -> Iterator[tuple[Partition, str, str | None]]:
        """``[lo, hi)`` cut at partition boundaries: (partition, piece start, piece end)."""
        at = lo
        while True:
            part = self.partition_of(at)
            if part.end is None:
                end = hi
            elif hi is None:
                end = part.end
            else:
                end = min(hi, part.end)
            yield part, at, end
            if end is None or (hi is not None and end >= hi):
                return
            at = end

    @cached_property
    def _refined(self) -> frozenset[str]:
        """Histogram cells whose children were measured too."""
        return frozenset(cell[:-1] for cell in self.histogram if len(cell) > PARTITION_PRECISION)

    def expected(self, cell: str) -> float:
        """Entries expected in ``cell`` from the histogram (area-weighted from the finest cell measured)."""
        if not self.histogram:
            return self.default_density * cell_area_km2(cell)
        for length in range(len(cell), 0, -1):
            prefix = cell[:length]
            count = self.histogram.get(prefix)
            if count is not None:
                if length == len(cell):
                    return float(count)
                # Measured at a coarser cell: spread it evenly, unless that cell was refined, in which case
                # a child missing from the histogram was empty.
                if prefix in self._refined:
                    return 0.05 * cell_area_km2(cell) / cell_area_km2(prefix) * max(count, 1)
                return count * cell_area_km2(cell) / cell_area_km2(prefix)
        return 0.05 * self.default_density * cell_area_km2(cell)

    def density_near(self, key: str) -> float:
        """Entries per km2 around ``key``, at the finest cell the histogram measured there."""
        for length in range(min(len(key), KEY_PRECISION), PARTITION_PRECISION - 1, -1):
            count = self.histogram.get(key[:length])
            if count is not None:
                return max(count, 0.5) / cell_area_km2(key[:length])
        return self.default_density


@lru_cache(maxsize=4096)
def _interval_area(lo: str, hi: str | None) -> float:
    return sum(cell_area_km2(cell) for cell in cells_between(lo, hi)) or 1e-9


def interval_area_km2(lo: str, hi: str | None) -> float:
    """Area covered by the keys ``[lo, hi)``."""
    return _interval_area(lo, hi)


def plan_splits(keys: Iterable[str], target: int) -> tuple[str, ...]:
    """Split keys so that no partition holds more than about ``target`` entries.

    ``keys`` are the entries' geohashes. Each 3-character cell with more than ``target`` entries is cut into
    equal runs of keys at the shortest geohash prefix that separates neighbours, so a partition is a
    contiguous Z-order run: dense cities get small partitions, empty country stays in one. Entries at one
    identical geohash are never separated.
    """
    by_top: dict[str, list[str]] = {}
    for key in keys:
        by_top.setdefault(key[:PARTITION_PRECISION], []).append(key[:KEY_PRECISION])
    splits: list[str] = []
    for top, members in sorted(by_top.items()):
        pieces = math.ceil(len(members) / target)
        if pieces <= 1:
            continue
        members.sort()
        step = len(members) / pieces
        last = top
        for p in range(1, pieces):
            i = int(round(p * step))
            while 0 < i < len(members) and members[i] == members[i - 1]:
                i += 1
            if i >= len(members):
                break
            prev, cur = members[i - 1], members[i]
            common = 0
            while common < len(cur) and common < len(prev) and cur[common] == prev[common]:
                common += 1
            split = cur[: max(common + 1, PARTITION_PRECISION + 1)]
            if split > last and split > prev:
                splits.append(split)
                last = split
    return tuple(splits)


def density_histogram(keys: Iterable[str], *, refine_above: int = 256, max_precision: int = 8) -> dict[str, int]:
    """Entries per cell: every non-empty 3-character cell, and the children of any cell holding more than
    ``refine_above`` entries, down to ``max_precision``. A few hundred numbers describe where a city is."""
    histogram: dict[str, int] = {}

    def count(members: list[str], length: int) -> None:
        groups: dict[str, list[str]] = {}
        for key in members:
            groups.setdefault(key[:length], []).append(key)
        for cell, inside in groups.items():
            histogram[cell] = len(inside)
            if len(inside) > refine_above and length < max_precision:
                count(inside, length + 1)

    count([key[:max_precision] for key in keys], PARTITION_PRECISION)
    return histogram


def partition_counts(layout: PartitionLayout, keys: Iterable[str]) -> dict[str, int]:
    """How many of ``keys`` each partition of ``layout`` holds."""
    counts: dict[str, int] = {}
    for key in keys:
        name = layout.partition_of(key).name
        counts[name] = counts.get(name, 0) + 1
    return counts


def compact_cells(cells: Sequence[str]) -> list[str]:
    """Cells written compactly for a cursor: siblings share their parent (``"s0bq:" + 32-bit mask``)."""
    groups: dict[str, int] = {}
    for cell in cells:
        groups[cell[:-1]] = groups.get(cell[:-1], 0) | (1 << _INDEX[cell[-1]])
    return [f"{parent}:{mask:x}" for parent, mask in sorted(groups.items())]


def expand_cells(compact: Sequence[str]) -> list[str]:
    """The inverse of :func:`compact_cells`; raises ValueError on anything malformed."""
    cells: list[str] = []
    for group in compact:
        parent, _, mask_text = group.partition(":")
        mask = int(mask_text, 16)
        if (parent and not is_cell(parent)) or len(parent) >= KEY_PRECISION or not 0 < mask < (1 << 32):
            raise ValueError("malformed cell group")
        cells.extend(parent + BASE32[i] for i in range(32) if mask >> i & 1)
    return cells


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
