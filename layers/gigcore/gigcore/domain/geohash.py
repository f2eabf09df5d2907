"""Geohash cells: the Z-order keys of the geo index, and the latitude/longitude rectangles they stand for.

A geohash of ``n`` characters names a cell of a grid of ``5n`` bits, longitude and latitude bits interleaved;
sorting geohash strings sorts cells along the Z curve, so a cell is one contiguous key range and so is any run
of neighbouring cells. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

EARTH_RADIUS_KM = 6371.0088
BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_INDEX = {char: i for i, char in enumerate(BASE32)}
KEY_PRECISION = 12
PARTITION_PRECISION = 3
_BITS = 30  # per axis at precision 12 (60 bits)
#: Sorts after every character of a key (base32, "#", ULID characters).
KEY_END = "~"


@dataclass(frozen=True)
class Box:
    """A latitude/longitude rectangle in degrees: ``lat_lo <= lat < lat_hi``, ``lng_lo <= lng < lng_hi``."""

    lat_lo: float
    lat_hi: float
    lng_lo: float
    lng_hi: float



def area_km2(box: Box) -> float:
    """Area of a latitude/longitude rectangle on the sphere."""
    width = math.radians(box.lng_hi - box.lng_lo)
    return EARTH_RADIUS_KM**2 * width * (math.sin(math.radians(box.lat_hi)) - math.sin(math.radians(box.lat_lo)))


def axis_bits(precision: int) -> tuple[int, int]:
    """(longitude bits, latitude bits) of a geohash of ``precision`` characters."""
    total = 5 * precision
    return (total + 1) // 2, total // 2


def _quantise(value: float, low: float, span: float) -> int:
    q = int((value - low) / span * (1 << _BITS))
    return min(max(q, 0), (1 << _BITS) - 1)


def cell_at(col: int, row: int, precision: int) -> str:
    """The geohash of the cell at column ``col`` and row ``row`` of the grid of ``precision``."""
    lng_bits, lat_bits = axis_bits(precision)
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
    lng_bits, lat_bits = axis_bits(precision)
    return cell_at(col >> (_BITS - lng_bits), row >> (_BITS - lat_bits), precision)


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
    lng_bits, lat_bits = axis_bits(len(cell))
    lng_step = 360.0 / (1 << lng_bits)
    lat_step = 180.0 / (1 << lat_bits)
    return Box(lat_lo=-90.0 + row * lat_step, lat_hi=-90.0 + (row + 1) * lat_step,
               lng_lo=-180.0 + col * lng_step, lng_hi=-180.0 + (col + 1) * lng_step)


def children(cell: str) -> list[str]:
    return [cell + char for char in BASE32]


def is_cell(text: str) -> bool:
    return 0 < len(text) <= KEY_PRECISION and all(char in _INDEX for char in text)


@lru_cache(maxsize=65536)
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


# ---- the key order of geohash prefixes (range bounds of a partition's sort key) -------------------------------


def key_point(key: str) -> str:
    """Where the range bound ``key`` (a geohash prefix) stands in the key order, as a full-length key."""
    return key[:KEY_PRECISION].ljust(KEY_PRECISION, "0")


def same_key_point(a: str, b: str) -> bool:
    """True when the range bounds ``a`` and ``b`` denote the same point of the key order."""
    return a == b or key_point(a) == key_point(b)


def key_at_or_before(a: str, b: str) -> bool:
    """True when the range bound ``a`` comes at or before ``b`` in the key order."""
    return key_point(a) <= key_point(b)
