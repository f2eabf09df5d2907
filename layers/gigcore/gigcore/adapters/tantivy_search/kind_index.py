"""One kind's index (gigs or freelancers): its files, its queries and a search that reads one page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import tantivy

from gigcore.adapters.tantivy_search.queries import Clauses, Occur, QueryBuilder, filtering
from gigcore.adapters.tantivy_search.ranking import PageReader
from gigcore.adapters.tantivy_search.rows import Order, stored_id
from gigcore.adapters.tantivy_search.schema import GONE, IndexKind, analyzer, fast_field_type, typed_value
from gigcore.adapters.tantivy_search.store import IndexStore
from gigcore.ports.search import GeoPoint, SearchHit, SearchPage


class KindIndex:
    """The index of one kind of document under ``path``: writes go to its store, searches read one page."""

    def __init__(self, kind: IndexKind, path: str, *, heap_bytes: int, threads: int,
                 lock_wait_seconds: float) -> None:
        self.kind = kind
        self.schema = kind.schema
        text_analyzer = analyzer()
        self.store = IndexStore(kind, path, text_analyzer, heap_bytes=heap_bytes, threads=threads,
                                lock_wait_seconds=lock_wait_seconds)
        self.queries = QueryBuilder(kind, text_analyzer)
        self._pages = PageReader(self.queries)

    def put(self, docs: Sequence[tuple[str, int, dict[str, Any] | None]]) -> int:
        return self.store.put(docs)

    def clear(self) -> None:
        self.store.clear()

    def search(self, text: tantivy.Query | None, filters: list[tantivy.Query], order: Order,
               point: GeoPoint | None, radius_km: float | None, limit: int,
               after: Mapping[str, Any] | None, excluded: Sequence[tantivy.Query] = ()) -> SearchPage:
        """One page of the documents matching ``text`` and every one of ``filters`` but none of ``excluded``."""
        searcher = self.store.searcher()
        # Every document is open or a tombstone: leaving the (few) tombstones out is cheaper than intersecting
        # with every open document (the same for ``excluded``: gigs past their deadline).
        must = [(Occur.MustNot, self.queries.term("state", GONE)), *[(Occur.MustNot, q) for q in excluded],
                *[(Occur.Must, filtering(f)) for f in filters]]
        scored = text if text is not None else tantivy.Query.const_score_query(tantivy.Query.all_query(), 1.0)
        query_parts: Clauses = [(Occur.Must, scored), *must]
        cursor = (float(after["v"]), str(after["id"])) if after else None
        if order.by == "distance":
            if point is None or radius_km is None:
                raise ValueError("a distance order needs a point and a radius")
            rows, total = self._pages.nearest(searcher, query_parts, point, radius_km, limit, cursor)
        else:
            if point is not None and radius_km is not None:
                query_parts.append((Occur.Must, filtering(self.queries.near(point, radius_km))))
            if order.by == "field" and cursor is not None:
                # Deep pages stay cheap: only what is not above the cursor's value is read.
                bound = self.queries.range(order.field, fast_field_type(order.field), None,
                                           typed_value(order.field, cursor[0]))
                query_parts.append((Occur.Must, filtering(bound)))
            rows, total = self._pages.ranked(searcher, query_parts, order, point, radius_km, limit, cursor)
        page = rows[:limit]
        hits = [SearchHit(id=r.id, score=r.value if order.by == "score" else 0.0, distance_km=r.distance)
                for r in page]
        if order.by != "score":
            hits = self._with_scores(searcher, query_parts, hits)
        next_after = {"v": page[-1].value, "id": page[-1].id} if len(rows) > limit else None
        return SearchPage(hits=hits, after=next_after, total=total)

    def _with_scores(self, searcher: tantivy.Searcher, parts: Clauses, hits: list[SearchHit]) -> list[SearchHit]:
        """The text score of each hit of a page ranked by something else (it is part of every item)."""
        if not hits:
            return hits
        ids = filtering(self.queries.terms("id", [h.id for h in hits]))
        scored = searcher.search(tantivy.Query.boolean_query([parts[0], (Occur.Must, ids)]), len(hits) * 2,
                                 count=False).hits
        scores = {stored_id(searcher, a): float(s) for s, a in scored}
        return [SearchHit(id=h.id, score=scores.get(h.id, 0.0), distance_km=h.distance_km) for h in hits]
