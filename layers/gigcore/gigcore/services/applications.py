"""Applications and contracts: apply, list, shortlist, reject, withdraw, accept (which makes the contract), and
the contracts of a user. Money does not move here (see the escrow service).

Every change is one DynamoDB transaction that re-checks the status it moves from, with its notifications in
the outbox. Accepting moves the application, the gig (to ``in_progress``) and creates the contract and its
milestones together; the other open applications are rejected in the same transaction as far as the
100-item limit allows, and the rest by the ``gig.closed`` event on the gig lifecycle queue, which the same
transaction records (so a crash between the two cannot leave them pending).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gigcore.domain.applications import (
    OPEN_APPLICATION_STATUSES,
    Acceptance,
    Application,
    ApplicationMove,
    ApplicationNotice,
    Proposal,
)
from gigcore.domain.contracts import Contract
from gigcore.domain.errors import (
    ConflictError,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    TransactionConflictError,
)
from gigcore.domain.gigs import Gig
from gigcore.domain.ids import new_id
from gigcore.domain.users import Principal
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged, nobody_listens
from gigcore.ports.contracts import ApplicationPage, ApplicationReader, ContractPage
from gigcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from gigcore.services.gigs import MATCHING_QUEUE, get_gig, record_gig_events
from gigcore.services.retry import jittered_pause, retry_on_conflict

NOTIFICATIONS_QUEUE = "notifications"
#: The gig lifecycle queue: ``gig.closed`` there rejects what is still open of a filled or cancelled gig.
GIG_LIFECYCLE_QUEUE = MATCHING_QUEUE

#: DynamoDB's limit on one transaction (an accept needs at most 30 items besides the others' rejections).
_TRANSACTION_ITEMS = 100
_ATTEMPTS = 4
#: Applies to one gig all write its item (the count): a burst of them retries more before answering 409 (ten at
#: once on a busy machine could still exhaust eight attempts; twelve give them ~2 s of jittered room).
_APPLY_ATTEMPTS = 12
#: Applications rejected per transaction when a gig closes (each is its item and its notification event).
_REJECT_BATCH = 40


@dataclass(frozen=True)
class ApplicationPorts:
    #: Each attempt of a use case opens its own unit of work (reads through it, commits once).
    unit_of_work: UnitOfWorkFactory
    users: UserRepository
    #: Hears of the gig an apply or an accept changed (its count, its status).
    changed: ChangeListener = nobody_listens


#: Full jitter, so that many concurrent writers of one gig item (a burst of applies) spread out.
_pause = functools.partial(jittered_pause, base=0.02)


def _notifications(told: Sequence[ApplicationNotice], gig: Gig) -> list[OutboxEvent]:
    """The outbox events of what a change of an application told someone, about ``gig``."""
    return [OutboxEvent(id=new_id(), type=n.type, queue=NOTIFICATIONS_QUEUE,
                        payload={"user_id": n.user_id, "gig_id": gig.id, "gig_title": gig.title,
                                 "application_id": n.application.id} | dict(n.details))
            for n in told]


def _application(application_id: str, applications: ApplicationReader) -> Application:
    app = applications.get(application_id)
    if app is None:
        raise NotFoundError("The application does not exist.")
    return app


# ---- apply and read --------------------------------------------------------------------------------------


def apply(principal: Principal, gig_id: str, proposal: Proposal, *, ports: ApplicationPorts,
          now: datetime) -> Application:
    """A freelancer applies to an open gig that is not theirs (:meth:`Application.apply`): 403 for a
    non-freelancer or the owner, 404 for no gig, 409 ``invalid_state`` when it is not open or its deadline has
    passed, 409 ``conflict`` for a second application. The gig's ``application_count`` rises in the same
    transaction; its owner is notified (``application.received``)."""
    if not principal.has_role("freelancer"):
        raise ForbiddenError("Only freelancers apply to gigs.")

    def attempt() -> Application:
        unit = ports.unit_of_work()
        gig = get_gig(gig_id, gigs=unit.gigs)
        applicant = ports.users.get(principal.user_id)
        app, told = Application.apply(gig, proposal, application_id=new_id(), freelancer_id=principal.user_id,
                                      freelancer_name=applicant.name if applicant else None, now=now)
        stored = unit.applications.add(app)
        unit.gigs.count_application(gig.id, gig.budget.min.currency)
        unit.record(*_notifications(told, gig))
        unit.commit()
        ports.changed(EntityChanged("gig", gig.id))
        return stored

    # The gig closed meanwhile (re-read: 409 invalid_state), or a concurrent apply or change of the gig got in
    # the way (TransactionConflictError): try again. A second application (a plain conflict) is the answer.
    return retry_on_conflict(attempt, attempts=_APPLY_ATTEMPTS, pause=_pause, lost_race=TransactionConflictError)


def applications_of_gig(principal: Principal, gig_id: str, *, limit: int, after: dict[str, str] | None,
                        ports: ApplicationPorts) -> ApplicationPage:
    """The gig's applications, newest first; only its owner sees them (403), 404 for no gig."""
    unit = ports.unit_of_work()
    gig = get_gig(gig_id, gigs=unit.gigs)
    if gig.owner_id != principal.user_id:
        raise ForbiddenError("Only the gig's owner sees its applications.")
    return unit.applications.of_gig(gig_id, limit=limit, after=after)


