"""What every escrow use case shares: its ports and settings, reading a contract and the caller's rights, the
outcome's transaction (conditioned on the version read), and the outbox events it records."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

from aws_lambda_powertools import Logger

from gigcore.domain.contracts import Contract, Milestone, MilestoneStatus, Notice
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    ValidationError,
)
from gigcore.domain.escrow import LedgerEntry, PendingOp
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.domain.users import Principal
from gigcore.observability import SERVICE
from gigcore.ports import OutboxEvent
from gigcore.ports.auth import UserRepository
from gigcore.ports.changes import ChangeListener, EntityChanged
from gigcore.ports.escrow import PayoutAccountStore
from gigcore.ports.payments import PaymentGateway, PaymentRefusedError
from gigcore.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from gigcore.services.notifications import ADMINS
from gigcore.services.retry import retry_on_conflict

logger = Logger(service=SERVICE, child=True)

NOTIFICATIONS_QUEUE = "notifications"
PAYMENTS_QUEUE = "payments"
#: The message type of a verified Stripe event on the payments queue (its id is Stripe's event id).
STRIPE_EVENT = "stripe.event"
ATTEMPTS = 6
SUCCEEDED = "succeeded"
FAILED_INTENT = frozenset({"requires_payment_method", "canceled"})
ADMIN = "admin"
KEPT_CHANGING = "The milestone kept changing; try again."

Actor = Literal["client", "freelancer", "admin", "schedule"]
R = TypeVar("R")


@dataclass(frozen=True)
class EscrowPorts:
    #: Each step opens its own unit of work: the milestone, its ledger entries, a dispute, the contract's and the
    #: gig's settlement and the events are one transaction.
    unit_of_work: UnitOfWorkFactory
    payout_accounts: PayoutAccountStore
    payments: PaymentGateway
    users: UserRepository


@dataclass(frozen=True)
class EscrowConfig:
    fee_bps: int = 1000
    auto_release_days: int = 7
    #: Where Stripe's onboarding sends the freelancer back (the app's deep links, through the API's URL).
    onboarding_return_url: str = "https://app.gigconnect.invalid/payout-account/done"
    onboarding_refresh_url: str = "https://app.gigconnect.invalid/payout-account/retry"


def notify(kind: str, user_id: str, contract: Contract, milestone: Milestone, **extra: Any) -> OutboxEvent:
    payload = {"user_id": user_id, "contract_id": contract.id, "gig_id": contract.gig_id,
               "milestone_id": milestone.id, "milestone_title": milestone.title} | extra
    return OutboxEvent(id=new_id(), type=kind, queue=NOTIFICATIONS_QUEUE, payload=payload)


def notices(contract: Contract, told: Sequence[Notice]) -> list[OutboxEvent]:
    """The outbox events of what a domain change told the parties."""
    return [notify(n.type, n.user_id, contract, n.milestone, **n.details) for n in told]


def to_admins(event: OutboxEvent, *, except_user_ids: Sequence[str]) -> OutboxEvent:
    """``event`` for every admin (the notification pipeline fans it out: ``services.notifications``)."""
    payload = {k: v for k, v in event.payload.items() if k != "user_id"}
    return replace(event, id=new_id(), payload=payload | {"audience": ADMINS,
                                                          "except_user_ids": list(except_user_ids)})


def money_of(amount: Money, currency: str, field: str) -> Money:
    """``amount`` if it is in ``currency`` (the milestone's: what was charged); 422 otherwise, before any claim."""
    if amount.currency != currency:
        raise ValidationError("The amount must be in the contract's currency.",
                              details=[ErrorDetail(field=f"{field}.currency", issue=f"must be {currency}")])
    return amount


def request_digest(principal: Principal, request_key: str | None) -> str | None:
    """A caller's request, as a step in flight remembers it (the Idempotency-Key is not stored as it is)."""
    if request_key is None:
        return None
    return hashlib.sha256(f"{principal.user_id}\n{request_key}".encode()).hexdigest()[:32]


class LostRaceError(ConflictError):
    """Another call changed what this attempt read (or finished a step left on it): read again and decide."""


class MovedError(Exception):
    """A refusal from Stripe after part of a step had already moved money: ``entries`` record that part."""

    def __init__(self, entries: list[LedgerEntry], refusal: PaymentRefusedError) -> None:
        super().__init__(str(refusal))
        self.entries = entries
        self.refusal = refusal


def commit_or_lost(unit: UnitOfWork, kept_changing: str = KEPT_CHANGING) -> None:
    """Commit ``unit``; when another call changed what it read first, :class:`LostRaceError` (read again and
    decide again: nothing was written)."""
    try:
        unit.commit()
    except ConflictError as lost:
        raise LostRaceError(kept_changing) from lost


def retried(attempt: Callable[[], R]) -> R:
    """Run ``attempt`` again after each lost race (:class:`LostRaceError`), at most ``ATTEMPTS`` times; when
    every one lost, a plain 409 in the attempt's own words (not a lost race: a caller's own retry is not for it)."""
    return retry_on_conflict(attempt, attempts=ATTEMPTS, lost_race=LostRaceError,
                             exhausted=lambda lost: ConflictError(lost.message))


def unknown_payment_method() -> ValidationError:
    return ValidationError("Stripe knows no such payment method.",
                           details=[ErrorDetail(field="payment_method_id", issue="unknown")])


def cannot_finish(op: PendingOp, why: str) -> InvalidStateError:
    return InvalidStateError(f"The {op.kind} left in flight on this milestone cannot be completed ({why}); it was "
                             "cancelled and nothing moved.", details=[ErrorDetail(field="pending_op", issue=why)])


class Core:
    """The ports, the settings and the reads every use case makes. ``changed`` hears of the gig after a step
    completed (or cancelled) its contract."""

    def __init__(self, ports: EscrowPorts, config: EscrowConfig, changed: ChangeListener) -> None:
        self.ports = ports
        self.config = config
        self.changed = changed

    def gig_settled(self, gig_id: str) -> None:
        self.changed(EntityChanged("gig", gig_id))

    def contract(self, contract_id: str) -> Contract:
        contract = self.ports.unit_of_work().contracts.get(contract_id)
        if contract is None:
            raise NotFoundError("The contract does not exist.")
        return contract

    @staticmethod
    def party(principal: Principal, contract: Contract) -> Actor:
        side = contract.party(principal.user_id)
        if side is not None:
            return side
        if principal.has_role(ADMIN):
            return "admin"
        raise ForbiddenError("Only the parties to the contract can do this.")

    @staticmethod
    def milestone(contract: Contract, milestone_id: str) -> Milestone:
        milestone = contract.milestone(milestone_id)
        if milestone is None:
            raise NotFoundError("The milestone does not exist.")
        return milestone

    def stored_milestone(self, contract_id: str, milestone_id: str) -> Milestone:
        """The milestone as stored now (strongly consistent)."""
        milestone = self.ports.unit_of_work().contracts.get_milestone(contract_id, milestone_id)
        if milestone is None:
            raise NotFoundError("The milestone does not exist.")
        return milestone

    def record(self, m: Milestone, after: Milestone, *, expected: Collection[MilestoneStatus] | None = None,
               entries: Sequence[LedgerEntry] = (), events: Sequence[OutboxEvent] = (),
               also: Callable[[UnitOfWork], object] | None = None,
               settles: Callable[[UnitOfWork], str | None] | None = None) -> Milestone | None:
        """The outcome's transaction: ``m`` (as read) becomes ``after`` on ``m``'s version (and in ``expected``,
        by default ``m``'s status), with its ledger ``entries``, whatever ``also`` writes in the same unit, and
        ``events``; None when another call recorded it first. ``settles`` adds the contract's settlement when
        this ends it (answering the gig it settles), and that gig is reported once it is written."""
        unit = self.ports.unit_of_work()
        recorded = unit.contracts.save_milestone(after, expected={m.status} if expected is None else expected)
        for e in entries:
            unit.ledger.add(e)
        if also is not None:
            also(unit)
        settled_gig = settles(unit) if settles is not None else None
        unit.record(*events)
        try:
            unit.commit()
        except (ConflictError, InvalidStateError):
            return None
        if settled_gig is not None:
            self.gig_settled(settled_gig)
        return recorded
