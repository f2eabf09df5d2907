"""Applications: a freelancer's offer for a gig, its state machine, and what applying, moving and accepting one
make and tell (pure, no I/O). Accepting makes the contract (``gigcore.domain.contracts``).

Each change answers the application after it and what it tells someone (``ApplicationNotice`` s, which the
service records in the outbox with the change, as it does a milestone's ``Notice`` s).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from gigcore.domain.contracts import Contract, Milestone, MilestonePlan, plan_milestones
from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError, ValidationError
from gigcore.domain.gigs import Gig, GigChange
from gigcore.domain.money import Money
from gigcore.domain.states import StateMachine

ApplicationStatus = Literal["pending", "shortlisted", "accepted", "rejected", "withdrawn"]
ApplicationAction = Literal["shortlist", "reject", "withdraw", "accept"]
#: What a party does to an application on its own (accepting makes a contract: :meth:`Application.accept`).
ApplicationMove = Literal["shortlist", "reject", "withdraw"]

APPLICATION_STATUSES: tuple[ApplicationStatus, ...] = ("pending", "shortlisted", "accepted", "rejected",
                                                       "withdrawn")

#: pending -> shortlisted -> accepted | rejected | withdrawn. Shortlisting is optional: a pending application
#: may be accepted, rejected or withdrawn directly. accepted, rejected and withdrawn are final.
APPLICATION_TRANSITIONS: Mapping[tuple[ApplicationStatus, ApplicationAction], ApplicationStatus] = {
    ("pending", "shortlist"): "shortlisted",
    ("pending", "accept"): "accepted",
    ("pending", "reject"): "rejected",
    ("pending", "withdraw"): "withdrawn",
    ("shortlisted", "accept"): "accepted",
    ("shortlisted", "reject"): "rejected",
    ("shortlisted", "withdraw"): "withdrawn",
}

#: Applications still in the running: rejected when another is accepted or the gig is cancelled.
OPEN_APPLICATION_STATUSES: frozenset[ApplicationStatus] = frozenset({"pending", "shortlisted"})


_APPLICATIONS = StateMachine("An application", APPLICATION_TRANSITIONS)
#: The status after an action (409 ``invalid_state`` when not allowed); the statuses an action is allowed from.
next_application_status, statuses_allowing_application = _APPLICATIONS.next, _APPLICATIONS.allowing

APPLICATION_RECEIVED = "application.received"
APPLICATION_ACCEPTED = "application.accepted"
APPLICATION_REJECTED = "application.rejected"


@dataclass(frozen=True)
class Proposal:
    """What a freelancer offers when applying to a gig (the view builds it from the request), and what an
    :class:`Application` says."""

    cover_letter: str
    proposed_rate: Money
    estimated_days: int


@dataclass(frozen=True)
class ApplicationNotice:
    """What a change of an application tells someone: ``type`` (``application.rejected``), for ``user_id``,
    about the application as it was read, with ``details`` (the contract's id, the applicant's name)."""

    type: str
    user_id: str
    application: Application
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Application(Proposal):
    """A freelancer's application to a gig: what it offers (its :class:`Proposal` fields), whose it is, and how
    far it has gone; one per (gig, freelancer). ``client_id`` is the gig's owner."""

    id: str
    gig_id: str
    client_id: str
    freelancer_id: str
    status: ApplicationStatus
    created_at: datetime
    updated_at: datetime
    contract_id: str | None = None
    version: int = 0

    def changed(self, **changes: object) -> Application:
        return replace(self, **changes)  # type: ignore[arg-type]

    def moved(self, action: ApplicationAction, now: datetime, **changes: object) -> Application:
        """This application after ``action`` (checked against the state machine); the write bumps the version."""
        after = next_application_status(self.status, action)
        return replace(self, status=after, updated_at=now, **changes)  # type: ignore[arg-type]

    @classmethod
    def apply(cls, gig: Gig, proposal: Proposal, *, application_id: str, freelancer_id: str,
              freelancer_name: str | None, now: datetime) -> tuple[Application, list[ApplicationNotice]]:
        """``freelancer_id`` applies to ``gig``: 403 for its owner; 409 ``invalid_state`` when it is not open or its
        deadline has passed; 422 for a rate that is not above zero in the gig's currency. The owner is told
        (``application.received``, with the freelancer's name)."""
        if gig.owner_id == freelancer_id:
            raise ForbiddenError("You cannot apply to your own gig.")
        if gig.status != "open":
            raise InvalidStateError(f"The gig is {gig.status.replace('_', ' ')}; it takes no applications now.",
                                    details=[ErrorDetail(field="gig.status", issue=gig.status)])
        if not gig.takes_applications(now):
            raise InvalidStateError("The gig's deadline has passed; it takes no applications now.",
                                    details=[ErrorDetail(field="gig.deadline", issue="passed")])
        rate, currency = proposal.proposed_rate, gig.budget.min.currency
        if rate.currency != currency:
            raise ValidationError("The proposed rate must be in the gig's currency.",
                                  details=[ErrorDetail(field="proposed_rate.currency", issue=f"must be {currency}")])
        if rate.amount <= 0:
            raise ValidationError("The proposed rate must be above zero.",
                                  details=[ErrorDetail(field="proposed_rate.amount", issue="must be above zero")])
        app = cls(id=application_id, gig_id=gig.id, client_id=gig.owner_id, freelancer_id=freelancer_id,
                  cover_letter=proposal.cover_letter, proposed_rate=rate, estimated_days=proposal.estimated_days,
                  status="pending", created_at=now, updated_at=now)
        told = ApplicationNotice(APPLICATION_RECEIVED, gig.owner_id, app, {
            "freelancer_id": freelancer_id, "freelancer_name": freelancer_name or "A freelancer"})
        return app, [told]

    def move(self, action: ApplicationMove, *, by: str, now: datetime) -> tuple[Application, list[ApplicationNotice]]:
        """``action`` done by ``by``: withdrawing is the applicant's, shortlisting and rejecting the gig owner's
        (403 for anyone else); 409 ``invalid_state`` when the state machine does not allow it. A rejection tells
        the freelancer (``application.rejected``)."""
        if action == "withdraw" and by != self.freelancer_id:
            raise ForbiddenError("Only the applicant can withdraw an application.")
        if action != "withdraw" and by != self.client_id:
            raise ForbiddenError("Only the gig's owner can do this.")
        moved = self.moved(action, now)
        if moved.status != "rejected":
            return moved, []
        return moved, [ApplicationNotice(APPLICATION_REJECTED, self.freelancer_id, self)]

    def accept(self, gig: Gig, terms: Acceptance, *, by: str, now: datetime, ids: Callable[[], str]) -> Accepted:
        """The gig's owner (``by``; 403 otherwise) accepts this application on ``terms``: the contract and its
        milestones (ids from ``ids``), this application accepted and the gig filled (409 ``invalid_state`` when
        either cannot move). The freelancer is told (``application.accepted``)."""
        if by != self.client_id:
            raise ForbiddenError("Only the gig's owner can accept an application.")
        next_application_status(self.status, "accept")
        filled = gig.fill(now)
        plans = terms.milestones_for(self, gig)
        contract_id = ids()
        milestones = tuple(Milestone(id=ids(), contract_id=contract_id, position=i, title=p.title, amount=p.amount,
                                     status="pending", refunded_amount=Money.zero(p.amount.currency))
                           for i, p in enumerate(plans))
        contract = Contract(id=contract_id, gig_id=gig.id, application_id=self.id, client_id=self.client_id,
                            freelancer_id=self.freelancer_id, currency=gig.budget.min.currency, status="active",
                            created_at=now, updated_at=now, milestones=milestones)
        told = ApplicationNotice(APPLICATION_ACCEPTED, self.freelancer_id, self, {"contract_id": contract_id})
        return Accepted(contract, self.moved("accept", now, contract_id=contract_id), filled, [told])


