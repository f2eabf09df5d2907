"""Contracts and milestones: entities and their state machines (pure, no I/O). Applications, which lead to
contracts, are in ``gigcore.domain.applications``.

Each state machine is a table ``(status, action) -> status after``; nothing else is allowed. The domain
checks it (:func:`next_milestone_status`, :func:`next_contract_status`) and every write re-checks it with a
condition on the stored status (see ``gigcore.ports.contracts``). Each change of a milestone answers the
milestone after it and what it tells the parties (``Notice`` s, which the service records in the outbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Literal

from gigcore.domain.errors import ErrorDetail, ValidationError
from gigcore.domain.money import Money
from gigcore.domain.states import StateMachine

# ---- milestones (escrow) ---------------------------------------------------------------------------------

MilestoneStatus = Literal["pending", "funding", "funded", "submitted", "released", "refunded", "disputed"]
MilestoneAction = Literal[
    "fund",            # a PaymentIntent is created for it
    "fund_failed",     # the charge was declined or cancelled: back to pending
    "funded",          # Stripe reported success (webhook or sync)
    "submit",          # the freelancer submits the work
    "release",         # the client (or the auto-release schedule) pays the freelancer
    "refund_part",     # a partial refund: the status is kept, refunded_amount rises
    "refund",          # the last of the held amount is refunded
    "dispute",         # either party opens a dispute: auto-release stops
    "resolve_release",  # an admin resolves a dispute with some of it released
    "resolve_refund",  # an admin resolves a dispute with all of it refunded
]

MILESTONE_STATUSES: tuple[MilestoneStatus, ...] = ("pending", "funding", "funded", "submitted", "released",
                                                   "refunded", "disputed")

#: pending -> funding -> funded -> submitted -> released, or refunded / disputed on the way.
#: The client may release from funded or submitted; an admin may refund at any time after funding (after a
#: release the transfer is reversed first). A partial refund keeps the status.
MILESTONE_TRANSITIONS: Mapping[tuple[MilestoneStatus, MilestoneAction], MilestoneStatus] = {
    ("pending", "fund"): "funding",
    ("funding", "fund"): "funding",  # another attempt, e.g. with a new payment method
    ("funding", "fund_failed"): "pending",
    ("funding", "funded"): "funded",
    # Stripe reports the success of a fund attempt whose PaymentIntent was created but not yet recorded
    # (the call was cut short between the two): the success is what counts.
    ("pending", "funded"): "funded",
    ("funded", "funded"): "funded",  # a repeated or late success report changes nothing
    ("funded", "submit"): "submitted",
    ("funded", "release"): "released",
    ("submitted", "release"): "released",
    ("funded", "refund_part"): "funded",
    ("submitted", "refund_part"): "submitted",
    ("released", "refund_part"): "released",
    ("disputed", "refund_part"): "disputed",
    ("funded", "refund"): "refunded",
    ("submitted", "refund"): "refunded",
    ("released", "refund"): "refunded",
    ("disputed", "refund"): "refunded",
    ("funded", "dispute"): "disputed",
    ("submitted", "dispute"): "disputed",
    ("disputed", "resolve_release"): "released",
    ("disputed", "resolve_refund"): "refunded",
}

#: Where the client's money is held by the platform (what can be released or refunded).
HELD_STATUSES: frozenset[MilestoneStatus] = frozenset({"funded", "submitted", "disputed"})
FINAL_MILESTONE_STATUSES: frozenset[MilestoneStatus] = frozenset({"released", "refunded"})


_MILESTONES = StateMachine("A milestone", MILESTONE_TRANSITIONS)
#: The status after an action (409 ``invalid_state`` when not allowed); the statuses an action is allowed from
#: (the ``expected`` set of a milestone write).
next_milestone_status, statuses_allowing_milestone = _MILESTONES.next, _MILESTONES.allowing


@dataclass(frozen=True)
class Milestone:
    """One milestone of a contract. ``amount`` and ``refunded_amount`` are in the contract's currency.

    The payment references (``payment_intent_id``, ``charge_id``, ``transfer_id``) are written by the escrow
    service together with the status change that produced them.
    """

    id: str
    contract_id: str
    position: int
    title: str
    amount: Money
    status: MilestoneStatus
    refunded_amount: Money
    funded_at: datetime | None = None
    submitted_at: datetime | None = None
    auto_release_at: datetime | None = None
    released_at: datetime | None = None
    payment_intent_id: str | None = None
    charge_id: str | None = None
    transfer_id: str | None = None
    submission_note: str | None = None
    attachment_keys: tuple[str, ...] = ()
    dispute_id: str | None = None
    #: The money-moving step in flight (``gigcore.domain.escrow.PendingOp`` as JSON), None when there is none.
    pending_op: str | None = None
    version: int = 0

    def moved(self, action: MilestoneAction, **changes: object) -> Milestone:
        """This milestone after ``action``, in the status the state machine answers (409 ``invalid_state`` when it
        does not allow it), with ``changes``; the write bumps the version."""
        return replace(self, status=next_milestone_status(self.status, action), **changes)  # type: ignore[arg-type]

    def changed(self, **changes: object) -> Milestone:
        """This milestone with ``changes`` and its status kept (a claim, a claim given up)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def submit(self, now: datetime, due: datetime, note: str, attachment_keys: Sequence[str]) -> Milestone:
        """The work handed in: released automatically at ``due`` unless the client acts first."""
        return self.moved("submit", submitted_at=now, auto_release_at=due, submission_note=note,
                          attachment_keys=tuple(attachment_keys))

    def release(self, now: datetime, transfer_id: str | None) -> Milestone:
        """Paid to the freelancer by ``transfer_id`` (None when nothing was left to transfer after the fee);
        the step in flight ends and auto-release stops."""
        return self.moved("release", released_at=now, transfer_id=transfer_id, pending_op=None,
                          auto_release_at=None)

    def refund(self, amount: Money) -> Milestone:
        """``amount`` more given back: ``refunded`` once all of it is (auto-release stops), else the status kept."""
        refunded = self.refunded_amount + amount
        if refunded == self.amount:
            return self.moved("refund", refunded_amount=refunded, pending_op=None, auto_release_at=None)
        return self.moved("refund_part", refunded_amount=refunded, pending_op=None)

    def dispute(self, dispute_id: str) -> Milestone:
        """Disputed: auto-release stops until an admin resolves it."""
        return self.moved("dispute", dispute_id=dispute_id, auto_release_at=None)

    def resolve(self, release: Money, refund: Money, now: datetime, transfer_id: str | None) -> Milestone:
        """A dispute resolved: ``refund`` given back, ``release`` (less the fee) paid by ``transfer_id``."""
        action: MilestoneAction = "resolve_release" if release.amount > 0 else "resolve_refund"
        changes: dict[str, object] = {"refunded_amount": self.refunded_amount + refund, "pending_op": None,
                                      "auto_release_at": None}
        if release.amount > 0:
            changes |= {"released_at": now, "transfer_id": transfer_id}
        return self.moved(action, **changes)

    @property
    def held(self) -> Money:
        """What the platform holds for this milestone now (zero unless funded, submitted or disputed)."""
        if self.status not in HELD_STATUSES:
            return Money.zero(self.amount.currency)
        return self.amount - self.refunded_amount


