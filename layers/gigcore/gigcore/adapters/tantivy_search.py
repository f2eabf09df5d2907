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

Ordering: every sort breaks ties by id, ascending. The id's order is kept in two u64 fast fields
(``id_hi``, ``id_lo``: :func:`id_key`, exact for ULIDs), read column-wise for all the rows tied at a page's
edge; the stored id is read only for the page itself and for rows whose keys are still equal (ids that are
not ULIDs). Schema changes bump :data:`SCHEMA_VERSION`: an index written with another schema is recreated
empty on open, and ``python -m gigcore.cli.reindex`` fills it again from the table.
"""

from __future__ import annotations

import bisect
import fcntl
import heapq
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal, cast

import tantivy
from aws_lambda_powertools import Logger

from gigcore.domain import geo
from gigcore.domain.errors import RetryableError, UpstreamUnavailableError
from gigcore.observability import SERVICE
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

logger = Logger(service=SERVICE, child=True)

TEXT = "gc_text"
#: The schema the adapter writes; an index on disk written with another one is recreated (docs/search.md).
#: 1: the first schema; 2: ``id_hi``/``id_lo`` (the id's order as fast fields) and ``cell`` (grid cells).
SCHEMA_VERSION = 2
SCHEMA_VERSION_FILE = "gigconnect-schema-version"
_U64 = (1 << 64) - 1
#: A document is indexed in the latitude/longitude grid cells holding its point, one per grid: sides of 1,
#: 0.1 and 0.01 degrees (111, 11 and 1.1 km north-south).
CELL_DEGREES = (1.0, 0.1, 0.01)
#: A radius filter is the finest grid's cells that cover the disc's box, if they are at most this many (a
#: cover of ~100 cells costs little more to search than one of a few); a wider disc is two range filters.
MAX_CELLS = 128
#: How many rows the first read of a ranked search takes: enough, mostly, that a page's edge is settled at once.
FIRST_READ = 1024
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


_ULID_DIGITS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32, in ASCII order
_ULID_LENGTH = 26
_ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")
_AS_BASE32 = str.maketrans(_ULID_DIGITS, "0123456789abcdefghijklmnopqrstuv")  # for int(..., 32)


def id_key(doc_id: str) -> int:
    """A 128-bit integer that sorts as ``doc_id`` does among strings: ``a < b`` when ``key(a) < key(b)``.

    A canonical ULID maps to its own 128-bit value, so distinct ULIDs never share a key. Any other string
    maps to the value of the greatest ULID not above it (0 when there is none): the order is kept, but such
    ids may share a key with each other or with that ULID, and equal keys are ordered by the ids themselves.
    """
    if _ULID.match(doc_id):
        return int(doc_id.translate(_AS_BASE32), 32)
    digits: list[int] = []
    for position, char in enumerate(doc_id[:_ULID_LENGTH]):
        top = 8 if position == 0 else 32  # a ULID's first character is 0-7 (128 bits)
        digit = _ULID_DIGITS.find(char)
        if 0 <= digit < top:
            digits.append(digit)
            continue
        below = [d for d in range(top) if _ULID_DIGITS[d] < char]
        if below:  # the greatest ULID with this prefix and a smaller character here
            return _ulid_value([*digits, below[-1]] + [31] * (_ULID_LENGTH - position - 1))
        return _below(digits)
    if len(digits) == _ULID_LENGTH:  # a ULID, or a ULID followed by more characters
        return _ulid_value(digits)
    return _below(digits)  # a proper prefix of ULIDs: every ULID with it sorts above it


def _below(prefix: list[int]) -> int:
    """The greatest ULID that sorts below every string starting with ``prefix``, or 0."""
    for position in range(len(prefix) - 1, -1, -1):
        if prefix[position] > 0:
            return _ulid_value([*prefix[:position], prefix[position] - 1] + [31] * (_ULID_LENGTH - position - 1))
    return 0


def _ulid_value(digits: list[int]) -> int:
    value = 0
    for digit in digits:
        value = value * 32 + digit
    return value


def _id_fields(doc_id: str) -> dict[str, int]:
    key = id_key(doc_id)
    return {"id_hi": key >> 64, "id_lo": key & _U64}


@dataclass(frozen=True)
class _Kind:
    name: str
    #: Text fields and their boosts, as the OpenSearch multi_match has them.
    text_fields: tuple[tuple[str, float], ...]
    schema: tantivy.Schema


def _add_id_key(b: tantivy.SchemaBuilder) -> None:
    """The id's order, column-wise (:func:`id_key`): what breaks ties without reading stored documents."""
    b.add_unsigned_field("id_hi", fast=True)
    b.add_unsigned_field("id_lo", fast=True)


