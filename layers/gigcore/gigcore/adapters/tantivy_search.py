"""The embedded :class:`~gigcore.ports.search.SearchIndex`: tantivy on local disk (``docs/search.md``).

Two tantivy indexes under ``path``: ``gigs/`` and ``freelancers/``. Ranking is tantivy's BM25 over the same
fields and boosts as the OpenSearch adapter (title/headline x2, description/bio, skills), best field wins
(dis_max), with typo tolerance (fuzzy terms at OpenSearch's ``fuzziness: AUTO`` distances) and a prefix match
on the last word, both scored below an exact match. Filters are constant-score clauses; the geo filter is a
latitude/longitude box in the index, then the exact haversine distance.

Processes: tantivy allows one ``IndexWriter`` per index, held through a lock file. The writer is opened for
one batch (by the search-indexing consumer, or ``reindex``), committed and dropped, so whichever worker
process runs the next batch can take it; a worker that finds the lock busy waits, then reports the batch
as retryable. Readers reload on every search (a reload that finds no new commit costs ~20 us), so a commit
is visible to every API worker at once.
"""

from __future__ import annotations

import bisect
import math
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import tantivy

from gigcore.domain import geo
from gigcore.domain.errors import RetryableError, UpstreamUnavailableError
from gigcore.ports.search import (
    FreelancerDoc,
    FreelancerSearch,
    GeoPoint,
    GigDoc,
    GigSearch,
    Kind,
    SearchHit,
    SearchPage,
)

TEXT = "gc_text"
#: Score of a typo-tolerant or prefix match, as a share of the field's boost (an exact match scores BM25).
FUZZY_WEIGHT = 0.3
PREFIX_WEIGHT = 0.4
OPEN = "open"
GONE = "gone"
_Occur = tantivy.Occur


def analyzer() -> tantivy.TextAnalyzer:
    """English text: words, lower case, accents folded, stop words dropped, stemmed (as OpenSearch's english)."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english"))
            .build())


def fuzziness(token: str) -> int:
    """OpenSearch's ``fuzziness: AUTO``: 0 edits up to 2 characters, 1 up to 5, then 2."""
    return 0 if len(token) <= 2 else 1 if len(token) <= 5 else 2


@dataclass(frozen=True)
class _Kind:
    name: str
    #: Text fields and their boosts, as the OpenSearch multi_match has them.
    text_fields: tuple[tuple[str, float], ...]
    schema: tantivy.Schema


def _gig_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("version", stored=True, indexed=True, fast=True)
    b.add_text_field("state", tokenizer_name="raw")
    for name in ("title", "description", "skills"):
        b.add_text_field(name, tokenizer_name=TEXT)
    b.add_text_field("category", tokenizer_name="raw")
    b.add_text_field("skill", tokenizer_name="raw")
    b.add_float_field("lat", indexed=True, fast=True)
    b.add_float_field("lng", indexed=True, fast=True)
    b.add_integer_field("budget_min", indexed=True, fast=True)
    b.add_integer_field("budget_max", indexed=True, fast=True)
    b.add_text_field("currency", tokenizer_name="raw")
    b.add_integer_field("created", indexed=True, fast=True)
    return b.build()


def _freelancer_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_integer_field("version", stored=True, indexed=True, fast=True)
    b.add_text_field("state", tokenizer_name="raw")
    for name in ("headline", "bio", "skills"):
        b.add_text_field(name, tokenizer_name=TEXT)
    b.add_text_field("skill", tokenizer_name="raw")
    b.add_float_field("lat", indexed=True, fast=True)
    b.add_float_field("lng", indexed=True, fast=True)
    b.add_integer_field("rate", indexed=True, fast=True)
    b.add_text_field("currency", tokenizer_name="raw")
    b.add_text_field("availability", tokenizer_name="raw")
    b.add_float_field("rating", indexed=True, fast=True)
    return b.build()


GIGS = _Kind("gigs", (("title", 2.0), ("description", 1.0), ("skills", 1.0)), _gig_schema())
FREELANCERS = _Kind("freelancers", (("headline", 2.0), ("bio", 1.0), ("skills", 1.0)), _freelancer_schema())


@dataclass(frozen=True)
class _Order:
    """How hits are ranked: by score, by a fast field (descending), or by distance from a point (ascending)."""

    by: Literal["score", "field", "distance"]
    field: str = ""


