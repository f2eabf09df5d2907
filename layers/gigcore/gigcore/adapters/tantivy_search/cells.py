"""Latitude/longitude grid cells: how a document's place is indexed and how a radius filter finds it."""

from __future__ import annotations

import math

from gigcore.domain import geo
from gigcore.ports.search import GeoPoint

#: A document is indexed in the latitude/longitude grid cells holding its point, one per grid: sides of 1,
#: 0.1 and 0.01 degrees (111, 11 and 1.1 km north-south).
CELL_DEGREES = (1.0, 0.1, 0.01)
#: A radius filter is the finest grid's cells that cover the disc's box, if they are at most this many (a
#: cover of ~100 cells costs little more to search than one of a few); a wider disc is two range filters.
MAX_CELLS = 128


def cells_of(point: GeoPoint) -> list[str]:
    """The cells holding ``point``, one per grid (named ``grid:row:column``)."""
    lat, lng = point.lat, point.lng
    return [f"{grid}:{math.floor(lat / side)}:{math.floor(lng / side)}" for grid, side in enumerate(CELL_DEGREES)]


def cells_near(point: GeoPoint, radius_km: float) -> list[str] | None:
    """The cells of the finest grid that cover the disc's box(es) in at most :data:`MAX_CELLS`, or None.

    A point inside the box lies in one of them: the cell of a coordinate is its floor on the grid, and floor
    keeps the order of ``lat_lo <= lat <= lat_hi`` (the same for longitudes).
    """
    boxes = geo.disc_box(point.lat, point.lng, radius_km)
    cover: list[str] | None = None
    for grid, side in enumerate(CELL_DEGREES):
        spans = [(range(math.floor(b.lat_lo / side), math.floor(b.lat_hi / side) + 1),
                  range(math.floor(b.lng_lo / side), math.floor(b.lng_hi / side) + 1)) for b in boxes]
        if sum(len(rows) * len(cols) for rows, cols in spans) > MAX_CELLS:
            break
        cover = sorted({f"{grid}:{row}:{col}" for rows, cols in spans for row in rows for col in cols})
    return cover
