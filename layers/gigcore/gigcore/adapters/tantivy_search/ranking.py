"""Reading a page of matches: ranked by score or a field (value descending), or nearest first.

tantivy returns the top ``k`` by value, equal values in no useful order; the reads here make sure that every
row that can be on the page is in hand before :func:`~.ordering.first_rows` puts it in (value, id) order.
"""

from __future__ import annotations

import bisect
import heapq
from typing import Any

import tantivy

from gigcore.adapters.tantivy_search.id_keys import id_key
from gigcore.adapters.tantivy_search.ordering import after_cursor, candidates, first_rows
from gigcore.adapters.tantivy_search.queries import Clauses, Occur, QueryBuilder, filtering
from gigcore.adapters.tantivy_search.rows import Cursor, Hits, Order, Row, Rows, distances_of, id_keys_of
from gigcore.ports.search import GeoPoint

#: How many rows the first read of a ranked search takes: enough, mostly, that a page's edge is settled at once.
FIRST_READ = 1024


def _distance_of(row: tuple[float, tantivy.DocAddress]) -> float:
    return row[0]


def _negated_value(hit: tuple[Any, tantivy.DocAddress]) -> float:
    return -float(hit[0])


def top_hits(searcher: tantivy.Searcher, query: tantivy.Query, order: Order, k: int,
             count: bool) -> tantivy.SearchResult:
    """tantivy's top ``k`` by score, or by the order's field descending."""
    if order.by == "score":
        return searcher.search(query, k, count=count)
    return searcher.search(query, k, count=count, order_by_field=order.field, order=tantivy.Order.Desc)


