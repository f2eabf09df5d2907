"""The :class:`~gigcore.ports.search.SearchIndex` on tantivy: the port's searches as filters and an order."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import tantivy

from gigcore.adapters.tantivy_search.documents import freelancer_fields, gig_fields
from gigcore.adapters.tantivy_search.kind_index import KindIndex
from gigcore.adapters.tantivy_search.rows import Order
from gigcore.adapters.tantivy_search.schema import FREELANCERS, GIGS
from gigcore.ports.search import FreelancerDoc, FreelancerSearch, GeoPoint, GigDoc, GigSearch, Kind, SearchPage


class TantivySearchIndex:
    """:class:`~gigcore.ports.search.SearchIndex` on tantivy, persisted under ``path``."""

    def __init__(self, path: str, *, heap_bytes: int = 32_000_000, threads: int = 1,
                 lock_wait_seconds: float = 10.0) -> None:
        self._indexes = {kind.name: KindIndex(kind, os.path.join(path, kind.name), heap_bytes=heap_bytes,
                                              threads=threads, lock_wait_seconds=lock_wait_seconds)
                         for kind in (GIGS, FREELANCERS)}

    @property
    def gigs(self) -> KindIndex:
        return self._indexes["gigs"]

    @property
    def freelancers(self) -> KindIndex:
        return self._indexes["freelancers"]

    def put_gigs(self, docs: Sequence[GigDoc]) -> int:
        return self.gigs.put([(d.id, d.version, gig_fields(d)) for d in docs])

    def put_freelancers(self, docs: Sequence[FreelancerDoc]) -> int:
        return self.freelancers.put([(d.id, d.version, freelancer_fields(d)) for d in docs])

    def clear(self, kind: Kind) -> None:
        self._indexes[kind].clear()

    def search_gigs(self, query: GigSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        index = self.gigs
        queries = index.queries
        ints = tantivy.FieldType.Integer
        filters: list[tantivy.Query] = []
        if query.category:
            filters.append(queries.term("category", query.category.lower()))
        if query.skills:
            filters.append(queries.terms("skill", sorted(query.skills)))
        if query.budget_min is not None:
            filters.append(queries.range("budget_max", ints, lo=query.budget_min))
        if query.budget_max is not None:
            filters.append(queries.range("budget_min", ints, hi=query.budget_max))
        if query.currency:
            filters.append(queries.term("currency", query.currency))
        # Gigs past their deadline are left out (a gig without one has NO_DEADLINE, never excluded). Excluding
        # them costs less than a filter keeping the others (``deadline > now``), docs/search.md.
        past = [queries.range("deadline", ints, hi=query.now_ms)] if query.now_ms is not None else []
        text = queries.text(query.text)
        return index.search(text, filters, page_order(query.sort, text is not None, query.point, "created"),
                            query.point, query.radius_km, query.limit, after, excluded=past)

    def search_freelancers(self, query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        index = self.freelancers
        queries = index.queries
        filters: list[tantivy.Query] = [queries.term("skill", s) for s in sorted(query.skills)]
        if query.max_rate is not None:
            filters.append(queries.range("rate", tantivy.FieldType.Integer, hi=query.max_rate))
        if query.currency:
            filters.append(queries.term("currency", query.currency))
        if query.availability:
            filters.append(queries.term("availability", query.availability))
        text = queries.text(query.text)
        return index.search(text, filters, page_order(query.sort, text is not None, query.point, "rating"),
                            query.point, query.radius_km, query.limit, after)


def page_order(sort: str, has_text: bool, point: GeoPoint | None, field_sort: str) -> Order:
    """Relevance without text has nothing to rank by: nearest first with a point, else the field order."""
    if sort == "distance" or (sort == "relevance" and not has_text and point is not None):
        return Order("distance")
    if sort == "relevance" and has_text:
        return Order("score")
    return Order("field", field_sort)
