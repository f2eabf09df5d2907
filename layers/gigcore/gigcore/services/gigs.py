"""Gigs: create, read, update, cancel, the owner's list, and "near me" for gigs and freelancers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gigcore.domain.clock import parse_rfc3339
from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError, NotFoundError
from gigcore.domain.gigs import Budget, Gig, GigAction, GigStatus, check_gig
from gigcore.domain.ids import new_id
from gigcore.domain.users import Location, Principal, User
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged, nobody_listens
from gigcore.ports.gigs import GeoIndex, GigPage, GigReader, PendingApplicationsRejector
from gigcore.ports.reads import Reads
from gigcore.ports.unit_of_work import UnitOfWorkFactory
from gigcore.schemas.gigs import BudgetBody, CreateGigRequest, PatchGigRequest, gig_out
from gigcore.services import nearby
from gigcore.services.retry import retry_on_conflict

GIG_CREATED = "gig.created"
GIG_UPDATED = "gig.updated"
GIG_CLOSED = "gig.closed"
SEARCH_QUEUE = "search-indexing"
MATCHING_QUEUE = "gig-matching"

_SAVE_ATTEMPTS = 3


def _budget(body: BudgetBody) -> Budget:
    return Budget(min=body.min, max=body.max, type=body.type)


def gig_event(kind: str, queue: str, gig: Gig) -> OutboxEvent:
    """An event about ``gig`` with its whole representation (search indexing, matching, its lifecycle)."""
    payload = {"gig_id": gig.id, "owner_id": gig.owner_id, "status": gig.status, "version": gig.version,
               "gig": gig_out(gig).model_dump(mode="json")}
    return OutboxEvent(id=new_id(), type=kind, queue=queue, payload=payload)


def get_gig(gig_id: str, *, gigs: Reads[str, Gig]) -> Gig:
    """The gig (:class:`NotFoundError` when absent). ``gigs`` may be a read cache's (a copy up to its TTL old)
    only for reads that change nothing: writes read the stored gig."""
    gig = gigs.get(gig_id)
    if gig is None:
        raise NotFoundError("The gig does not exist.")
    return gig


def create_gig(principal: Principal, cmd: CreateGigRequest, *, uow: UnitOfWorkFactory, now: datetime) -> Gig:
    """Post a gig (clients only: 403 otherwise). Records ``gig.created`` for search indexing and for matching."""
    if not principal.has_role("client"):
        raise ForbiddenError("Only clients post gigs.")
    gig = Gig(
        id=new_id(),
        owner_id=principal.user_id,
        title=cmd.title,
        description=cmd.description,
        category=cmd.category,
        skills=tuple(cmd.skills),
        budget=_budget(cmd.budget),
        location=Location(cmd.location.lat, cmd.location.lng) if cmd.location else None,
        remote=cmd.remote,
        urgency=cmd.urgency,
        deadline=parse_rfc3339(cmd.deadline) if cmd.deadline else None,
        status="open",
        created_at=now,
        updated_at=now,
    )
    check_gig(gig, now)
    unit = uow()
    stored = unit.gigs.add(gig)
    unit.record(gig_event(GIG_CREATED, SEARCH_QUEUE, stored), gig_event(GIG_CREATED, MATCHING_QUEUE, stored))
    unit.commit()
    return stored


def _change(gig_id: str, action: GigAction, uow: UnitOfWorkFactory, now: datetime,
            change: Callable[[Gig], Gig], check_owner: str | None, changed: ChangeListener) -> Gig:
    """Read, apply ``action`` through the state machine, write with its condition; retry a lost race.

    ``changed`` hears of the gig whatever happens (a refused write may have met a change made elsewhere)."""
    try:
        return retry_on_conflict(lambda: _change_once(gig_id, action, uow, now, change, check_owner),
                                 attempts=_SAVE_ATTEMPTS)
    finally:
        changed(EntityChanged("gig", gig_id))


def _change_once(gig_id: str, action: GigAction, uow: UnitOfWorkFactory, now: datetime,
                 change: Callable[[Gig], Gig], check_owner: str | None) -> Gig:
    unit = uow()
    current = get_gig(gig_id, gigs=unit.gigs)
    if check_owner is not None and current.owner_id != check_owner:
        raise ForbiddenError("Only the gig's owner can do this.")
    moved = current.moved(action, now)
    stored = unit.gigs.save(change(current).changed(status=moved.status, updated_at=now),
                            expected_status=current.status)
    kind = GIG_UPDATED if stored.status == "open" else GIG_CLOSED
    unit.record(gig_event(kind, SEARCH_QUEUE, stored))
    if kind == GIG_CLOSED:  # the gig lifecycle consumer rejects its open applications
        unit.record(gig_event(GIG_CLOSED, MATCHING_QUEUE, stored))
    unit.commit()
    return stored


def update_gig(principal: Principal, gig_id: str, cmd: PatchGigRequest, *, uow: UnitOfWorkFactory,
               now: datetime, changed: ChangeListener = nobody_listens) -> Gig:
    """Change an open gig (owner only: 403; not open: 409 ``invalid_state``). Records ``gig.updated``.

    The budget's currency is fixed once the gig has an application (409 ``invalid_state``): applications, the
    contract and its milestones are all in the gig's currency. An apply bumps the gig's version, so the
    write (conditioned on the version read) cannot miss one that lands meanwhile."""
    fields = cmd.model_fields_set

    def change(gig: Gig) -> Gig:
        updated = gig
        if "title" in fields and cmd.title is not None:
            updated = updated.changed(title=cmd.title)
        if "description" in fields and cmd.description is not None:
            updated = updated.changed(description=cmd.description)
        if "category" in fields and cmd.category is not None:
            updated = updated.changed(category=cmd.category)
        if "skills" in fields and cmd.skills is not None:
            updated = updated.changed(skills=tuple(cmd.skills))
        if "budget" in fields and cmd.budget is not None:
            budget = _budget(cmd.budget)
            if budget.min.currency != gig.budget.min.currency and gig.application_count > 0:
                raise InvalidStateError(
                    "The gig has applications in its currency; its budget's currency can no longer change.",
                    details=[ErrorDetail(field="budget.min.currency", issue=f"must stay {gig.budget.min.currency}")])
            updated = updated.changed(budget=budget)
        if "location" in fields:
            updated = updated.changed(location=Location(cmd.location.lat, cmd.location.lng) if cmd.location
                                      else None)
        if "remote" in fields and cmd.remote is not None:
            updated = updated.changed(remote=cmd.remote)
        if "urgency" in fields and cmd.urgency is not None:
            updated = updated.changed(urgency=cmd.urgency)
        if "deadline" in fields:
            updated = updated.changed(deadline=parse_rfc3339(cmd.deadline) if cmd.deadline else None)
        check_gig(updated, now, deadline_changed="deadline" in fields)
        return updated

    return _change(gig_id, "edit", uow, now, change, check_owner=principal.user_id, changed=changed)


def cancel_gig(principal: Principal, gig_id: str, *, uow: UnitOfWorkFactory, now: datetime,
               rejector: PendingApplicationsRejector | None = None,
               changed: ChangeListener = nobody_listens) -> Gig:
    """Cancel an open gig (owner only). It leaves the geo index; ``gig.closed`` is recorded.

    Pending applications are rejected through ``rejector`` once the gig is cancelled (the applications area
    supplies it; until then there are none). A retry after a failure between the two finds the gig
    cancelled (409) and the rejector, being idempotent, can be run again from ``gig.closed``.
    """
    gig = _change(gig_id, "cancel", uow, now, lambda g: g, check_owner=principal.user_id, changed=changed)
    if rejector is not None:
        rejector.reject_pending(gig, now)
    return gig


def apply_action(gig_id: str, action: GigAction, *, uow: UnitOfWorkFactory, now: datetime,
                 changed: ChangeListener = nobody_listens) -> Gig:
    """Move a gig through the state machine on behalf of another area (an accepted application, a completed
    contract). No owner check: the caller's own rules decided."""
    return _change(gig_id, action, uow, now, lambda g: g, check_owner=None, changed=changed)


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
    """Open gigs within the radius whose deadline has not passed, nearest first, each with its distance."""
    page = nearby.nearest(index, query, position)
    found = gigs.get_many([hit.entry.id for hit in page.hits])
    # The index is written in the gig's own transaction; an eventually consistent read may lag a just-closed gig.
    # A gig past its deadline stays open and indexed (docs/geo.md) but is no longer shown.
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

