"""Gig matching: when a gig is posted, the available freelancers it is for hear of it (``gig.nearby_match``).

A freelancer matches a gig when the gig lies within their service radius and their skills overlap the gig's
(a gig that lists no skills matches on its category as a skill). Nobody gets more than
``GIG_MATCHES_PER_DAY`` matches a day (UTC days), counted per gig so that a retried batch is not counted twice.

The matcher runs on the ``gig-matching`` queue. It reads the freelancer geo index within the largest service
radius a profile may give (one full-radius read, see :func:`gigcore.services.nearby.within`), keeps those
whose own radius reaches the gig, claims the daily quota for them, and hands one message per freelancer to
the ``notifications`` queue, where the fan-out consumer (preferences, quiet hours, channels) takes over. The
message id is ``match:<gig>:<freelancer>``: the fan-out stores one notification per id, so a retry anywhere on
the way sends nobody the same match twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from gigcore.ports import OutboxEvent, Queue
from gigcore.ports.gigs import GeoIndex
from gigcore.ports.notifications import MatchQuota
from gigcore.services import nearby
from gigcore.services.nearby import GeoFilter, Hit, NearbyQuery

MATCH = "gig.nearby_match"
NOTIFICATIONS_QUEUE = "notifications"


@dataclass(frozen=True)
class MatchingPorts:
    freelancers: GeoIndex
    quota: MatchQuota
    queue: Queue


@dataclass(frozen=True)
class MatchingPolicy:
    per_day: int
    search_km: float


@dataclass(frozen=True)
class MatchReport:
    candidates: int
    sent: int
    over_quota: int


def wanted_skills(gig: Mapping[str, Any]) -> frozenset[str]:
    skills = frozenset(str(s).strip().lower() for s in gig.get("skills") or () if str(s).strip())
    return skills or frozenset({str(gig.get("category", "")).strip().lower()}) - {""}


def candidates(gig: Mapping[str, Any], *, index: GeoIndex, search_km: float) -> list[Hit]:
    """The available freelancers whose service radius reaches ``gig`` and whose skills overlap it, nearest first."""
    location = gig.get("location")
    wanted = wanted_skills(gig)
    if gig.get("status") != "open" or not location or not wanted:
        return []
    query = NearbyQuery(lat=float(location["lat"]), lng=float(location["lng"]), radius_km=search_km,
                        filters=GeoFilter(skills_any=wanted, availability="available"))
    hits, _ = nearby.within(index, query)
    owner = gig.get("owner_id")
    return [h for h in hits if h.entry.id != owner and h.distance_km <= (h.entry.reach_km or 0.0)]


def match_gig(event: OutboxEvent, *, ports: MatchingPorts, policy: MatchingPolicy, now: datetime) -> MatchReport:
    """Match one ``gig.created`` event (its payload holds the gig as the API shows it)."""
    gig = dict(event.payload.get("gig") or {})
    found = candidates(gig, index=ports.freelancers, search_km=policy.search_km)
    if not found:
        return MatchReport(candidates=0, sent=0, over_quota=0)
    day = now.date().isoformat()
    expires = int((now + timedelta(days=2)).timestamp())
    granted = ports.quota.claim([h.entry.id for h in found], day=day, gig_id=str(gig["id"]),
                                limit=policy.per_day, ttl_epoch=expires)
    messages = [
        {"id": f"match:{gig['id']}:{hit.entry.id}", "type": MATCH,
         "payload": {"user_id": hit.entry.id, "gig_id": gig["id"], "gig_title": gig.get("title", ""),
                     "distance_km": round(hit.distance_km, 1)}}
        for hit in found if hit.entry.id in granted
    ]
    ports.queue.send_many(NOTIFICATIONS_QUEUE, messages)
    return MatchReport(candidates=len(found), sent=len(messages), over_quota=len(found) - len(messages))