@dataclass(frozen=True)
class Acceptance:
    """What a client accepts an application with: the contract's milestones, or None for one milestone of the
    proposed rate (the view builds it from the request)."""

    milestones: tuple[MilestonePlan, ...] | None = None

    def milestones_for(self, app: Application, gig: Gig) -> list[MilestonePlan]:
        """The contract's milestones, every one in the gig's currency (the contract's): the default one (the
        proposed rate) is checked like those asked for. An application in another currency (made before the
        budget's currency was fixed once applications arrive) is accepted only with milestones given."""
        currency = gig.budget.min.currency
        if self.milestones is not None:
            return plan_milestones(self.milestones, currency)
        if app.proposed_rate.currency != currency:
            raise InvalidStateError(
                f"The proposed rate is in {app.proposed_rate.currency} and the gig's budget in {currency}: "
                f"accept with milestones in {currency}.",
                details=[ErrorDetail(field="milestones", issue=f"required in {currency}")])
        return plan_milestones([MilestonePlan(title=gig.title, amount=app.proposed_rate)], currency)


@dataclass(frozen=True)
class Accepted:
    """What accepting an application makes: the contract, the application and the gig after it (the gig's
    change records ``gig.closed``), and what the freelancer is told."""

    contract: Contract
    application: Application
    gig: GigChange
    told: list[ApplicationNotice]
