"""Refunds: money back to the client, whole or in part; after a release the transfer is reversed first and the
fee given back last."""

from __future__ import annotations

from datetime import datetime

from gigcore.domain.contracts import Contract, Milestone, MilestoneStatus, next_milestone_status
from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError, ValidationError
from gigcore.domain.escrow import LedgerEntry, MilestoneMoney, PendingOp, entry, refund_sources
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.domain.users import Principal
from gigcore.ports.payments import PaymentRefusedError
from gigcore.services.escrow._core import ADMIN, Core, MovedError, cannot_finish, money_of, notices, request_digest
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.settlement import settle


class Refunds:
    def __init__(self, core: Core, claims: Claims) -> None:
        self._core = core
        self._claims = claims

    def refund(self, principal: Principal, contract_id: str, milestone_id: str, amount: Money | None, reason: str,
               now: datetime, *, request_key: str | None = None) -> Milestone:
        """Give money back to the client: the client before submission (``funded``), an admin at any time; all
        that is left by default. After a release the transfer is reversed first (and the fee given back last).
        Partial refunds keep the status; the milestone is ``refunded`` once all of it is.

        ``request_key`` is the request's Idempotency-Key: a retry of a refund that was cut short (an outage, a
        crash) finishes that refund instead of making another; without it, a refund left in flight is
        finished and this one made after it."""
        request = request_digest(principal, request_key)

        def load() -> tuple[Contract, Milestone]:
            contract = self._core.contract(contract_id)
            m = self._core.milestone(contract, milestone_id)
            self._core.party(principal, contract)
            return contract, m

        def plan(contract: Contract, m: Milestone) -> PendingOp:
            if not principal.has_role(ADMIN):
                if self._core.party(principal, contract) == "freelancer":
                    raise ForbiddenError("The freelancer cannot refund a milestone.")
                if m.status != "funded":
                    next_milestone_status(m.status, "refund")  # 409 for what cannot be refunded at all
                    raise InvalidStateError("The client can refund a milestone only before its work is submitted.",
                                            details=[ErrorDetail(field="status", issue=m.status)])
            refundable = m.amount - m.refunded_amount
            if refundable.amount == 0:
                raise InvalidStateError("Nothing is left of the milestone to refund.",
                                        details=[ErrorDetail(field="status", issue=m.status)])
            wanted = refundable if amount is None else money_of(amount, m.amount.currency, "amount")
            if wanted.amount <= 0 or refundable < wanted:
                raise ValidationError("The refund must be above zero and at most what is left of the milestone.",
                                      details=[ErrorDetail(field="amount.amount",
                                                           issue=f"1 to {refundable.amount}")])
            next_milestone_status(m.status, "refund" if wanted == refundable else "refund_part")
            return PendingOp(kind="refund", key=f"refund:{m.id}:v{m.version}", by=principal.user_id,
                             amount=wanted.amount, reason=reason, request=request)

        return self._claims.run(now, load, plan, lambda contract, m, op: self.complete(contract, m, op, now),
                                joins=lambda op: op.kind == "refund" and request is not None and op.request == request)

    def give_back(self, contract: Contract, m: Milestone, op: PendingOp, amount: Money, money: MilestoneMoney,
                  now: datetime) -> list[LedgerEntry]:
        """Reverse what is needed of the transfer, then refund ``amount`` to the client; the ledger entries.
        :class:`MovedError` when the refund is refused after a reversal was made."""
        try:
            _, from_transfer, from_fee = refund_sources(amount, money)
        except ValueError as exc:
            raise cannot_finish(op, "more than the milestone's money") from exc
        if m.payment_intent_id is None:
            raise InvalidStateError("The milestone has no payment to refund.",
                                    details=[ErrorDetail(field="payment", issue="none")])
        if from_transfer.amount > 0 and m.transfer_id is None:
            raise cannot_finish(op, "no transfer to reverse")
        payments = self._core.ports.payments
        metadata = {"contract_id": contract.id, "milestone_id": m.id, "op": op.key}
        entries: list[LedgerEntry] = []
        if from_transfer.amount > 0:
            assert m.transfer_id is not None
            reversal = payments.reverse_transfer(m.transfer_id, amount=from_transfer,
                                                 idempotency_key=op.idempotency_key("reversal"), metadata=metadata)
            entries.append(entry(new_id(), contract.id, m.id, now, "reversal", from_transfer, reversal.id))
        if from_fee.amount > 0:
            entries.append(entry(new_id(), contract.id, m.id, now, "fee_reversal", from_fee))
        try:
            refund = payments.refund(payment_intent_id=m.payment_intent_id, amount=amount, metadata=metadata,
                                     idempotency_key=op.idempotency_key("refund"))
        except PaymentRefusedError as refusal:
            if entries:
                raise MovedError(entries, refusal) from refusal
            raise
        entries.append(entry(new_id(), contract.id, m.id, now, "refund", amount, refund.id))
        return entries

    def give_back_claimed(self, contract: Contract, m: Milestone, op: PendingOp, amount: Money,
                          now: datetime) -> list[LedgerEntry] | None:
        """:meth:`give_back` under the claim on ``m``: None when another call recorded the step meanwhile; a
        refusal records what moved before it (or gives the claim up when nothing did) and goes on."""
        money = self._claims.money_as_claimed(contract, m)
        if money is None:
            return None
        try:
            with self._claims.gives_up_on(m):
                return self.give_back(contract, m, op, amount, money, now)
        except MovedError as moved:
            self._claims.record_part(m, moved.entries)
            raise moved.refusal from moved

    def complete(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        """The claimed refund: Stripe's reversal and refund (keyed by the claim), then the milestone, its ledger
        entries and, when it ends the contract, the settlement, in one transaction."""
        amount = Money(amount=op.amount, currency=m.amount.currency)
        refunded = m.refunded_amount + amount

        def planned() -> MilestoneStatus:
            if amount.amount <= 0 or m.amount < refunded:
                raise ValueError("more than what is left of the milestone")
            return next_milestone_status(m.status, "refund" if refunded == m.amount else "refund_part")

        self._claims.check(m, op, planned)
        entries = self.give_back_claimed(contract, m, op, amount, now)
        if entries is None:
            return self._claims.after_race(contract, m, now)
        after, told = contract.milestone_refunded(m, amount)
        recorded = self._core.record(
            m, after, entries=entries, events=notices(contract, told),
            settles=(lambda unit: settle(unit, contract, after, now)) if after.status == "refunded" else None)
        return recorded or self._claims.after_race(contract, m, now)
