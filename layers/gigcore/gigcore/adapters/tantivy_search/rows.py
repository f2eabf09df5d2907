"""Candidate rows of a search, and what is read of them column-wise (fast fields) or from stored documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import tantivy

from gigcore.adapters.tantivy_search.id_keys import id_key, id_key_halves
from gigcore.domain import geo
from gigcore.ports.search import GeoPoint

#: Where a page starts: after the row of this sort value and id.
Cursor = tuple[float, str]
#: What a tantivy search returns: (score or sort value, address) pairs.
Hits = Sequence[tuple[Any, tantivy.DocAddress]]


@dataclass(frozen=True)
class Order:
    """How hits are ranked: by score, by a fast field (descending), or by distance from a point (ascending)."""

    by: Literal["score", "field", "distance"]
    field: str = ""


@dataclass
class Row:
    """One row of a page: its sort value, its distance (radius searches) and its id."""

    value: float
    distance: float | None
    id: str


@dataclass
class Rows:
    """Candidate rows as columns, sorted by ``order`` (the sort value, negated when the sort is descending)."""

    order: list[float]
    values: list[float]
    addresses: list[tantivy.DocAddress]
    distances: list[float] | None

    def __len__(self) -> int:
        return len(self.addresses)

    def part(self, start: int, end: int) -> Rows:
        return Rows(self.order[start:end], self.values[start:end], self.addresses[start:end],
                    None if self.distances is None else self.distances[start:end])

    def pick(self, indices: list[int]) -> Rows:
        return Rows([self.order[i] for i in indices], [self.values[i] for i in indices],
                    [self.addresses[i] for i in indices],
                    None if self.distances is None else [self.distances[i] for i in indices])

    def join(self, other: Rows) -> Rows:
        """These rows, then ``other``'s (which sort after them)."""
        distances = None if self.distances is None or other.distances is None else self.distances + other.distances
        return Rows(self.order + other.order, self.values + other.values, self.addresses + other.addresses,
                    distances)


def hits_as_rows(hits: Hits, descending: bool, value: float | None = None) -> Rows:
    """Hits as rows (``value``: the one value they all have, if known)."""
    addresses = [a for _, a in hits]
    values = [float(v) for v, _ in hits] if value is None else [value] * len(addresses)
    return Rows([-v for v in values] if descending else values, values, addresses, None)


def stored_id(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
    return str(searcher.doc(address).get_first("id"))


def id_keys_of(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]) -> tuple[list[int], list[int]]:
    """The id keys (:func:`~.id_keys.id_key`, high and low halves) of ``addresses``, read column-wise."""
    his = searcher.fast_field_values("id_hi", addresses)
    los = searcher.fast_field_values("id_lo", addresses)
    if None in his or None in los:  # not written by this schema (cannot happen past the schema version check)
        for i, address in enumerate(addresses):
            if his[i] is None or los[i] is None:
                his[i], los[i] = id_key_halves(id_key(stored_id(searcher, address)))
    return cast(list[int], his), cast(list[int], los)


def distances_of(searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress], point: GeoPoint) -> list[float]:
    """The exact (haversine) distances of ``addresses`` from ``point``, in km."""
    lats = searcher.fast_field_values("lat", addresses)
    lngs = searcher.fast_field_values("lng", addresses)
    return [geo.haversine_km(point.lat, point.lng, float(lat or 0.0), float(lng or 0.0))
            for lat, lng in zip(lats, lngs, strict=True)]
