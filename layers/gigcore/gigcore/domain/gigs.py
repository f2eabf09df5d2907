"""Gigs: the entity, its rules and its state machine (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from gigcore.domain.errors import ErrorDetail, ValidationError
from gigcore.domain.geo import GeoEntry
from gigcore.domain.money import Money
from gigcore.domain.states import next_state
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

#: Only open gigs are in the geo index ("near me" shows open gigs; closed ones leave it).
INDEXED_STATUSES: frozenset[GigStatus] = frozenset({"open"})


def next_status(status: GigStatus, action: GigAction) -> GigStatus:
    """The status after ``action``; :class:`InvalidStateError` (409) when the machine does not allow it."""
    return next_state(GIG_TRANSITIONS, "A gig", status, action)


@dataclass(frozen=True)
class Budget:
    min: Money
    max: Money
    type: BudgetType


@dataclass(frozen=True)
class Gig:
    id: str
    owner_id: str
    title: str
    description: str
    category: str
    skills: tuple[str, ...]
    budget: Budget
    location: Location | None
    remote: bool
    urgency: Urgency
    deadline: datetime | None
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
                    amount_max=gig.budget.max.amount, currency=gig.budget.min.currency)


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