def _add_place(b: tantivy.SchemaBuilder) -> None:
    """Where a document is: its grid cells (a radius filter is a set of cells) and its exact point."""
    b.add_text_field("cell", tokenizer_name="raw", index_option="basic")  # _cells
    b.add_float_field("lat", fast=True)
    b.add_float_field("lng", fast=True)


def _gig_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    _add_id_key(b)
    b.add_integer_field("version", stored=True, fast=True)
    b.add_text_field("state", tokenizer_name="raw")
    for name in ("title", "description", "skills"):
        b.add_text_field(name, tokenizer_name=TEXT)
    b.add_text_field("category", tokenizer_name="raw")
    b.add_text_field("skill", tokenizer_name="raw")
    _add_place(b)
    b.add_integer_field("budget_min", fast=True)
    b.add_integer_field("budget_max", fast=True)
    b.add_text_field("currency", tokenizer_name="raw")
    b.add_integer_field("created", fast=True)
    return b.build()


def _freelancer_schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    _add_id_key(b)
    b.add_integer_field("version", stored=True, fast=True)
    b.add_text_field("state", tokenizer_name="raw")
    for name in ("headline", "bio", "skills"):
        b.add_text_field(name, tokenizer_name=TEXT)
    b.add_text_field("skill", tokenizer_name="raw")
    _add_place(b)
    b.add_integer_field("rate", fast=True)
    b.add_text_field("currency", tokenizer_name="raw")
    b.add_text_field("availability", tokenizer_name="raw")
    b.add_float_field("rating", fast=True)
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
    distance: float | None
    id: str


@dataclass
class _Rows:
    """Candidate rows as columns, sorted by ``order`` (the sort value, negated when the sort is descending)."""

    order: list[float]
    values: list[float]
    addresses: list[tantivy.DocAddress]
    distances: list[float] | None

    def __len__(self) -> int:
        return len(self.addresses)

    def part(self, start: int, end: int) -> _Rows:
        return _Rows(self.order[start:end], self.values[start:end], self.addresses[start:end],
                     None if self.distances is None else self.distances[start:end])

    def pick(self, indices: list[int]) -> _Rows:
        return _Rows([self.order[i] for i in indices], [self.values[i] for i in indices],
                     [self.addresses[i] for i in indices],
                     None if self.distances is None else [self.distances[i] for i in indices])

    def join(self, other: _Rows) -> _Rows:
        """These rows, then ``other``'s (which sort after them)."""
        distances = None if self.distances is None or other.distances is None else self.distances + other.distances
        return _Rows(self.order + other.order, self.values + other.values, self.addresses + other.addresses,
                     distances)