#: The fields of a milestone that a write may change (``ContractRepository.save_milestone`` writes them all).
MILESTONE_MUTABLE_FIELDS: frozenset[str] = frozenset(
    f.name for f in fields(Milestone) if f.name not in {"id", "contract_id", "position", "title", "amount",
                                                        "version"})


# ---- contracts -------------------------------------------------------------------------------------------

ContractStatus = Literal["active", "completed", "cancelled", "disputed"]
ContractAction = Literal["complete", "cancel", "dispute", "resolve"]

CONTRACT_STATUSES: tuple[ContractStatus, ...] = ("active", "completed", "cancelled", "disputed")

#: active -> completed | cancelled | disputed; a resolved dispute returns the contract to active, or ends it.
#: A contract follows its milestones (``settled_status``): completed once all ended with one released, cancelled
#: once all were refunded, even after it was completed (a release refunded in full later). Either party may also
#: cancel an active contract while every milestone is still ``pending`` (nothing held, nothing moved).
CONTRACT_TRANSITIONS: Mapping[tuple[ContractStatus, ContractAction], ContractStatus] = {
    ("active", "complete"): "completed",
    ("active", "cancel"): "cancelled",
    ("active", "dispute"): "disputed",
    ("disputed", "dispute"): "disputed",  # a second milestone disputed
    ("disputed", "resolve"): "active",
    ("disputed", "complete"): "completed",
    ("disputed", "cancel"): "cancelled",
    # every milestone refunded after all (an admin refunding a release): "cancelled if all were refunded"
    ("completed", "cancel"): "cancelled",
}

CONTRACT_MUTABLE_FIELDS: frozenset[str] = frozenset({"status", "updated_at"})


_CONTRACTS = StateMachine("A contract", CONTRACT_TRANSITIONS)
#: The status after an action (409 ``invalid_state`` when not allowed); the statuses an action is allowed from.
next_contract_status, statuses_allowing_contract = _CONTRACTS.next, _CONTRACTS.allowing


