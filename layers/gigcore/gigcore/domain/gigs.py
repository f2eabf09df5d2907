"""Gigs: the entity, its rules and its state machine (pure, no I/O).

A gig changes through its own methods (:meth:`Gig.post`, :meth:`Gig.edit`, :meth:`Gig.cancel`, :meth:`Gig.fill`),
each answering the gig after the change and the event it records (:class:`GigChange`); the service writes the
gig and records the event with the gig as written (:meth:`Gig.event_payload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import Enum
from typing import Any, Literal, NamedTuple

from gigcore.domain.clock import epoch_seconds, to_rfc3339
from gigcore.domain.errors import ErrorDetail, InvalidStateError, ValidationError
from gigcore.domain.geo import GeoEntry
from gigcore.domain.money import Money
from gigcore.domain.states import StateMachine
from gigcore.domain.users import Location

GigStatus = Literal["open", "in_progress", "completed", "cancelled"]
GigAction = Literal["edit", "accept_application", "cancel", "complete", "cancel_contract", "reopen"]
BudgetType = Literal["fixed", "hourly"]
Urgency = Literal["low", "medium", "high"]

GIG_STATUSES: tuple[GigStatus, ...] = ("open", "in_progress", "completed", "cancelled")

#: The gig state machine, as data: (status, action) -> the status after it. Nothing else is allowed.
#: Writes re-check it with a condition on the stored status (see ``GigRepository.save``).
GIG_TRANSITIONS: Mapping[tuple[GigStatus, GigAction], GigStatus] = {
    ("open", "edit"): "open",
    ("open", "cancel"): "cancelled",
    ("open", "accept_application"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("in_progress", "cancel_contract"): "cancelled",
    ("in_progress", "reopen"): "open",  # its contract was cancelled before any money moved
    # a completed gig whose every milestone was then refunded follows its contract (docs/escrow.md)
    ("completed", "cancel_contract"): "cancelled",
}

#: What a gig does when its contract ends (:meth:`Gig.follow_contract`).
_FOLLOWING_CONTRACT: Mapping[str, GigAction] = {"open": "reopen", "cancelled": "cancel_contract",
                                                "completed": "complete"}

#: Only open gigs are in the geo index ("near me" shows open gigs; closed ones leave it).
INDEXED_STATUSES: frozenset[GigStatus] = frozenset({"open"})


#: The status after an action (409 ``invalid_state`` when the machine does not allow it).
next_status = StateMachine("A gig", GIG_TRANSITIONS).next

#: What a change of a gig tells the rest of the marketplace: search keeps its index, matching tells nearby
#: freelancers of a new gig, and a closed gig's open applications are rejected.
GigEventType = Literal["gig.created", "gig.updated", "gig.closed"]
GIG_CREATED: GigEventType = "gig.created"
GIG_UPDATED: GigEventType = "gig.updated"
GIG_CLOSED: GigEventType = "gig.closed"


@dataclass(frozen=True)
class Budget:
    min: Money
    max: Money
    type: BudgetType


@dataclass(frozen=True)
class GigDraft:
    """What a gig says: what a client asks to post (the view builds it from the request; :meth:`Gig.post` checks
    it), and the part of a :class:`Gig` its owner may edit."""

    title: str
    description: str
    category: str
    skills: tuple[str, ...]
    budget: Budget
    location: Location | None
    remote: bool
    urgency: Urgency
    deadline: datetime | None


class Keep(Enum):
    """The value of a :class:`GigChanges` field that the edit leaves as the gig has it."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class GigChanges:
    """An edit of a gig: each field that is not :data:`KEEP` is its new value (``None`` removes the location or
    the deadline)."""

    title: str | Keep = KEEP
    description: str | Keep = KEEP
    category: str | Keep = KEEP
    skills: tuple[str, ...] | Keep = KEEP
    budget: Budget | Keep = KEEP
    location: Location | None | Keep = KEEP
    remote: bool | Keep = KEEP
    urgency: Urgency | Keep = KEEP
    deadline: datetime | None | Keep = KEEP

    def given(self) -> dict[str, Any]:
        """The fields the edit changes, with their new values."""
        given = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: value for name, value in given.items() if value is not KEEP}


class GigChange(NamedTuple):
    """A gig after a change, and the event the change records."""

    gig: Gig
    event: GigEventType