class _Engine:
    """One tantivy index on disk: opened lazily, one writer per batch, a reload before every search."""

    def __init__(self, kind: _Kind, path: str, *, heap_bytes: int, threads: int, lock_wait_seconds: float) -> None:
        self.kind = kind
        self._path = path
        self._heap = heap_bytes
        self._threads = threads
        self._lock_wait = lock_wait_seconds
        self._index: tantivy.Index | None = None
        self._lowest: tuple[int, int] | None = None  # (documents, lowest id key) for _lowest_key
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
            # One process at a time checks the schema version (and recreates an outdated index).
            with open(self._path + ".lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    self._drop_outdated()
                    index = self._open_or_create()
                    self._write_version()
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)
        except (OSError, ValueError) as exc:
            raise UpstreamUnavailableError("The search index is unavailable.") from exc
        index.register_tokenizer(TEXT, self.analyzer)
        return index

    def _open_or_create(self) -> tantivy.Index:
        for attempt in range(20):
            try:
                return tantivy.Index(self.schema, path=self._path, reuse=True)
            except ValueError:
                if attempt == 19:  # another process is creating it at this very moment
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")

    def _version_file(self) -> str:
        return os.path.join(self._path, SCHEMA_VERSION_FILE)

    def _drop_outdated(self) -> None:
        """An index written with another schema cannot be opened with this one: it is emptied, to be reindexed."""
        if not os.path.exists(os.path.join(self._path, "meta.json")):
            return
        try:
            with open(self._version_file()) as f:
                found = f.read().strip()
        except FileNotFoundError:
            found = "1"  # the first schema had no version file
        if found == str(SCHEMA_VERSION):
            return
        logger.warning("The %s search index at %s has schema version %s, not %s: it is recreated empty; "
                       "run `python -m gigcore.cli.reindex %s` to fill it from the table.",
                       self.kind.name, self._path, found, SCHEMA_VERSION, self.kind.name)
        for entry in os.scandir(self._path):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.remove(entry.path)

    def _write_version(self) -> None:
        path = self._version_file()
        try:
            with open(path) as f:
                if f.read().strip() == str(SCHEMA_VERSION):
                    return
        except FileNotFoundError:
            pass
        with open(path + ".tmp", "w") as f:
            f.write(f"{SCHEMA_VERSION}\n")
        os.replace(path + ".tmp", path)

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
                body = ({"id": doc_id, "version": version, "state": GONE} if fields is None else (
                    fields | {"id": doc_id, "version": version, "state": OPEN})) | _id_fields(doc_id)
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

    def near(self, point: GeoPoint, radius_km: float) -> tantivy.Query:
        """The documents in the grid cells that cover the disc (then filtered on the exact distance).

        A term set on indexed cells costs far less than range scans of the latitude and longitude columns;
        those remain for a disc too wide for :data:`MAX_CELLS` cells of the coarsest grid.
        """
        cells = cells_near(point, radius_km)
        if cells is None:
            return self.boxes(point, radius_km)
        return tantivy.Query.term_set_query(self.schema, "cell", cells)

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
        # Every document is open or a tombstone: leaving the (few) tombstones out is cheaper than intersecting
        # with every open document.
        must = [(_Occur.MustNot, self.term("state", GONE)),
                *[(_Occur.Must, tantivy.Query.const_score_query(f, 0.0)) for f in filters]]
        scored = text if text is not None else tantivy.Query.const_score_query(tantivy.Query.all_query(), 1.0)
        query_parts = [(_Occur.Must, scored), *must]
        cursor = (float(after["v"]), str(after["id"])) if after else None
        if order.by == "distance":
            if point is None or radius_km is None:
                raise ValueError("a distance order needs a point and a radius")
            rows, total = self._nearest(searcher, query_parts, point, radius_km, limit, cursor)
        else:
            if point is not None and radius_km is not None:
                query_parts.append((_Occur.Must, tantivy.Query.const_score_query(self.near(point, radius_km), 0.0)))
            if order.by == "field" and cursor is not None:
                # Deep pages stay cheap: only what is not above the cursor's value is read.
                bound = self.range(order.field, self._field_type(order.field), None, self._typed(order.field,
                                                                                                 cursor[0]))
                query_parts.append((_Occur.Must, tantivy.Query.const_score_query(bound, 0.0)))
            rows, total = self._ranked(searcher, query_parts, order, point, radius_km, limit, cursor)
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

    # ---- ordering by (value, id) ----------------------------------------------------------------------

    def _keys(self, searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress]) -> tuple[list[int], list[int]]:
        """The id keys (:func:`id_key`, high and low halves) of ``addresses``, read column-wise."""
        his = searcher.fast_field_values("id_hi", addresses)
        los = searcher.fast_field_values("id_lo", addresses)
        if None in his or None in los:  # not written by this schema (cannot happen past _drop_outdated)
            for i, address in enumerate(addresses):
                if his[i] is None or los[i] is None:
                    key = id_key(self._stored_id(searcher, address))
                    his[i], los[i] = key >> 64, key & _U64
        return cast(list[int], his), cast(list[int], los)

    def _stored_id(self, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> str:
        return str(searcher.doc(address).get_first("id"))

    def _rows(self, hits: Sequence[tuple[Any, tantivy.DocAddress]], descending: bool,
              value: float | None = None) -> _Rows:
        """Hits as rows (``value``: the one value they all have, if known)."""
        addresses = [a for _, a in hits]
        values = [float(v) for v, _ in hits] if value is None else [value] * len(addresses)
        return _Rows([-v for v in values] if descending else values, values, addresses, None)

    def _within(self, searcher: tantivy.Searcher, rows: _Rows, point: GeoPoint, radius_km: float,
                need: int) -> _Rows:
        """The rows inside the radius (not in the box's corners), with their distances, as far as the page can
        reach: every row up to the ``need``-th inside, and of the rows of that one's value (the page's edge),
        those with the lowest ids: equal values go by id, so the others cannot be on the page."""
        kept: list[int] = []
        distances: list[float] = []
        start, chunk = 0, max(need, 64)
        while start < len(rows):
            if rows.order[start] == rows.order[-1] and len(rows) - start > chunk:
                self._within_by_id(searcher, rows, start, point, radius_km, need, kept, distances)
                break
            end = min(len(rows), start + chunk)
            self._keep_within(searcher, rows, range(start, end), point, radius_km, kept, distances)
            if len(kept) >= need and (end == len(rows) or rows.order[end] != rows.order[kept[need - 1]]):
                break  # the rows not looked at come after the page's edge value
            start, chunk = end, chunk * 2
        within = rows.pick(kept)
        within.distances = distances
        return within

    def _keep_within(self, searcher: tantivy.Searcher, rows: _Rows, indices: Sequence[int], point: GeoPoint,
                     radius_km: float, kept: list[int], distances: list[float]) -> None:
        found = self._distances(searcher, [rows.addresses[i] for i in indices], point)
        for i, d in zip(indices, found, strict=True):
            if d <= radius_km:
                kept.append(i)
                distances.append(d)

    def _within_by_id(self, searcher: tantivy.Searcher, rows: _Rows, start: int, point: GeoPoint,
                      radius_km: float, need: int, kept: list[int], distances: list[float]) -> None:
        """Rows from ``start`` on all have one value: the ones inside the radius, in id order, until no
        further one can be on the page (the rows kept before ``start`` are inside and come first or tie)."""
        value = rows.order[start]
        before = sum(1 for i in kept if rows.order[i] < value)
        if before >= need:
            return
        same = [i for i in kept if rows.order[i] == value]
        his, los = self._keys(searcher, rows.addresses[start:])
        by_id = sorted(zip(his, los, range(start, len(rows)), strict=True))
        same_keys: list[tuple[int, int]] = []
        if same:
            same_his, same_los = self._keys(searcher, [rows.addresses[i] for i in same])
            same_keys = list(zip(same_his, same_los, strict=True))
        step = max(need, 64)
        for at in range(0, len(by_id), step):
            if len(same_keys) >= need - before:
                last = heapq.nsmallest(need - before, same_keys)[-1]
                if by_id[at][:2] > last:
                    return
            part = by_id[at:at + step]
            inside = len(kept)
            self._keep_within(searcher, rows, [t[2] for t in part], point, radius_km, kept, distances)
            keys_of = {t[2]: t[:2] for t in part}
            same_keys += [keys_of[i] for i in kept[inside:]]

    def _candidates(self, searcher: tantivy.Searcher, hits: Sequence[tuple[Any, tantivy.DocAddress]],
                    point: GeoPoint | None, radius_km: float | None, cursor: tuple[float, str] | None,
                    need: int, value: float | None = None) -> _Rows:
        """Hits (value descending) as rows, less those up to the cursor and those outside the radius."""
        rows = self._rows(hits, True, value)
        if cursor is not None:
            rows = self._after(searcher, rows, cursor, descending=True)
        if point is not None and radius_km is not None:
            rows = self._within(searcher, rows, point, radius_km, need)
        return rows

    def _after(self, searcher: tantivy.Searcher, rows: _Rows, cursor: tuple[float, str], descending: bool) -> _Rows:
        """The rows that come after ``cursor`` in (value, then id ascending) order."""
        value, last_id = cursor
        at = -value if descending else value
        same_from, later_from = bisect.bisect_left(rows.order, at), bisect.bisect_right(rows.order, at)
        if same_from == later_from:
            return rows.part(later_from, len(rows))
        same = rows.part(same_from, later_from)
        his, los = self._keys(searcher, same.addresses)
        key = id_key(last_id)
        last = (key >> 64, key & _U64)
        kept = [i for i, (hi, lo) in enumerate(zip(his, los, strict=True))
                if (hi, lo) > last or ((hi, lo) == last and self._stored_id(searcher, same.addresses[i]) > last_id)]
        return same.pick(kept).join(rows.part(later_from, len(rows)))

    def _first(self, searcher: tantivy.Searcher, rows: _Rows, need: int) -> list[_Row]:
        """The first ``need`` rows by value, then id ascending."""
        if not rows.addresses:
            return []
        end = len(rows)
        if end > need:  # only the rows up to the page's edge value (all of that value) are ordered by id
            end = bisect.bisect_right(rows.order, rows.order[need - 1])
        order = rows.order[:end]
        his, los = self._keys(searcher, rows.addresses[:end])
        chosen = heapq.nsmallest(need, zip(order, his, los, range(end), strict=True))
        ids: dict[int, str] = {}
        last = chosen[-1][:3]
        shared = len({c[:3] for c in chosen}) < len(chosen)
        if not shared and end > len(chosen) and los.count(last[2]) > 1:  # the cheap test first
            shared = (sum(1 for t in zip(order, his, los, strict=True) if t == last)
                      > sum(1 for c in chosen if c[:3] == last))
        if shared:
            # Equal keys (ids that are not ULIDs): the stored ids decide among the rows up to the edge.
            upto = [t for t in zip(order, his, los, range(end), strict=True) if t[:3] <= last]
            ids = {t[3]: self._stored_id(searcher, rows.addresses[t[3]]) for t in upto}
            chosen = sorted(upto, key=lambda t: (t[:3], ids[t[3]]))[:need]
        return [_Row(value=rows.values[i], distance=None if rows.distances is None else rows.distances[i],
                     id=ids[i] if i in ids else self._stored_id(searcher, rows.addresses[i]))
                for i in (t[3] for t in chosen)]

    def _top(self, searcher: tantivy.Searcher, query: tantivy.Query, order: _Order, k: int,
             count: bool) -> tantivy.SearchResult:
        if order.by == "score":
            return searcher.search(query, k, count=count)
        return searcher.search(query, k, count=count, order_by_field=order.field, order=tantivy.Order.Desc)

    def _up_to(self, key: int) -> tantivy.Query:
        """Documents whose id key is at most ``key``."""
        unsigned = tantivy.FieldType.Unsigned
        hi, lo = key >> 64, key & _U64
        same_hi = tantivy.Query.boolean_query([(_Occur.Must, self.range("id_hi", unsigned, hi, hi)),
                                               (_Occur.Must, self.range("id_lo", unsigned, None, lo))])
        if hi == 0:
            return same_hi
        return tantivy.Query.boolean_query([(_Occur.Should, self.range("id_hi", unsigned, None, hi - 1)),
                                            (_Occur.Should, same_hi)])

    def _distances(self, searcher: tantivy.Searcher, addresses: list[tantivy.DocAddress],
                   point: GeoPoint) -> list[float]:
        lats = searcher.fast_field_values("lat", addresses)
        lngs = searcher.fast_field_values("lng", addresses)
        return [geo.haversine_km(point.lat, point.lng, float(lat or 0.0), float(lng or 0.0))
                for lat, lng in zip(lats, lngs, strict=True)]

    def _ranked(self, searcher: tantivy.Searcher, parts: list[tuple[tantivy.Occur, tantivy.Query]], order: _Order,
                point: GeoPoint | None, radius_km: float | None, limit: int,
                cursor: tuple[float, str] | None) -> tuple[list[_Row], int]:
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
        result = self._top(searcher, query, order, k, count=True)
        total = int(getattr(result, "count", 0) or 0)
        rows = self._candidates(searcher, result.hits, point, radius_km, cursor, need)
        if len(result.hits) < k:  # every match was read
            return self._first(searcher, rows, need), total
        floor = float(result.hits[-1][0])
        above = bisect.bisect_left(rows.order, -floor)  # the rows valued above the k-th value: all of them
        if above >= need:
            return self._first(searcher, rows.part(0, above), need), total
        if len(rows) >= need:
            at_floor = rows.part(above, len(rows))
            his, los = self._keys(searcher, at_floor.addresses)
            hi, lo = heapq.nsmallest(need - above, zip(his, los, strict=True))[-1]
            bound = (hi << 64) | lo
            # The rows read at the k-th value are tantivy's first by document address, often one segment's,
            # whose ids may lie anywhere: the bound can be far above the page's last key. When it leaves more
            # matches than a first read takes, a 32nd, then a quarter, of the keys from the lowest document's
            # (or the cursor's) up to the bound are tried: each holds the page if enough rows of that value fall
            # in it; the bound last.
            up_to_bound = self._top(searcher, self._narrowed(parts, bound), order, FIRST_READ, count=False)
            if len(up_to_bound.hits) < FIRST_READ:  # every match up to the bound is in hand
                tied = self._tied(searcher, up_to_bound.hits, floor, point, radius_km, cursor, need - above)
                return self._first(searcher, rows.part(0, above).join(tied), need), total
            lowest = self._lowest_key(searcher)
            if cursor is not None and cursor[0] == floor:  # only ids after the cursor's can be on the page
                lowest = max(lowest, id_key(cursor[1]))
            tries = sorted({key for key in (lowest + (bound - lowest) // 32, lowest + (bound - lowest) // 4)
                            if lowest < key < bound})
            for up_to in [*tries, bound]:
                hits = self._top(searcher, self._narrowed(parts, up_to), order, max(total, 1), count=False).hits
                tied = self._tied(searcher, hits, floor, point, radius_km, cursor, need - above)
                if len(tied) >= need - above or up_to == bound:
                    return self._first(searcher, rows.part(0, above).join(tied), need), total
        every = self._top(searcher, query, order, max(total, 1), count=False).hits
        return self._first(searcher, self._candidates(searcher, every, point, radius_km, cursor, need), need), total

    def _narrowed(self, parts: list[tuple[tantivy.Occur, tantivy.Query]], up_to: int) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [*parts, (_Occur.Must, tantivy.Query.const_score_query(self._up_to(up_to), 0.0))])

    def _lowest_key(self, searcher: tantivy.Searcher) -> int:
        """A lower bound of every document's id key (the lowest high half), read again when the count of
        documents changes. Any value is correct where it is used (it only scales the narrower tries)."""
        docs = int(searcher.num_docs)
        if self._lowest is None or self._lowest[0] != docs:
            hits = searcher.search(tantivy.Query.all_query(), 1, count=False, order_by_field="id_hi",
                                   order=tantivy.Order.Asc).hits
            self._lowest = (docs, int(hits[0][0] or 0) << 64 if hits else 0)
        return self._lowest[1]

    def _tied(self, searcher: tantivy.Searcher, hits: Sequence[tuple[Any, tantivy.DocAddress]], value: float,
              point: GeoPoint | None, radius_km: float | None, cursor: tuple[float, str] | None,
              need: int) -> _Rows:
        """The hits (value descending) valued ``value``, after the cursor and in the radius."""
        start = bisect.bisect_left(hits, -value, key=_negated_value)
        end = bisect.bisect_right(hits, -value, key=_negated_value)
        return self._candidates(searcher, hits[start:end], point, radius_km, cursor, need, value)

    def _nearest(self, searcher: tantivy.Searcher, parts: list[tuple[tantivy.Occur, tantivy.Query]],
                 point: GeoPoint, radius_km: float, limit: int,
                 cursor: tuple[float, str] | None) -> tuple[list[_Row], int]:
        """The first ``limit + 1`` matches after ``cursor`` by (distance, id): growing discs until enough are in."""
        reach = min(radius_km, max((cursor[0] if cursor else 0.0) * 1.25, radius_km / 16))
        while True:
            boxed = tantivy.Query.boolean_query(
                [*parts, (_Occur.Must, tantivy.Query.const_score_query(self.near(point, reach), 0.0))])
            count = getattr(searcher.search(boxed, 1, count=True), "count", 0) or 0
            hits = searcher.search(boxed, max(int(count), 1), count=False).hits
            distances = self._distances(searcher, [a for _, a in hits], point)
            nearest = sorted(((d, a) for d, (_, a) in zip(distances, hits, strict=True) if d <= reach),
                             key=_distance_of)
            rows = _Rows([d for d, _ in nearest], [d for d, _ in nearest], [a for _, a in nearest],
                         [d for d, _ in nearest])
            if cursor is not None:
                rows = self._after(searcher, rows, cursor, descending=False)
            if len(rows) > limit or reach >= radius_km:
                return self._first(searcher, rows, limit + 1), int(count)
            reach = min(radius_km, reach * 4)


def _distance_of(row: tuple[float, tantivy.DocAddress]) -> float:
    return row[0]


def _negated_value(hit: tuple[Any, tantivy.DocAddress]) -> float:
    return -float(hit[0])


def _cells(point: GeoPoint) -> list[str]:
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


def _point(point: GeoPoint | None) -> dict[str, Any]:
    if point is None:
        return {}
    return {"lat": point.lat, "lng": point.lng, "cell": _cells(point)}


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

