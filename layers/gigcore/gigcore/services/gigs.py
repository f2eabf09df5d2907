"""Gigs: create, read, update, cancel, the owner's list, and "near me" for gigs and freelancers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from gigcore.domain.clock import epoch_seconds
from gigcore.domain.errors import ForbiddenError, NotFoundError
from gigcore.domain.gigs import GIG_CLOSED as GIG_CLOSED  # the event types, named where their queues are
from gigcore.domain.gigs import GIG_CREATED as GIG_CREATED
from gigcore.domain.gigs import GIG_UPDATED as GIG_UPDATED
from gigcore.domain.gigs import (
    Gig,
    GigChange,
    GigChanges,
    GigDraft,
    GigEventType,
    GigStatus,
)
from gigcore.domain.ids import new_id
from gigcore.domain.users import Principal, User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged, nobody_listens
from gigcore.ports.gigs import GeoIndex, GigPage, GigReader, PendingApplicationsRejector
from gigcore.ports.reads import Reads
from gigcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from gigcore.services import nearby
from gigcore.services.retry import retry_on_conflict

SEARCH_QUEUE = "search-indexing"
MATCHING_QUEUE = "gig-matching"

#: Who hears each gig event: search keeps its index; matching tells nearby freelancers of a new gig; the gig
#: lifecycle consumer (on the matching queue) rejects the open applications of a closed gig.
EVENT_QUEUES: Mapping[GigEventType, tuple[str, ...]] = {
    GIG_CREATED: (SEARCH_QUEUE, MATCHING_QUEUE),
    GIG_UPDATED: (SEARCH_QUEUE,),
    GIG_CLOSED: (SEARCH_QUEUE, MATCHING_QUEUE),
}

_SAVE_ATTEMPTS = 3


def gig_event(kind: str, queue: str, gig: Gig) -> OutboxEvent:
    """An event about ``gig`` with its whole representation (search indexing, matching, its lifecycle)."""
    return OutboxEvent(id=new_id(), type=kind, queue=queue, payload=gig.event_payload())


def record_gig_events(unit: UnitOfWork, event: GigEventType, stored: Gig) -> None:
    """``event`` about ``stored`` (the gig as written) recorded in ``unit`` for every queue that hears it."""
    unit.record(*(gig_event(event, queue, stored) for queue in EVENT_QUEUES[event]))


def get_gig(gig_id: str, *, gigs: Reads[str, Gig]) -> Gig:
    """The gig (:class:`NotFoundError` when absent). ``gigs`` may be a read cache's (a copy up to its TTL old)
    only for reads that change nothing: writes read the stored gig."""
    gig = gigs.get(gig_id)
    if gig is None:
        raise NotFoundError("The gig does not exist.")
    return gig


def create_gig(principal: Principal, draft: GigDraft, *, uow: UnitOfWorkFactory, now: datetime) -> Gig:
    """Post a gig (clients only: 403 otherwise; 422 for a rule across fields). Records ``gig.created`` for search
    indexing and for matching."""
    if not principal.has_role("client"):
        raise ForbiddenError("Only clients post gigs.")
    posted = Gig.post(draft, gig_id=new_id(), owner_id=principal.user_id, now=now)
    unit = uow()
    stored = unit.gigs.add(posted.gig)
    record_gig_events(unit, posted.event, stored)
    unit.commit()
    return stored


def _change(principal: Principal, gig_id: str, change: Callable[[Gig], GigChange], *, uow: UnitOfWorkFactory,
            changed: ChangeListener) -> Gig:
    """The owner's change of a gig: read, ``change`` it (the domain checks the state machine and its rules),
    write it with its condition and record its event; retry a lost race. 403 for anyone but the owner.

    ``changed`` hears of the gig whatever happens (a refused write may have met a change made elsewhere)."""

    def attempt() -> Gig:
        unit = uow()
        current = get_gig(gig_id, gigs=unit.gigs)
        if current.owner_id != principal.user_id:
            raise ForbiddenError("Only the gig's owner can do this.")
        after = change(current)
        stored = unit.gigs.save(after.gig, expected_status=current.status)
        record_gig_events(unit, after.event, stored)
        unit.commit()
        return stored

    try:
        return retry_on_conflict(attempt, attempts=_SAVE_ATTEMPTS)
    finally:
        changed(EntityChanged("gig", gig_id))


def update_gig(principal: Principal, gig_id: str, changes: GigChanges, *, uow: UnitOfWorkFactory,
               now: datetime, changed: ChangeListener = nobody_listens) -> Gig:
    """Change an open gig (owner only: 403; not open: 409 ``invalid_state``; the rules of :meth:`Gig.edit`).
    Records ``gig.updated``. An apply bumps the gig's version, so the write (conditioned on the version read)
    cannot miss one that lands meanwhile (the budget's currency is fixed once the gig has an application)."""
    return _change(principal, gig_id, lambda gig: gig.edit(changes, now), uow=uow, changed=changed)


def cancel_gig(principal: Principal, gig_id: str, *, uow: UnitOfWorkFactory, now: datetime,
               rejector: PendingApplicationsRejector | None = None,
               changed: ChangeListener = nobody_listens) -> Gig:
    """Cancel an open gig (owner only). It leaves the geo index; ``gig.closed`` is recorded.

    Pending applications are rejected through ``rejector`` once the gig is cancelled (the applications area
    supplies it; until then there are none). A retry after a failure between the two finds the gig
    cancelled (409) and the rejector, being idempotent, can be run again from ``gig.closed``.
    """
    gig = _change(principal, gig_id, lambda current: current.cancel(now), uow=uow, changed=changed)
    if rejector is not None:
        rejector.reject_pending(gig, now)
    return gig


def my_gigs(principal: Principal, *, status: GigStatus | None, limit: int, after: dict[str, str] | None,
            gigs: GigReader) -> GigPage:
    """The caller's gigs, newest first (clients only)."""
    if not principal.has_role("client"):
        raise ForbiddenError("Only clients have gigs of their own.")
    return gigs.by_owner(principal.user_id, status=status, limit=limit, after=after)


@dataclass(frozen=True)
class NearbyResult:
    items: list[tuple[Any, float]]
    next_position: dict[str, Any] | None
    stats: nearby.SearchStats


def gigs_near(query: nearby.NearbyQuery, position: Mapping[str, Any] | None, *, index: GeoIndex,
              gigs: Reads[str, Gig], now: datetime) -> NearbyResult:
    """Open gigs within the radius whose deadline has not passed, nearest first, each with its distance. An
    entry past its gig's deadline (until the table's time to live deletes it) takes no place on the page."""
    alive = replace(query, filters=replace(query.filters, alive_at=epoch_seconds(now)))
    page = nearby.nearest(index, alive, position)
    found = gigs.get_many([hit.entry.id for hit in page.hits])
    # The index is written in the gig's own transaction; an eventually consistent read may lag a just-closed gig.
    # A gig past its deadline stays open (docs/geo.md) but is no longer shown; its entry (until TTL deletes it)
    # was left out above unless it was written without its deadline.
    items: list[tuple[Any, float]] = [(found[h.entry.id], h.distance_km) for h in page.hits
                                      if h.entry.id in found and found[h.entry.id].takes_applications(now)]
    return NearbyResult(items=items, next_position=page.next_position, stats=page.stats)


def freelancers_near(query: nearby.NearbyQuery, position: Mapping[str, Any] | None, *, index: GeoIndex,
                     users: UserRepository) -> NearbyResult:
    """Freelancers (available or busy) within the radius, nearest first, each with its distance."""
    page = nearby.nearest(index, query, position)
    found = users.get_many([h.entry.id for h in page.hits])
    items: list[tuple[Any, float]] = []
    for hit in page.hits:
        user: User | None = found.get(hit.entry.id)
        if user is not None and user.freelancer_profile is not None:
            items.append((user, hit.distance_km))
    return NearbyResult(items=items, next_position=page.next_position, stats=page.stats)

