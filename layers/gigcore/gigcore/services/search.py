"""Search: keeping the index in step with gigs (the search-indexing consumer) and answering searches.

The index is fed only from outbox events (``gig.created``/``gig.updated``/``gig.closed`` carry the whole gig
and its version), so it is idempotent on version and a closed gig leaves it. A gig's document carries its
deadline and a search the moment it is made, so the index itself leaves out gigs past their deadline (no
event marks that moment). A search then reads the hits' gigs back from the table and drops any that no
longer takes applications: a result never shows a closed gig, even in the second before its ``gig.closed``
is indexed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from gigcore.domain.clock import epoch_ms, parse_rfc3339, to_rfc3339
from gigcore.domain.gigs import Gig
from gigcore.domain.users import User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.gigs import GigReader
from gigcore.ports.search import FreelancerDoc, FreelancerSearch, GeoPoint, GigDoc, GigSearch, SearchIndex, SearchPage


def gig_doc(gig: Mapping[str, Any], version: int) -> GigDoc:
    """The index document of a gig in its API shape (as the outbox payload carries it)."""
    location = gig.get("location")
    budget = gig["budget"]
    return GigDoc(
        id=str(gig["id"]), version=version, open=gig["status"] == "open", title=str(gig["title"]),
        description=str(gig["description"]), skills=tuple(str(s) for s in gig.get("skills", ())),
        category=str(gig["category"]), location=GeoPoint(float(location["lat"]), float(location["lng"]))
        if location else None, budget_min=int(budget["min"]["amount"]), budget_max=int(budget["max"]["amount"]),
        currency=str(budget["min"]["currency"]),
        created_ms=int(parse_rfc3339(str(gig["created_at"])).timestamp() * 1000),
        deadline_ms=epoch_ms(parse_rfc3339(str(gig["deadline"])), round_up=True) if gig.get("deadline") else None)


def doc_of(gig: Gig) -> GigDoc:
    """The index document of a stored gig (for a reindex from the table): the same document as
    :func:`gig_doc` makes of the gig's API shape, the times as that shape carries them."""
    return GigDoc(
        id=gig.id, version=gig.version, open=gig.status == "open", title=gig.title, description=gig.description,
        skills=tuple(gig.skills), category=gig.category,
        location=GeoPoint(float(gig.location.lat), float(gig.location.lng)) if gig.location else None,
        budget_min=int(gig.budget.min.amount), budget_max=int(gig.budget.max.amount),
        currency=str(gig.budget.min.currency),
        created_ms=int(parse_rfc3339(to_rfc3339(gig.created_at)).timestamp() * 1000),
        deadline_ms=epoch_ms(gig.deadline, round_up=True) if gig.deadline else None)


def index_gig_event(event: OutboxEvent, *, index: SearchIndex) -> None:
    """Apply one ``gig.*`` event; an older version than the one indexed is ignored.

    An event without the gig (only ``gig_id``: nothing to index) is left to the queue's other handlers.
    """
    gig = event.payload.get("gig")
    if gig is None or "version" not in event.payload:
        return
    index.put_gigs([gig_doc(gig, int(event.payload["version"]))])


def freelancer_doc(user_id: str, version: int, listed: bool, profile: Mapping[str, Any] | None) -> FreelancerDoc:
    if not listed or profile is None:
        return FreelancerDoc(id=user_id, version=version, listed=False)
    return FreelancerDoc(
        id=user_id, version=version, listed=True, headline=str(profile["headline"]), bio=str(profile["bio"]),
        skills=tuple(str(s) for s in profile["skills"]),
        location=GeoPoint(float(profile["lat"]), float(profile["lng"])),
        hourly_rate=int(profile["hourly_rate"]), currency=str(profile["currency"]),
        availability=str(profile["availability"]), rating=float(profile["rating"]))


def index_freelancer_event(event: OutboxEvent, *, index: SearchIndex) -> None:
    """Apply one ``freelancer.changed`` event (version-idempotent; not listed removes them)."""
    p = event.payload
    index.put_freelancers([freelancer_doc(str(p["user_id"]), int(p["version"]), bool(p["listed"]), p.get("profile"))])


@dataclass(frozen=True)
class GigHit:
    gig: Gig
    score: float
    distance_km: float | None


@dataclass(frozen=True)
class FreelancerHit:
    user: User
    score: float
    distance_km: float | None


H = TypeVar("H", GigHit, FreelancerHit)
T = TypeVar("T")


@dataclass(frozen=True)
class Results(Generic[H]):
    items: list[H]
    after: Mapping[str, Any] | None


GigResults = Results[GigHit]
FreelancerResults = Results[FreelancerHit]


def _read_back(page: SearchPage, found: Mapping[str, T], keep: Callable[[T], bool],
               hit: Callable[[T, float, float | None], H]) -> Results[H]:
    """The page's hits as the table has them now (``found`` by id), in the index's order: a hit the table no
    longer has, or whose item ``keep`` refuses, is dropped; score and distance rounded to 4 decimals."""
    items = [hit(found[h.id], round(h.score, 4), None if h.distance_km is None else round(h.distance_km, 4))
             for h in page.hits if h.id in found and keep(found[h.id])]
    return Results(items=items, after=page.after)


def search_gigs(query: GigSearch, after: Mapping[str, Any] | None, *, index: SearchIndex,
                gigs: GigReader, now: datetime) -> GigResults:
    """Open gigs whose deadline has not passed at ``now``: the index leaves out those past their deadline
    (``query.now_ms`` is set from ``now``), and the page is read back from the table, which drops any gig
    closed (or given an earlier deadline) since it was indexed (docs/search.md)."""
    page = index.search_gigs(replace(query, now_ms=epoch_ms(now)), after)
    return _read_back(page, gigs.get_many([h.id for h in page.hits]), lambda gig: gig.takes_applications(now),
                      GigHit)


def search_freelancers(query: FreelancerSearch, after: Mapping[str, Any] | None, *, index: SearchIndex,
                       users: UserRepository) -> FreelancerResults:
    """Listed freelancers (read back from the table: a hit whose user no longer has a profile is dropped)."""
    page = index.search_freelancers(query, after)
    return _read_back(page, users.get_many([h.id for h in page.hits]),
                      lambda user: user.freelancer_profile is not None, FreelancerHit)