@dataclass
class _Row:
    value: float
    address: tantivy.DocAddress
    distance: float | None = None
    id: str = ""


class _Engine:
    """One tantivy index on disk: opened lazily, one writer per batch, a reload before every search."""

    def __init__(self, kind: _Kind, path: str, *, heap_bytes: int, threads: int, lock_wait_seconds: float) -> None:
        self.kind = kind
        self._path = path
        self._heap = heap_bytes
        self._threads = threads
        self._lock_wait = lock_wait_seconds
        self._index: tantivy.Index | None = None
        self._opening = threading.Lock()
        self.analyzer = analyzer()

    @property
    def schema(self) -> tantivy.Schema:
        return self.kind.schema

    def index(self) -> tantivy.Index:
        if self._index is None:
            with self._opening:
                if self._index is None:
                    self._index = self._open()
        return self._index

    def _open(self) -> tantivy.Index:
        try:
            os.makedirs(self._path, exist_ok=True)
            for attempt in range(20):
                try:
                    index = tantivy.Index(self.schema, path=self._path, reuse=True)
                    break
                except ValueError:
                    if attempt == 19:  # another process is creating it at this very moment
                        raise
                    time.sleep(0.05)
        except (OSError, ValueError) as exc:
            raise UpstreamUnavailableError("The search index is unavailable.") from exc
        index.register_tokenizer(TEXT, self.analyzer)
        return index

    def searcher(self) -> tantivy.Searcher:
        index = self.index()
        index.reload()
        return index.searcher()

    @contextmanager
    def writer(self) -> Iterator[tantivy.IndexWriter]:
        """The index's one writer for a batch: committed and released at the end, rolled back on an error."""
        index = self.index()
        deadline = time.monotonic() + self._lock_wait
        while True:
            try:
                writer = index.writer(self._heap, self._threads)
                break
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise UpstreamUnavailableError("The search index is unavailable.") from exc
                if time.monotonic() > deadline:
                    raise RetryableError("The search index is busy; try again shortly.") from exc
                time.sleep(0.02)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # releases the lock
        index.reload()

    def versions(self, searcher: tantivy.Searcher, ids: Sequence[str]) -> dict[str, int]:
        """The indexed version of each of ``ids`` that the index holds (live or deleted)."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), 1024):
            chunk = list(ids[start:start + 1024])
            query = tantivy.Query.term_set_query(self.schema, "id", chunk)
            hits = searcher.search(query, len(chunk) * 2, count=False).hits
            addresses = [address for _, address in hits]
            values = searcher.fast_field_values("version", addresses)
            for address, version in zip(addresses, values, strict=True):
                doc_id = str(searcher.doc(address).get_first("id"))
                found[doc_id] = max(int(version or 0), found.get(doc_id, 0))
        return found

    def put(self, docs: Sequence[tuple[str, int, dict[str, Any] | None]]) -> int:
        """Write ``(id, version, fields or None for a delete)``, skipping any not newer than what is indexed."""
        newest: dict[str, tuple[int, dict[str, Any] | None]] = {}
        for doc_id, version, fields in docs:
            if doc_id not in newest or version > newest[doc_id][0]:
                newest[doc_id] = (version, fields)
        if not newest:
            return 0
        applied = 0
        with self.writer() as writer:
            current = self.versions(self.searcher(), list(newest))
            for doc_id, (version, fields) in newest.items():
                if current.get(doc_id, 0) >= version:
                    continue
                writer.delete_documents_by_term("id", doc_id)
                # A delete stays as a tombstone with its version, so an older write that arrives late is refused.
                body = {"id": doc_id, "version": version, "state": GONE} if fields is None else (
                    fields | {"id": doc_id, "version": version, "state": OPEN})
                writer.add_document(tantivy.Document.from_dict(body, self.schema))
                applied += 1
        return applied

    def clear(self) -> None:
        with self.writer() as writer:
            writer.delete_all_documents()

    # ---- queries ---------------------------------------------------------------------------------------

    def text_query(self, text: str) -> tantivy.Query | None:
        """OpenSearch's ``multi_match`` (best_fields, operator or, fuzziness AUTO), or None for no text."""
        tokens = self.analyzer.analyze(text)
        if not tokens:
            return None
        per_field = []
        for field_name, boost in self.kind.text_fields:
            clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
            for position, token in enumerate(tokens):
                clauses.append((_Occur.Should, tantivy.Query.term_query(self.schema, field_name, token)))
                edits = fuzziness(token)
                if edits:
                    fuzzy = tantivy.Query.fuzzy_term_query(self.schema, field_name, token, distance=edits)
                    clauses.append((_Occur.Should, tantivy.Query.boost_query(fuzzy, FUZZY_WEIGHT)))
                if position == len(tokens) - 1 and len(token) >= 3:
                    prefix = tantivy.Query.fuzzy_term_query(self.schema, field_name, token, distance=0, prefix=True)
                    clauses.append((_Occur.Should, tantivy.Query.boost_query(prefix, PREFIX_WEIGHT)))
            per_field.append(tantivy.Query.boost_query(tantivy.Query.boolean_query(clauses), boost))
        return tantivy.Query.disjunction_max_query(per_field)

    def term(self, field_name: str, value: Any) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field_name, value)

    def range(self, field_name: str, kind: tantivy.FieldType, lo: Any = None, hi: Any = None,
              include_lower: bool = True) -> tantivy.Query:
        return tantivy.Query.range_query(self.schema, field_name, kind, lo, hi, include_lower=include_lower)

    def boxes(self, point: GeoPoint, radius_km: float) -> tantivy.Query:
        boxes = []
        for box in geo.disc_box(point.lat, point.lng, radius_km):
            boxes.append(tantivy.Query.boolean_query([
                (_Occur.Must, self.range("lat", tantivy.FieldType.Float, box.lat_lo, box.lat_hi)),
                (_Occur.Must, self.range("lng", tantivy.FieldType.Float, box.lng_lo, box.lng_hi)),
            ]))
        return boxes[0] if len(boxes) == 1 else tantivy.Query.boolean_query([(_Occur.Should, b) for b in boxes])

    def search(self, text: tantivy.Query | None, filters: list[tantivy.Query], order: _Order,
               point: GeoPoint | None, radius_km: float | None, limit: int,
               after: Mapping[str, Any] | None) -> SearchPage:
        searcher = self.searcher()
        must = [(_Occur.Must, tantivy.Query.const_score_query(f, 0.0))
                for f in [self.term("state", OPEN), *filters]]
        scored = text if text is not None else tantivy.Query.const_score_query(tantivy.Query.all_query(), 1.0)
        query_parts = [(_Occur.Must, scored), *must]
        cursor = (float(after["v"]), str(after["id"])) if after else None
        if order.by == "distance":
            if point is None or radius_km is None:
                raise ValueError("a distance order needs a point and a radius")
            rows, total = self._nearest(searcher, query_parts, point, radius_km, limit, cursor)
        else:
            if point is not None and radius_km is not None:
                query_parts.append((_Occur.Must, tantivy.Query.const_score_query(self.boxes(point, radius_km), 0.0)))
            if order.by == "field" and cursor is not None:
                # Deep pages stay cheap: only what is not above the cursor's value is read.
                bound = self.range(order.field, self._field_type(order.field), None, self._typed(order.field,
                                                                                                 cursor[0]))
                query_parts.append((_Occur.Must, tantivy.Query.const_score_query(bound, 0.0)))
            rows, total = self._ranked(searcher, tantivy.Query.boolean_query(query_parts), order, point, radius_km,
                                       limit, cursor)
        page = rows[:limit]
        hits = [SearchHit(id=r.id, score=r.value if order.by == "score" else 0.0, distance_km=r.distance)
                for r in page]
        if order.by != "score":
            hits = self._with_scores(searcher, query_parts, order, hits)
        next_after = {"v": page[-1].value, "id": page[-1].id} if len(rows) > limit else None
        return SearchPage(hits=hits, after=next_after, total=total)

    def _field_type(self, name: str) -> tantivy.FieldType:
        return tantivy.FieldType.Float if name in ("rating", "lat", "lng") else tantivy.FieldType.Integer

    def _typed(self, name: str, value: float) -> Any:
        return float(value) if self._field_type(name) == tantivy.FieldType.Float else int(value)

    def _with_scores(self, searcher: tantivy.Searcher, parts: list[tuple[tantivy.Occur, tantivy.Query]],
                     order: _Order, hits: list[SearchHit]) -> list[SearchHit]:
        """The text score of each hit of a page ranked by something else (it is part of every item)."""
        if not hits:
            return hits
        ids = tantivy.Query.const_score_query(tantivy.Query.term_set_query(self.schema, "id", [h.id for h in hits]),
                                              0.0)
        scored = searcher.search(tantivy.Query.boolean_query([parts[0], (_Occur.Must, ids)]), len(hits) * 2,
                                 count=False).hits
        scores = {str(searcher.doc(a).get_first("id")): float(s) for s, a in scored}
        return [SearchHit(id=h.id, score=scores.get(h.id, 0.0), distance_km=h.distance_km) for h in hits]

    def _ids(self, searcher: tantivy.Searcher, rows: list[_Row]) -> None:
        for row in rows:
            if not row.id:
                row.id = str(searcher.doc(row.address).get_first("id"))

    def _distances(self, searcher: tantivy.Searcher, rows: list[_Row], point: GeoPoint) -> None:
        addresses = [r.address for r in rows]
        lats = searcher.fast_field_values("lat", addresses)
        lngs = searcher.fast_field_values("lng", addresses)
        for row, lat, lng in zip(rows, lats, lngs, strict=True):
            row.distance = geo.haversine_km(point.lat, point.lng, float(lat or 0.0), float(lng or 0.0))

    def _ranked(self, searcher: tantivy.Searcher, query: tantivy.Query, order: _Order, point: GeoPoint | None,
                radius_km: float | None, limit: int, cursor: tuple[float, str] | None) -> tuple[list[_Row], int]:
        """The first ``limit + 1`` matches after ``cursor`` in (value desc, id asc) order.

        tantivy returns the top ``k`` by value; equal values come in no useful order, so the ids of the rows
        are compared, and only rows strictly above the k-th value are trusted until the matches run out.
        """
        k = max(limit + 1, 16) * (2 if point is not None else 1)
        while True:
            if order.by == "score":
                result = searcher.search(query, k, count=True)
            else:
                result = searcher.search(query, k, count=True, order_by_field=order.field, order=tantivy.Order.Desc)
            rows = [_Row(value=float(v), address=a) for v, a in result.hits]
            exhausted = len(rows) < k
            floor = -math.inf if exhausted or not rows else rows[-1].value
            if point is not None and radius_km is not None:
                self._distances(searcher, rows, point)
                rows = [r for r in rows if r.distance is not None and r.distance <= radius_km]
            trusted = [r for r in rows if exhausted or r.value > floor]
            if cursor is not None:
                trusted = [r for r in trusted if r.value <= cursor[0]]
            if cursor is not None:
                ties = [r for r in trusted if r.value == cursor[0]]
                self._ids(searcher, ties)
                trusted = [r for r in trusted if r.value < cursor[0] or r.id > cursor[1]]
            if len(trusted) > limit or exhausted:
                trusted.sort(key=lambda r: -r.value)
                head = trusted[:limit + 1]
                # Resolve the order among equal values at the page's edge by id.
                edge = {r.value for r in head}
                same = [r for r in trusted if r.value in edge]
                self._ids(searcher, same)
                same.sort(key=lambda r: (-r.value, r.id))
                return same[:limit + 1], int(getattr(result, "count", 0) or 0)
            k *= 4

    def _nearest(self, searcher: tantivy.Searcher, parts: list[tuple[tantivy.Occur, tantivy.Query]],
                 point: GeoPoint, radius_km: float, limit: int,
                 cursor: tuple[float, str] | None) -> tuple[list[_Row], int]:
        """The first ``limit + 1`` matches after ``cursor`` by (distance, id): growing discs until enough are in."""
        reach = min(radius_km, max((cursor[0] if cursor else 0.0) * 1.25, radius_km / 16))
        while True:
            boxed = tantivy.Query.boolean_query(
                [*parts, (_Occur.Must, tantivy.Query.const_score_query(self.boxes(point, reach), 0.0))])
            count = getattr(searcher.search(boxed, 1, count=True), "count", 0) or 0
            result = searcher.search(boxed, max(int(count), 1), count=False)
            rows = [_Row(value=0.0, address=a) for _, a in result.hits]
            self._distances(searcher, rows, point)
            rows = [r for r in rows if r.distance is not None and r.distance <= reach]
            for row in rows:
                row.value = row.distance or 0.0
            if cursor is not None:
                rows = [r for r in rows if r.value >= cursor[0]]
                ties = [r for r in rows if r.value == cursor[0]]
                self._ids(searcher, ties)
                rows = [r for r in rows if r.value > cursor[0] or r.id > cursor[1]]
            if len(rows) > limit or reach >= radius_km:
                rows.sort(key=lambda r: r.value)
                values = [r.value for r in rows]
                edge = values[min(limit, len(values) - 1)] if values else 0.0
                head = rows[:bisect.bisect_right(values, edge)]
                self._ids(searcher, head)
                head.sort(key=lambda r: (r.value, r.id))
                return head[:limit + 1], int(count)
            reach = min(radius_km, reach * 4)