def settled_status(milestones: Sequence[Milestone]) -> ContractStatus | None:
    """What a contract becomes once every milestone is released or refunded: ``completed`` when at least one
    was released, ``cancelled`` when all were refunded; None while any is still open."""
    if not milestones or any(m.status not in FINAL_MILESTONE_STATUSES for m in milestones):
        return None
    return "completed" if any(m.status == "released" for m in milestones) else "cancelled"


@dataclass(frozen=True)
class Contract:
    """The agreement made when a client accepts an application; its milestones are ordered by position."""

    id: str
    gig_id: str
    application_id: str
    client_id: str
    freelancer_id: str
    currency: str
    status: ContractStatus
    created_at: datetime
    updated_at: datetime
    milestones: tuple[Milestone, ...] = field(default_factory=tuple)

    def party(self, user_id: str) -> Literal["client", "freelancer"] | None:
        if user_id == self.client_id:
            return "client"
        if user_id == self.freelancer_id:
            return "freelancer"
        return None

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def moved(self, action: ContractAction, now: datetime) -> Contract:
        """This contract after ``action``, in the status the state machine answers (409 when not allowed)."""
        return replace(self, status=next_contract_status(self.status, action), updated_at=now)

    # Each change of a milestone answers the milestone after it and what it tells the parties (``Notice`` s,
    # which the service records in the outbox with the change).

    def milestone_submitted(self, m: Milestone, now: datetime, due: datetime, note: str,
                            attachment_keys: Sequence[str]) -> tuple[Milestone, list[Notice]]:
        return m.submit(now, due, note, attachment_keys), [Notice("milestone.submitted", self.client_id, m)]

    def milestone_funded(self, m: Milestone, now: datetime, charge_id: str | None,
                         intent_id: str) -> tuple[Milestone, list[Notice]]:
        after = m.moved("funded", funded_at=now, charge_id=charge_id, payment_intent_id=intent_id, pending_op=None)
        return after, [Notice("milestone.funded", self.freelancer_id, m)]

    def milestone_released(self, m: Milestone, now: datetime, transfer_id: str | None,
                           paid: Money) -> tuple[Milestone, list[Notice]]:
        """``paid``: what reached the freelancer (net of the fee)."""
        return m.release(now, transfer_id), [Notice("milestone.released", self.freelancer_id, m,
                                                    {"amount": str(paid.amount)})]

    def milestone_refunded(self, m: Milestone, amount: Money) -> tuple[Milestone, list[Notice]]:
        return m.refund(amount), [Notice("milestone.refunded", self.client_id, m, {"amount": str(amount.amount)})]

    def milestone_disputed(self, m: Milestone, dispute_id: str, by: str) -> tuple[Milestone, list[Notice]]:
        """Disputed by ``by`` (a party): the other party is told."""
        other = self.freelancer_id if by == self.client_id else self.client_id
        return m.dispute(dispute_id), [Notice("dispute.opened", other, m, {"dispute_id": dispute_id})]

    def milestone_resolved(self, m: Milestone, dispute_id: str, release: Money, refund: Money, now: datetime,
                           transfer_id: str | None) -> tuple[Milestone, list[Notice]]:
        return m.resolve(release, refund, now, transfer_id), [
            Notice("dispute.resolved", user, m, {"dispute_id": dispute_id})
            for user in (self.client_id, self.freelancer_id)]


@dataclass(frozen=True)
class Notice:
    """What a change of a milestone tells someone: ``type`` (``milestone.released``), for ``user_id``, about the
    milestone as it was read, with ``details`` (an amount, a dispute's id)."""

    type: str
    user_id: str
    milestone: Milestone
    details: Mapping[str, str] = field(default_factory=dict)


#: A contract is paid in pieces; more than this many milestones is refused (one accept is one transaction).
MAX_MILESTONES = 20


@dataclass(frozen=True)
class MilestonePlan:
    title: str
    amount: Money


def plan_milestones(plans: Sequence[MilestonePlan], currency: str) -> list[MilestonePlan]:
    """Check the milestones asked for on accept: 1..MAX_MILESTONES, each a positive amount in ``currency``."""
    problems: list[ErrorDetail] = []
    if not 1 <= len(plans) <= MAX_MILESTONES:
        problems.append(ErrorDetail(field="milestones", issue=f"1 to {MAX_MILESTONES} milestones"))
    for i, plan in enumerate(plans):
        if plan.amount.currency != currency:
            problems.append(ErrorDetail(field=f"milestones.{i}.amount.currency",
                                        issue=f"must be the gig's currency, {currency}"))
        elif plan.amount.amount <= 0:
            problems.append(ErrorDetail(field=f"milestones.{i}.amount.amount", issue="must be above zero"))
    if problems:
        raise ValidationError("The milestones are not valid.", details=problems)
    return list(plans)