def my_applications(principal: Principal, *, limit: int, after: dict[str, str] | None,
                    ports: ApplicationPorts) -> ApplicationPage:
    """The caller's applications, newest first (freelancers only)."""
    if not principal.has_role("freelancer"):
        raise ForbiddenError("Only freelancers have applications.")
    return ports.unit_of_work().applications.of_freelancer(principal.user_id, limit=limit, after=after)


# ---- shortlist, reject, withdraw ------------------------------------------------------------------------


def _move(principal: Principal, application_id: str, action: ApplicationMove, *, ports: ApplicationPorts,
          now: datetime) -> Application:
    def attempt() -> Application:
        unit = ports.unit_of_work()
        app = _application(application_id, unit.applications)
        moved, told = app.move(action, by=principal.user_id, now=now)
        if told:
            unit.record(*_notifications(told, get_gig(app.gig_id, gigs=unit.gigs)))
        stored = unit.applications.save(moved, expected={app.status})
        unit.commit()
        return stored

    return retry_on_conflict(attempt, attempts=_ATTEMPTS, pause=_pause)


def shortlist(principal: Principal, application_id: str, *, ports: ApplicationPorts, now: datetime) -> Application:
    """Gig owner only (403); pending only (409 ``invalid_state``)."""
    return _move(principal, application_id, "shortlist", ports=ports, now=now)


def reject(principal: Principal, application_id: str, *, ports: ApplicationPorts, now: datetime) -> Application:
    """Gig owner only (403); pending or shortlisted (409). The freelancer is notified (``application.rejected``)."""
    return _move(principal, application_id, "reject", ports=ports, now=now)


def withdraw(principal: Principal, application_id: str, *, ports: ApplicationPorts, now: datetime) -> Application:
    """Applicant only (403); pending or shortlisted (409)."""
    return _move(principal, application_id, "withdraw", ports=ports, now=now)


# ---- accept: the contract --------------------------------------------------------------------------------


