"""Funding: the client pays a milestone into escrow (a PaymentIntent, one per milestone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gigcore.domain.contracts import Contract, Milestone, next_milestone_status
from gigcore.domain.errors import (
    ErrorDetail,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    PaymentFailedError,
)
from gigcore.domain.escrow import PendingOp
from gigcore.domain.money import require_chargeable
from gigcore.domain.users import Principal
from gigcore.ports.payments import PaymentIntent, PaymentRefusedError
from gigcore.services.escrow._core import SUCCEEDED, Core, unknown_payment_method
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.provider_events import ProviderEvents


@dataclass(frozen=True)
class Funding:
    milestone: Milestone
    intent: PaymentIntent


class Fund:
    def __init__(self, core: Core, claims: Claims, events: ProviderEvents) -> None:
        self._core = core
        self._claims = claims
        self._events = events

    def fund(self, principal: Principal, contract_id: str, milestone_id: str, payment_method_id: str | None,
             now: datetime) -> Funding:
        """The client pays the milestone into escrow: a PaymentIntent (automatic capture, ``transfer_group`` =
        the milestone id, metadata with both ids), confirmed at once with ``payment_method_id``. The milestone
        is ``funding`` until Stripe reports success (webhook or sync). A declined card: 402, nothing changes."""

        def plan(contract: Contract, m: Milestone) -> PendingOp | Funding:
            if self._core.party(principal, contract) != "client":
                raise ForbiddenError("Only the client funds a milestone.")
            if contract.status not in {"active", "disputed"}:
                raise InvalidStateError(f"The contract is {contract.status}; its milestones take no payment.",
                                        details=[ErrorDetail(field="contract.status", issue=contract.status)])
            next_milestone_status(m.status, "fund")
            require_chargeable(m.amount, "milestone")  # a milestone stored before the limits held
            if m.payment_intent_id is not None:
                reused = self._fund_again(m, payment_method_id, now)
                if reused is not None:
                    return reused
            return PendingOp(kind="fund", key=f"fund:{m.id}:v{m.version}", by=principal.user_id,
                             payment_method_id=payment_method_id)

        return self._claims.run(now, lambda: self._claims.ready(contract_id, milestone_id, now), plan,
                                lambda contract, m, op: self.complete(contract, m, op, now))

    def _fund_again(self, m: Milestone, payment_method_id: str | None, now: datetime) -> Funding | None:
        """Another fund of a milestone that has an intent: reuse it (one intent per milestone, so a later
        confirmation of an old one can never charge twice); None when it is cancelled and a new one is needed."""
        assert m.payment_intent_id is not None
        payments = self._core.ports.payments
        intent = payments.get_payment_intent(m.payment_intent_id)
        if intent.status == SUCCEEDED:
            return Funding(milestone=self._events.apply_intent(intent, now) or m, intent=intent)
        if intent.status == "canceled":
            return None
        if payment_method_id is not None and intent.status in {"requires_payment_method", "requires_confirmation"}:
            try:
                intent = payments.confirm_payment_intent(
                    intent.id, payment_method_id=payment_method_id,
                    idempotency_key=f"gigconnect:fund:{m.id}:v{m.version}:confirm:{payment_method_id}")
            except NotFoundError as exc:
                raise unknown_payment_method() from exc
        if m.status == "pending":
            moved = self._core.record(m, m.moved("fund"), expected={"pending"})
            m = moved or self._core.stored_milestone(m.contract_id, m.id)
        if intent.status == SUCCEEDED:
            m = self._events.apply_intent(intent, now) or m
        return Funding(milestone=m, intent=intent)

    def complete(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Funding:
        """The claimed fund: create the intent (keyed by the claim) and record it on the milestone."""
        self._claims.check(m, op, lambda: next_milestone_status(m.status, "fund"))
        try:
            with self._claims.gives_up_on(m, (PaymentFailedError, PaymentRefusedError, NotFoundError)):
                intent = self._core.ports.payments.create_payment_intent(
                    amount=m.amount, transfer_group=m.id, payment_method_id=op.payment_method_id,
                    metadata={"contract_id": contract.id, "milestone_id": m.id, "op": op.key},
                    description=f"GigConnect milestone: {m.title}", idempotency_key=op.idempotency_key("intent"))
        except NotFoundError as exc:  # no such payment method: Stripe created nothing
            raise unknown_payment_method() from exc
        recorded = self._core.record(m, m.moved("fund", payment_intent_id=intent.id, pending_op=None))
        return Funding(milestone=recorded or self._core.stored_milestone(m.contract_id, m.id), intent=intent)
