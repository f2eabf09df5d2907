"""Search: keeping the index in step with gigs (the search-indexing consumer) and answering searches.

The index is fed only from outbox events (``gig.created``/``gig.updated``/``gig.closed`` carry the whole gig
and its version), so it is idempotent on version and a closed gig leaves it. A search reads the hits'
gigs back from the table and drops any that is no longer open: a result never shows a closed gig, even
in the second before its ``gig.closed`` is indexed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gigcore.domain.clock import parse_rfc3339
from gigcore.domain.gigs import Gig
from gigcore.ports import OutboxEvent
from gigcore.ports.gigs import GigRepository
from gigcore.ports.search import GeoPoint, GigDoc, GigSearch, SearchIndex


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
        created_ms=int(parse_rfc3339(str(gig["created_at"])).timestamp() * 1000))


def doc_of(gig: Gig) -> GigDoc:
    """The index document of a stored gig (for a reindex from the table)."""
    from gigcore.schemas.gigs import gig_out

    return gig_doc(gig_out(gig).model_dump(mode="json"), gig.version)


def index_gig_event(event: OutboxEvent, *, index: SearchIndex) -> None:
    """Apply one ``gig.*`` event; an older version than the one indexed is ignored."""
    index.put_gigs([gig_doc(event.payload["gig"], int(event.payload["version"]))])


@dataclass(frozen=True)
class GigHit:
    gig: Gig
    score: float
    distance_km: float | None


@dataclass(frozen=True)
class GigResults:
    items: list[GigHit]
    after: Mapping[str, Any] | None


def search_gigs(query: GigSearch, after: Mapping[str, Any] | None, *, index: SearchIndex,
                gigs: GigRepository) -> GigResults:
    page = index.search_gigs(query, after)
    found = gigs.get_many([h.id for h in page.hits])
    items = [GigHit(found[h.id], round(h.score, 4), None if h.distance_km is None else round(h.distance_km, 4))
             for h in page.hits if h.id in found and found[h.id].status == "open"]
    return GigResults(items=items, after=page.after)
