"""Cancelling a contract before any money moved: every milestone pending, the gig open again or cancelled."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from typing import Literal

from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError
from gigcore.domain.gigs import Gig
from gigcore.domain.ids import new_id
from gigcore.domain.users import Principal
from gigcore.ports import OutboxEvent
from gigcore.ports.payments import PaymentRefusedError
from gigcore.ports.unit_of_work import UnitOfWork
from gigcore.services.escrow._core import (
    ATTEMPTS,
    NOTIFICATIONS_QUEUE,
    SUCCEEDED,
    Core,
    LostRaceError,
    commit_or_lost,
)
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.provider_events import ProviderEvents
from gigcore.services.gigs import SEARCH_QUEUE, gig_event
from gigcore.services.retry import retry_on_conflict

GigAfterCancel = Literal["open", "cancelled"]


class CancelContract:
    def __init__(self, core: Core, claims: Claims, events: ProviderEvents) -> None:
        self._core = core
        self._claims = claims
        self._events = events

    def cancel_contract(self, principal: Principal, contract_id: str, gig_status: GigAfterCancel,
                        reason: str | None, now: datetime) -> Contract:
        """Either party cancels a contract while no milestone holds or has moved money: every milestone is
        ``pending`` (a step left in flight is finished first, and an intent of an earlier declined attempt is
        cancelled at Stripe so that no later confirmation can charge it). The contract becomes ``cancelled``,
        its gig ``open`` again (``gig_status="open"``) or ``cancelled`` (its owner only: 403 for the
        freelancer); both parties are told (``contract.cancelled``), all in one transaction that also checks
        that no milestone moved meanwhile. 409 ``invalid_state`` when a milestone is funded or further, or the
        contract is not active (a repeated cancel)."""
        core = self._core

        def attempt() -> Contract:
            contract = core.contract(contract_id)
            actor = core.party(principal, contract)
            if actor not in {"client", "freelancer"}:
                raise ForbiddenError("Only the parties cancel a contract.")
            if gig_status == "cancelled" and actor != "client":
                raise ForbiddenError("Only the gig's owner can cancel the gig; the freelancer cancels the contract "
                                     "with the gig open again.",
                                     details=[ErrorDetail(field="gig_status", issue="client only")])
            if contract.status != "active":
                raise InvalidStateError(f"A contract that is {contract.status} cannot be cancelled.",
                                        details=[ErrorDetail(field="status", issue=contract.status)])
            in_flight = [m for m in contract.milestones if m.pending_op is not None]
            for m in in_flight:
                self._claims.finish_left(contract, m, now)
            if in_flight:
                raise LostRaceError("The contract kept changing; try again.")  # finished: read it again
            moved = [m for m in contract.milestones if m.status != "pending"]
            if moved:
                raise InvalidStateError("A contract can be cancelled only before any milestone is paid; refund or "
                                        "dispute its milestones instead.",
                                        details=[ErrorDetail(field=f"milestones.{m.position}.status", issue=m.status)
                                                 for m in moved])
            for m in contract.milestones:
                if m.payment_intent_id is not None:
                    self._void_intent(contract, m, now)
            unit = core.ports.unit_of_work()
            cancelled = contract.moved("cancel", now)
            unit.contracts.save(cancelled, expected={contract.status})
            # Each milestone's version is bumped, not only checked: a fund that read the contract active before
            # this commits cannot claim its milestone after it (its claim expects the old version).
            for m in contract.milestones:
                unit.contracts.save_milestone(m, expected={"pending"})
            gig = unit.gigs.get(contract.gig_id)
            unit.record(*_cancelled_events(contract, gig, principal.user_id, reason))
            self._gig_after_cancel(unit, gig, gig_status, now)
            commit_or_lost(unit, "The contract kept changing; try again.")
            core.gig_settled(contract.gig_id)
            return replace(cancelled, milestones=tuple(replace(m, version=m.version + 1)
                                                       for m in contract.milestones))

        return retry_on_conflict(attempt, attempts=ATTEMPTS, lost_race=LostRaceError)

    def _void_intent(self, contract: Contract, m: Milestone, now: datetime) -> None:
        """Cancel the intent of an earlier attempt on a pending milestone; 409 when it succeeded meanwhile (the
        success is applied: the milestone is funded, and the contract is no longer cancellable)."""
        assert m.payment_intent_id is not None
        payments = self._core.ports.payments
        intent = payments.get_payment_intent(m.payment_intent_id)
        if intent.status not in {SUCCEEDED, "canceled"}:
            with contextlib.suppress(PaymentRefusedError):
                intent = payments.cancel_payment_intent(
                    intent.id, idempotency_key=f"gigconnect:cancel:{contract.id}:{intent.id}")
            intent = payments.get_payment_intent(intent.id)
        if intent.status == SUCCEEDED:
            self._events.apply_intent(intent, now)
            raise InvalidStateError("A milestone was paid meanwhile; refund it instead of cancelling.",
                                    details=[ErrorDetail(field=f"milestones.{m.position}.status", issue="funded")])
        if intent.status != "canceled":
            raise InvalidStateError("A payment of a milestone is being processed; try again once it settles.",
                                    details=[ErrorDetail(field=f"milestones.{m.position}.payment",
                                                         issue=intent.status)])

    @staticmethod
    def _gig_after_cancel(unit: UnitOfWork, gig: Gig | None, gig_status: GigAfterCancel, now: datetime) -> None:
        """The gig's move (open again, or cancelled) and its event for search (an open gig is found again)."""
        if gig is None or (change := gig.follow_contract(gig_status, now)) is None:
            return
        after = unit.gigs.save(change.gig, expected_status=gig.status)
        unit.record(gig_event(change.event, SEARCH_QUEUE, after))


def _cancelled_events(contract: Contract, gig: Gig | None, by: str, reason: str | None) -> list[OutboxEvent]:
    payload = {"contract_id": contract.id, "gig_id": contract.gig_id, "gig_title": gig.title if gig else "",
               "cancelled_by": by} | ({"reason": reason} if reason else {})
    return [OutboxEvent(id=new_id(), type="contract.cancelled", queue=NOTIFICATIONS_QUEUE,
                        payload={"user_id": user} | payload)
            for user in (contract.client_id, contract.freelancer_id)]