def _reject_in(unit: UnitOfWork, others: Sequence[Application], gig: Gig, now: datetime) -> None:
    """As many of ``others`` rejected in ``unit`` as fit in its transaction (each is its write and its
    notification); the rest are left to the ``gig.closed`` consumer."""
    for other in others[: max(_TRANSACTION_ITEMS - unit.items, 0) // 2]:
        rejected, told = other.move("reject", by=gig.owner_id, now=now)
        unit.applications.save(rejected, expected={other.status})
        unit.record(*_notifications(told, gig))


def accept(principal: Principal, application_id: str, terms: Acceptance, *, ports: ApplicationPorts,
           now: datetime) -> Contract:
    """The gig owner accepts an application (:meth:`Application.accept`; 403 otherwise; 409 ``invalid_state``
    when it or the gig cannot move): one transaction creates the contract and its milestones (default: one for
    the proposed rate, in the gig's currency), accepts the application, moves the gig to ``in_progress`` and
    rejects the others (those past the transaction limit by the recorded ``gig.closed``). The freelancer is
    notified."""

    def attempt() -> Contract:
        unit = ports.unit_of_work()
        app = _application(application_id, unit.applications)
        gig = get_gig(app.gig_id, gigs=unit.gigs)
        accepted = app.accept(gig, terms, by=principal.user_id, now=now, ids=new_id)
        contract = unit.contracts.add(accepted.contract)
        unit.applications.save(accepted.application, expected={app.status})
        filled = unit.gigs.save(accepted.gig.gig, expected_status=gig.status)
        unit.record(*_notifications(accepted.told, gig))
        record_gig_events(unit, accepted.gig.event, filled)
        _reject_in(unit, [o for o in unit.applications.open_of_gig(gig.id) if o.id != app.id], gig, now)
        unit.commit()
        ports.changed(EntityChanged("gig", gig.id))
        return contract

    # The application, the gig or another application changed meanwhile: read again and decide.
    return retry_on_conflict(attempt, attempts=_ATTEMPTS, pause=_pause, lost_race=TransactionConflictError)


# ---- closing a gig: the open applications are rejected ---------------------------------------------------


class OpenApplicationsRejector:
    """Rejects what is still open (pending or shortlisted) of a gig that no longer takes applications, in
    transactions of :data:`_REJECT_BATCH`, each with its notifications. Idempotent: run again, it finds
    nothing open. Implements :class:`gigcore.ports.gigs.PendingApplicationsRejector`."""

    def __init__(self, ports: ApplicationPorts) -> None:
        self._ports = ports

    def reject_pending(self, gig: Gig, now: datetime) -> None:
        def one_batch() -> bool:
            """Reject the next batch; True when nothing is left open."""
            unit = self._ports.unit_of_work()
            still = [a for a in unit.applications.open_of_gig(gig.id) if a.status in OPEN_APPLICATION_STATUSES]
            if not still:
                return True
            told: list[ApplicationNotice] = []
            for app in still[:_REJECT_BATCH]:
                rejected, notices = app.move("reject", by=gig.owner_id, now=now)
                unit.applications.save(rejected, expected={app.status})
                told += notices
            unit.record(*_notifications(told, gig))
            try:
                unit.commit()
            except InvalidStateError as moved:
                # One was withdrawn or changed meanwhile: read again (what moved is no longer open).
                raise ConflictError(moved.message) from moved
            return False

        while not retry_on_conflict(one_batch, attempts=_ATTEMPTS * 2, pause=lambda attempt: _pause(min(attempt, 3)),
                                    exhausted=lambda lost: ConflictError(
                                        "The gig's applications kept changing; try again.")):
            pass

    def on_gig_closed(self, gig_id: str, now: datetime) -> None:
        """The ``gig.closed`` consumer: reject what is open once the gig is filled or cancelled."""
        gig = self._ports.unit_of_work().gigs.get(gig_id)
        if gig is not None and gig.status != "open":
            self.reject_pending(gig, now)


# ---- contracts -------------------------------------------------------------------------------------------


def get_contract(principal: Principal, contract_id: str, *, ports: ApplicationPorts) -> Contract:
    """Either party, or an admin (who resolves its disputes); 403 for anyone else, 404 for no contract."""
    contract = ports.unit_of_work().contracts.get(contract_id)
    if contract is None:
        raise NotFoundError("The contract does not exist.")
    if contract.party(principal.user_id) is None and not principal.has_role("admin"):
        raise ForbiddenError("Only the parties see a contract.")
    return contract


def my_contracts(principal: Principal, *, limit: int, after: dict[str, str] | None,
                 ports: ApplicationPorts) -> ContractPage:
    """The contracts the caller is a party to, newest first."""
    return ports.unit_of_work().contracts.of_user(principal.user_id, limit=limit, after=after)