@dataclass(frozen=True)
class Gig(GigDraft):
    """A posted gig: what it says (its :class:`GigDraft` fields), whose it is, and how far it has gone."""

    id: str
    owner_id: str
    status: GigStatus
    created_at: datetime
    updated_at: datetime
    application_count: int = 0
    version: int = 0

    def changed(self, **changes: object) -> Gig:
        return replace(self, **changes)  # type: ignore[arg-type]

    def moved(self, action: GigAction, now: datetime) -> Gig:
        """This gig after ``action``, in the status the state machine answers (409 when not allowed)."""
        return replace(self, status=next_status(self.status, action), updated_at=now)

    @classmethod
    def post(cls, draft: GigDraft, *, gig_id: str, owner_id: str, now: datetime) -> GigChange:
        """A new open gig of ``owner_id`` (422 naming each rule across fields it breaks); records ``gig.created``."""
        said = {f.name: getattr(draft, f.name) for f in fields(GigDraft)}
        gig = cls(id=gig_id, owner_id=owner_id, status="open", created_at=now, updated_at=now, **said)
        check_gig(gig, now)
        return GigChange(gig, GIG_CREATED)

    def edit(self, changes: GigChanges, now: datetime) -> GigChange:
        """This open gig with ``changes`` (409 ``invalid_state`` when it is not open; 422 naming each rule across
        fields it breaks); records ``gig.updated``. The budget's currency is fixed once the gig has an
        application (409): applications, the contract and its milestones are all in the gig's currency."""
        moved = self.moved("edit", now)
        budget = changes.budget
        if (isinstance(budget, Budget) and budget.min.currency != self.budget.min.currency
                and self.application_count > 0):
            raise InvalidStateError(
                "The gig has applications in its currency; its budget's currency can no longer change.",
                details=[ErrorDetail(field="budget.min.currency", issue=f"must stay {self.budget.min.currency}")])
        edited = replace(moved, **changes.given())
        check_gig(edited, now, deadline_changed=changes.deadline is not KEEP)
        return GigChange(edited, GIG_UPDATED)

    def cancel(self, now: datetime) -> GigChange:
        """Cancelled by its owner while open (409 otherwise); records ``gig.closed`` (its open applications are
        rejected, it leaves search)."""
        return GigChange(self.moved("cancel", now), GIG_CLOSED)

    def fill(self, now: datetime) -> GigChange:
        """In progress: an application was accepted (409 when the gig is not open); records ``gig.closed``."""
        return GigChange(self.moved("accept_application", now), GIG_CLOSED)

    def follow_contract(self, outcome: Literal["open", "cancelled", "completed"], now: datetime) -> GigChange | None:
        """This gig after its contract ended: ``open`` again (the contract was cancelled before any money moved;
        records ``gig.updated``, so search finds it again), ``cancelled`` or ``completed`` (records
        ``gig.closed``). None when the gig's status does not follow (it already left ``in_progress``)."""
        action = _FOLLOWING_CONTRACT[outcome]
        if (self.status, action) not in GIG_TRANSITIONS:
            return None
        return GigChange(self.moved(action, now), GIG_UPDATED if outcome == "open" else GIG_CLOSED)

    def event_payload(self) -> dict[str, Any]:
        """What every event about this gig carries: its keys, and the gig as the API answers it (the JSON of
        ``schemas.gigs.GigOut``; tests/unit/test_gig_changes.py holds the two to one dict)."""
        location = self.location
        gig = {"id": self.id, "owner_id": self.owner_id, "title": self.title, "description": self.description,
               "category": self.category, "skills": list(self.skills),
               "budget": {"min": self.budget.min.model_dump(mode="json"),
                          "max": self.budget.max.model_dump(mode="json"), "type": self.budget.type},
               "location": {"lat": location.lat, "lng": location.lng} if location else None,
               "remote": self.remote, "urgency": self.urgency,
               "deadline": to_rfc3339(self.deadline) if self.deadline else None, "status": self.status,
               "application_count": self.application_count, "created_at": to_rfc3339(self.created_at),
               "updated_at": to_rfc3339(self.updated_at)}
        return {"gig_id": self.id, "owner_id": self.owner_id, "status": self.status, "version": self.version,
                "gig": gig}

    def takes_applications(self, now: datetime) -> bool:
        """Open, and its deadline (if any) not passed: what browsing shows and what may be applied to."""
        return self.status == "open" and (self.deadline is None or self.deadline > now)

    @property
    def indexed(self) -> bool:
        """True when the gig belongs in the geo index: open, with a location."""
        return self.status in INDEXED_STATUSES and self.location is not None


def geo_entry(gig: Gig) -> GeoEntry | None:
    """The gig's entry in the gig geo index, or None when it does not belong there."""
    if not gig.indexed or gig.location is None:
        return None
    return GeoEntry(id=gig.id, lat=gig.location.lat, lng=gig.location.lng, category=gig.category.lower(),
                    skills=frozenset(s.lower() for s in gig.skills), amount_min=gig.budget.min.amount,
                    amount_max=gig.budget.max.amount, currency=gig.budget.min.currency,
                    until=epoch_seconds(gig.deadline, round_up=True) if gig.deadline is not None else None)


def check_gig(gig: Gig, now: datetime, *, deadline_changed: bool = True) -> None:
    """The rules across fields; raises :class:`ValidationError` (422) naming each broken field."""
    problems: list[ErrorDetail] = []
    if gig.budget.min.currency != gig.budget.max.currency:
        problems.append(ErrorDetail(field="budget.max.currency", issue="must be the currency of budget.min"))
    elif gig.budget.max.amount < gig.budget.min.amount:
        problems.append(ErrorDetail(field="budget.max", issue="must not be below budget.min"))
    if gig.location is None and not gig.remote:
        problems.append(ErrorDetail(field="location", issue="required unless remote is true"))
    if deadline_changed and gig.deadline is not None and gig.deadline <= now:
        problems.append(ErrorDetail(field="deadline", issue="must be in the future"))
    if problems:
        raise ValidationError("The gig is not valid.", details=problems)