class PageReader:
    """Reads the rows of a page from one index (it remembers a bound of the index's id keys)."""

    def __init__(self, queries: QueryBuilder) -> None:
        self._queries = queries
        self._lowest: tuple[int, int] | None = None  # (documents, lowest id key) for lowest_key

    def ranked(self, searcher: tantivy.Searcher, parts: Clauses, order: Order, point: GeoPoint | None,
               radius_km: float | None, limit: int, cursor: Cursor | None) -> tuple[list[Row], int]:
        """The first ``limit + 1`` matches after ``cursor`` in (value desc, id asc) order, and the match count.

        tantivy returns the top ``k`` by value, equal values in no useful order: every match valued above the
        k-th value is in, but of those valued the k-th value, only some. When the page ends among those,
        only matches whose id key is at most the one that ends the page among the rows read can belong to
        it, and only those are read (a range on the id's fast fields), after narrower tries (see below);
        when the page lies further on, every match is read at once.
        """
        need = limit + 1
        query = tantivy.Query.boolean_query(parts)
        k = max(need * 4, FIRST_READ)
        result = top_hits(searcher, query, order, k, count=True)
        total = int(getattr(result, "count", 0) or 0)
        rows = candidates(searcher, result.hits, point, radius_km, cursor, need)
        if len(result.hits) < k:  # every match was read
            return first_rows(searcher, rows, need), total
        floor = float(result.hits[-1][0])
        above = bisect.bisect_left(rows.order, -floor)  # the rows valued above the k-th value: all of them
        if above >= need:
            return first_rows(searcher, rows.part(0, above), need), total
        if len(rows) >= need:
            return self._ranked_at_floor(searcher, parts, order, point, radius_km, cursor, need, rows, above,
                                         floor, total)
        every = top_hits(searcher, query, order, max(total, 1), count=False).hits
        return first_rows(searcher, candidates(searcher, every, point, radius_km, cursor, need), need), total

    def _ranked_at_floor(self, searcher: tantivy.Searcher, parts: Clauses, order: Order, point: GeoPoint | None,
                         radius_km: float | None, cursor: Cursor | None, need: int, rows: Rows, above: int,
                         floor: float, total: int) -> tuple[list[Row], int]:
        """The page when it ends among the rows valued the k-th value (``floor``), of which ``rows`` holds some."""
        at_floor = rows.part(above, len(rows))
        his, los = id_keys_of(searcher, at_floor.addresses)
        hi, lo = heapq.nsmallest(need - above, zip(his, los, strict=True))[-1]
        bound = (hi << 64) | lo
        # The rows read at the k-th value are tantivy's first by document address, often one segment's,
        # whose ids may lie anywhere: the bound can be far above the page's last key. When it leaves more
        # matches than a first read takes, a 32nd, then a quarter, of the keys from the lowest document's
        # (or the cursor's) up to the bound are tried: each holds the page if enough rows of that value fall
        # in it; the bound last.
        up_to_bound = top_hits(searcher, self._narrowed(parts, bound), order, FIRST_READ, count=False)
        if len(up_to_bound.hits) < FIRST_READ:  # every match up to the bound is in hand
            tied = self._tied(searcher, up_to_bound.hits, floor, point, radius_km, cursor, need - above)
            return first_rows(searcher, rows.part(0, above).join(tied), need), total
        lowest = self.lowest_key(searcher)
        if cursor is not None and cursor[0] == floor:  # only ids after the cursor's can be on the page
            lowest = max(lowest, id_key(cursor[1]))
        tries = sorted({key for key in (lowest + (bound - lowest) // 32, lowest + (bound - lowest) // 4)
                        if lowest < key < bound})
        for up_to in [*tries, bound]:
            hits = top_hits(searcher, self._narrowed(parts, up_to), order, max(total, 1), count=False).hits
            tied = self._tied(searcher, hits, floor, point, radius_km, cursor, need - above)
            if len(tied) >= need - above or up_to == bound:
                return first_rows(searcher, rows.part(0, above).join(tied), need), total
        raise AssertionError("unreachable: the bound is the last try")

    def _narrowed(self, parts: Clauses, up_to: int) -> tantivy.Query:
        return tantivy.Query.boolean_query([*parts, (Occur.Must, filtering(self._queries.id_key_at_most(up_to)))])

    def lowest_key(self, searcher: tantivy.Searcher) -> int:
        """A lower bound of every document's id key (the lowest high half), read again when the count of
        documents changes. Any value is correct where it is used (it only scales the narrower tries)."""
        docs = int(searcher.num_docs)
        if self._lowest is None or self._lowest[0] != docs:
            hits = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="id_hi",
                                   order=tantivy.Order.Asc).hits
            self._lowest = (docs, int(hits[0][0] or 0) << 64 if hits else 0)
        return self._lowest[1]

    def _tied(self, searcher: tantivy.Searcher, hits: Hits, value: float, point: GeoPoint | None,
              radius_km: float | None, cursor: Cursor | None, need: int) -> Rows:
        """The hits (value descending) valued ``value``, after the cursor and in the radius."""
        start = bisect.bisect_left(hits, -value, key=_negated_value)
        end = bisect.bisect_right(hits, -value, key=_negated_value)
        return candidates(searcher, hits[start:end], point, radius_km, cursor, need, value)

    def nearest(self, searcher: tantivy.Searcher, parts: Clauses, point: GeoPoint, radius_km: float, limit: int,
                cursor: Cursor | None) -> tuple[list[Row], int]:
        """The first ``limit + 1`` matches after ``cursor`` by (distance, id): growing discs until enough are in."""
        reach = min(radius_km, max((cursor[0] if cursor else 0.0) * 1.25, radius_km / 16))
        while True:
            boxed = tantivy.Query.boolean_query([*parts, (Occur.Must, filtering(self._queries.near(point, reach)))])
            count = getattr(searcher.search(boxed, 1, count=True), "count", 0) or 0
            hits = searcher.search(boxed, max(int(count), 1), count=False).hits
            distances = distances_of(searcher, [a for _, a in hits], point)
            nearest = sorted(((d, a) for d, (_, a) in zip(distances, hits, strict=True) if d <= reach),
                             key=_distance_of)
            rows = Rows([d for d, _ in nearest], [d for d, _ in nearest], [a for _, a in nearest],
                        [d for d, _ in nearest])
            if cursor is not None:
                rows = after_cursor(searcher, rows, cursor, descending=False)
            if len(rows) > limit or reach >= radius_km:
                return first_rows(searcher, rows, limit + 1), int(count)
            reach = min(radius_km, reach * 4)
