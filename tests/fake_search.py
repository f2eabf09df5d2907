"""An in-memory :class:`gigcore.ports.search.SearchIndex`, held to the embedded (tantivy) index by
tests/integration/test_search_contract.py.

Text matching is a small model of the engines': words are lower-cased and lightly stemmed, a query word
matches a document word exactly or within "fuzziness AUTO" (one edit for 3-5 letters, two beyond, a swap of
two letters counting as one), an exact match scores more than a fuzzy one, a gig's title (a freelancer's
headline) counts twice, and every occurrence counts. Ties are ordered by id, ascending, across pages. A gig
past its deadline at the search's ``now_ms`` is left out, as the engines do.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from gigcore.domain.geo import haversine_km
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

_WORD = re.compile(r"[a-z0-9]+")
EXACT, FUZZY = 1.0, 0.5


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=100_000)
def words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower()))


@lru_cache(maxsize=200_000)
def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent swaps)."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


@lru_cache(maxsize=200_000)
def _match(query_word: str, word: str) -> float:
    if query_word == word:
        return EXACT
    allowed = 0 if len(query_word) <= 2 else 1 if len(query_word) <= 5 else 2
    return FUZZY if allowed and abs(len(query_word) - len(word)) <= allowed and _edits(query_word, word) <= allowed \
        else 0.0


def _score(query: tuple[str, ...], fields: Sequence[tuple[float, tuple[str, ...]]]) -> float:
    return sum(weight * _match(q, w) for q in query for weight, field in fields for w in field)


@dataclass(frozen=True)
class _Candidate:
    id: str
    score: float
    distance_km: float | None
    key: tuple[Any, ...]


class FakeSearchIndex:
    def __init__(self) -> None:
        self.gigs: dict[str, GigDoc] = {}
        self.freelancers: dict[str, FreelancerDoc] = {}
        #: The latest version written of each document, deletes included (a late older write is ignored).
        self.versions: dict[tuple[str, str], int] = {}
        #: The sorted matches of the last searches, valid until the next write (paging reads them again).
        self._matches: dict[Any, list[_Candidate]] = {}

    def _newer(self, kind: str, doc_id: str, version: int) -> bool:
        self._matches.clear()
        if version <= self.versions.get((kind, doc_id), -1):
            return False
        self.versions[(kind, doc_id)] = version
        return True

    def put_gigs(self, docs: Sequence[GigDoc]) -> int:
        applied = 0
        for doc in docs:
            if self._newer("gigs", doc.id, doc.version):
                applied += 1
                if doc.open:
                    self.gigs[doc.id] = doc
                else:
                    self.gigs.pop(doc.id, None)
        return applied

    def put_freelancers(self, docs: Sequence[FreelancerDoc]) -> int:
        applied = 0
        for doc in docs:
            if self._newer("freelancers", doc.id, doc.version):
                applied += 1
                if doc.listed:
                    self.freelancers[doc.id] = doc
                else:
                    self.freelancers.pop(doc.id, None)
        return applied

    def clear(self, kind: Kind) -> None:
        self._matches.clear()
        (self.gigs if kind == "gigs" else self.freelancers).clear()
        self.versions = {k: v for k, v in self.versions.items() if k[0] != kind}

    def search_gigs(self, query: GigSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        text = words(query.text)

        def candidate(doc: GigDoc) -> _Candidate | None:
            if query.now_ms is not None and doc.deadline_ms is not None and doc.deadline_ms <= query.now_ms:
                return None  # past its deadline
            if query.category is not None and doc.category != query.category:
                return None
            if query.skills and not query.skills & {s.lower() for s in doc.skills}:
                return None
            if query.currency is not None and doc.currency != query.currency:
                return None
            if query.budget_min is not None and doc.budget_max < query.budget_min:
                return None
            if query.budget_max is not None and doc.budget_min > query.budget_max:
                return None
            distance = _distance(query.point, query.radius_km, doc.location)
            if distance is False:
                return None
            score = _score(text, [(2.0, words(doc.title)), (1.0, words(doc.description)),
                                  (1.0, words(" ".join(doc.skills)))]) if text else 1.0
            if score <= 0:
                return None
            km = distance if isinstance(distance, float) else None
            if query.sort == "newest":
                key: tuple[Any, ...] = (-doc.created_ms, doc.id)
            elif query.sort == "distance" or (not text and km is not None):
                key = (km if km is not None else 0.0, doc.id)
            else:
                key = (-score, doc.id)
            return _Candidate(doc.id, score, km, key)

        return self._page(query, self.gigs.values(), candidate, after)

    def search_freelancers(self, query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        text = words(query.text)

        def candidate(doc: FreelancerDoc) -> _Candidate | None:
            if query.skills and not query.skills <= {s.lower() for s in doc.skills}:
                return None
            if query.max_rate is not None and doc.hourly_rate > query.max_rate:
                return None
            if query.currency is not None and doc.currency != query.currency:
                return None
            if query.availability is not None and doc.availability != query.availability:
                return None
            distance = _distance(query.point, query.radius_km, doc.location)
            if distance is False:
                return None
            score = _score(text, [(2.0, words(doc.headline)), (1.0, words(doc.bio)),
                                  (1.0, words(" ".join(doc.skills)))]) if text else 1.0
            if score <= 0:
                return None
            km = distance if isinstance(distance, float) else None
            if query.sort == "rating":
                key: tuple[Any, ...] = (-doc.rating, doc.id)
            elif query.sort == "distance" or (not text and km is not None):
                key = (km if km is not None else 0.0, doc.id)
            else:
                key = (-score, doc.id)
            return _Candidate(doc.id, score, km, key)

        return self._page(query, self.freelancers.values(), candidate, after)

    def _page(self, query: GigSearch | FreelancerSearch, docs: Any, candidate: Callable[[Any], _Candidate | None],
              after: Mapping[str, Any] | None) -> SearchPage:
        found = self._matches.get(query)
        if found is None:
            found = sorted((c for c in map(candidate, docs) if c is not None), key=lambda c: c.key)
            self._matches[query] = found
        total = len(found)
        if after is not None:
            start = tuple(after["key"])
            found = found[bisect.bisect_right([c.key for c in found], start):]
        page = found[:query.limit]
        more = len(found) > query.limit
        return SearchPage(hits=[SearchHit(c.id, c.score, c.distance_km) for c in page],
                          after={"key": list(page[-1].key)} if more else None, total=total)


def _distance(point: GeoPoint | None, radius_km: float | None, location: GeoPoint | None) -> float | bool:
    """The distance in km when a point is asked (False when out of the radius or unplaced), else True."""
    if point is None:
        return True
    if location is None:
        return False
    km = haversine_km(point.lat, point.lng, location.lat, location.lng)
    return km if radius_km is None or km <= radius_km else False