def _point(point: GeoPoint | None) -> dict[str, Any]:
    return {"lat": point.lat, "lng": point.lng} if point is not None else {}


def gig_fields(doc: GigDoc) -> dict[str, Any] | None:
    if not doc.open:
        return None
    return {"title": doc.title, "description": doc.description, "skills": " ".join(doc.skills),
            "skill": [s.lower() for s in doc.skills], "category": doc.category.lower(), "budget_min": doc.budget_min,
            "budget_max": doc.budget_max, "currency": doc.currency, "created": doc.created_ms} | _point(doc.location)


def freelancer_fields(doc: FreelancerDoc) -> dict[str, Any] | None:
    if not doc.listed:
        return None
    return {"headline": doc.headline, "bio": doc.bio, "skills": " ".join(doc.skills),
            "skill": [s.lower() for s in doc.skills], "rate": doc.hourly_rate, "currency": doc.currency,
            "availability": doc.availability, "rating": float(doc.rating)} | _point(doc.location)


class TantivySearchIndex:
    """:class:`~gigcore.ports.search.SearchIndex` on tantivy, persisted under ``path``."""

    def __init__(self, path: str, *, heap_bytes: int = 32_000_000, threads: int = 1,
                 lock_wait_seconds: float = 10.0) -> None:
        self._engines = {kind.name: _Engine(kind, os.path.join(path, kind.name), heap_bytes=heap_bytes,
                                            threads=threads, lock_wait_seconds=lock_wait_seconds)
                         for kind in (GIGS, FREELANCERS)}

    @property
    def gigs(self) -> _Engine:
        return self._engines["gigs"]

    @property
    def freelancers(self) -> _Engine:
        return self._engines["freelancers"]

    def put_gigs(self, docs: Sequence[GigDoc]) -> int:
        return self.gigs.put([(d.id, d.version, gig_fields(d)) for d in docs])

    def put_freelancers(self, docs: Sequence[FreelancerDoc]) -> int:
        return self.freelancers.put([(d.id, d.version, freelancer_fields(d)) for d in docs])

    def clear(self, kind: Kind) -> None:
        self._engines[kind].clear()

    def search_gigs(self, query: GigSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        engine = self.gigs
        ints = tantivy.FieldType.Integer
        filters: list[tantivy.Query] = []
        if query.category:
            filters.append(engine.term("category", query.category.lower()))
        if query.skills:
            filters.append(tantivy.Query.term_set_query(engine.schema, "skill", sorted(query.skills)))
        if query.budget_min is not None:
            filters.append(engine.range("budget_max", ints, lo=query.budget_min))
        if query.budget_max is not None:
            filters.append(engine.range("budget_min", ints, hi=query.budget_max))
        if query.currency:
            filters.append(engine.term("currency", query.currency))
        text = engine.text_query(query.text)
        return engine.search(text, filters, _order(query.sort, text is not None, query.point, "created"),
                             query.point, query.radius_km, query.limit, after)

    def search_freelancers(self, query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        engine = self.freelancers
        filters: list[tantivy.Query] = [engine.term("skill", s) for s in sorted(query.skills)]
        if query.max_rate is not None:
            filters.append(engine.range("rate", tantivy.FieldType.Integer, hi=query.max_rate))
        if query.currency:
            filters.append(engine.term("currency", query.currency))
        if query.availability:
            filters.append(engine.term("availability", query.availability))
        text = engine.text_query(query.text)
        return engine.search(text, filters, _order(query.sort, text is not None, query.point, "rating"),
                             query.point, query.radius_km, query.limit, after)


def _order(sort: str, has_text: bool, point: GeoPoint | None, field_sort: str) -> _Order:
    """Relevance without text has nothing to rank by: nearest first with a point, else the field order."""
    if sort == "distance" or (sort == "relevance" and not has_text and point is not None):
        return _Order("distance")
    if sort == "relevance" and has_text:
        return _Order("score")
    return _Order("field", field_sort)

