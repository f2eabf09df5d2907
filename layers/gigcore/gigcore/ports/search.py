"""The ``SearchIndex`` port: full text + geo + filters over gigs and freelancer profiles.

Two adapters implement it: OpenSearch in the cloud, tantivy on local disk (``docs/search.md``). One
contract test suite (``tests/integration/test_search_contract.py``) runs against each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

GigSort = Literal["relevance", "distance", "newest"]
FreelancerSort = Literal["relevance", "distance", "rating"]
Kind = Literal["gigs", "freelancers"]


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lng: float


@dataclass(frozen=True)
class GigDoc:
    """What the index holds of a gig. ``open`` False makes the write a delete (a closed gig leaves the index).

    ``deadline_ms``: the gig's deadline in milliseconds since the epoch, rounded up (None: no deadline); a
    search with ``now_ms`` leaves the gig out once that moment is not before it.
    """

    id: str
    version: int
    open: bool
    title: str = ""
    description: str = ""
    skills: tuple[str, ...] = ()
    category: str = ""
    location: GeoPoint | None = None
    budget_min: int = 0
    budget_max: int = 0
    currency: str = ""
    created_ms: int = 0
    deadline_ms: int | None = None


@dataclass(frozen=True)
class FreelancerDoc:
    """What the index holds of a freelancer. ``listed`` False removes them (no profile, or unavailable)."""

    id: str
    version: int
    listed: bool
    headline: str = ""
    bio: str = ""
    skills: tuple[str, ...] = ()
    location: GeoPoint | None = None
    hourly_rate: int = 0
    currency: str = ""
    availability: str = ""
    rating: float = 0.0


@dataclass(frozen=True)
class GigSearch:
    """A search of open gigs. Text may be empty (then every gig matches, with an equal score).

    ``budget_min``/``budget_max`` keep gigs whose budget range overlaps ``[budget_min, budget_max]``;
    ``skills`` keeps gigs asking for any of them (lower-case). With ``point``, ``radius_km`` is required.
    ``now_ms`` (milliseconds since the epoch) keeps gigs without a deadline or whose deadline is after it,
    so a page of ``limit`` hits holds gigs still taking applications; None compares no deadline.
    """

    text: str = ""
    point: GeoPoint | None = None
    radius_km: float | None = None
    category: str | None = None
    skills: frozenset[str] = frozenset()
    budget_min: int | None = None
    budget_max: int | None = None
    currency: str | None = None
    sort: GigSort = "relevance"
    limit: int = 20
    now_ms: int | None = None


@dataclass(frozen=True)
class FreelancerSearch:
    """A search of listed freelancers: ``skills`` keeps those with all of them; ``max_rate`` in minor units."""

    text: str = ""
    point: GeoPoint | None = None
    radius_km: float | None = None
    skills: frozenset[str] = frozenset()
    max_rate: int | None = None
    currency: str | None = None
    availability: str | None = None
    sort: FreelancerSort = "relevance"
    limit: int = 20


@dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    distance_km: float | None = None


@dataclass(frozen=True)
class SearchPage:
    """Hits in order; ``after`` is where the next page starts (adapter-defined, JSON-serialisable), or None."""

    hits: list[SearchHit]
    after: Mapping[str, Any] | None = None
    #: Matches in all (may be a lower bound on OpenSearch).
    total: int = 0


class SearchIndex(Protocol):
    """Gigs and freelancers, searchable by text, place and filters.

    Writes are idempotent on ``version``: a document older than (or as old as) the one indexed is ignored,
    and a delete is remembered with its version, so a late, older write never brings a document back.
    Reads are eventually consistent: a write is visible within ``refresh`` (about 1 s). Adapters raise
    :class:`UpstreamUnavailableError`, or :class:`RetryableError` when the engine is busy.
    """

    def put_gigs(self, docs: Sequence[GigDoc]) -> int:
        """Index (``open``) or delete (not ``open``) each gig; returns how many were newer and applied."""

    def put_freelancers(self, docs: Sequence[FreelancerDoc]) -> int:
        """Index (``listed``) or delete each freelancer; returns how many were applied."""

    def search_gigs(self, query: GigSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        """Open gigs matching ``query`` (none past its deadline at ``query.now_ms``), from ``after`` (a previous
        page's ``after``) on."""

    def search_freelancers(self, query: FreelancerSearch, after: Mapping[str, Any] | None = None) -> SearchPage:
        """Listed freelancers matching ``query``, from ``after`` on."""

    def clear(self, kind: Kind) -> None:
        """Forget every document of ``kind`` (before a full reindex)."""
