"""What Stripe reports: a PaymentIntent's state applied to its milestone (the payments queue's consumer, the
payer's sync), and a payout account's capability."""

from __future__ import annotations

from datetime import datetime

from gigcore.domain.contracts import Milestone
from gigcore.domain.errors import ForbiddenError, NotFoundError
from gigcore.domain.escrow import PendingOp, entry
from gigcore.domain.ids import new_id
from gigcore.domain.users import Principal
from gigcore.ports.payments import PaymentIntent
from gigcore.services.escrow._core import ATTEMPTS, FAILED_INTENT, SUCCEEDED, Core, LostRaceError, logger, notices
from gigcore.services.retry import retry_on_conflict


class ProviderEvents:
    def __init__(self, core: Core) -> None:
        self._core = core

    def apply_intent(self, intent: PaymentIntent, now: datetime) -> Milestone | None:
        """Apply what Stripe says of an intent NOW (never what an event said then, so events in any order and
        any number of times give one change): success funds the milestone once, with its ledger entry; a failed
        attempt returns it to ``pending``. None when the intent is not a milestone's."""
        contract_id, milestone_id = intent.metadata.get("contract_id"), intent.metadata.get("milestone_id")
        if not contract_id or not milestone_id:
            return None
        core = self._core

        def attempt() -> Milestone | None:
            contract = core.ports.unit_of_work().contracts.get(contract_id)
            m = contract.milestone(milestone_id) if contract else None
            if contract is None or m is None:
                return None
            op = PendingOp.decode(m.pending_op) if m.pending_op else None
            ours = m.payment_intent_id == intent.id or (
                op is not None and op.kind == "fund" and intent.metadata.get("op") == op.key)
            if not ours:
                logger.warning("intent %s is not the one of milestone %s; ignored", intent.id, m.id)
                return m
            if intent.status == SUCCEEDED and m.status in {"pending", "funding"}:
                funded = entry(new_id(), contract.id, m.id, now, "funding", intent.amount, intent.charge_id)
                after, told = contract.milestone_funded(m, now, intent.charge_id, intent.id)
                done = core.record(m, after, entries=[funded], events=notices(contract, told))
            elif intent.status in FAILED_INTENT and m.status == "funding" and m.payment_intent_id == intent.id:
                failed = m.moved("fund_failed")
                if intent.status == "canceled":
                    failed = failed.changed(payment_intent_id=None)
                done = core.record(m, failed, expected={"funding"})
            else:
                return m
            if done is None:
                raise LostRaceError("The milestone kept changing.")
            return done

        try:
            return retry_on_conflict(attempt, attempts=ATTEMPTS, lost_race=LostRaceError)
        except LostRaceError:
            return core.stored_milestone(contract_id, milestone_id)

    def sync(self, principal: Principal, intent_id: str, now: datetime) -> Milestone:
        """``/payments/{id}/sync``: the payer reconciles a milestone's intent with Stripe now."""
        intent = self._core.ports.payments.get_payment_intent(intent_id)
        contract_id = intent.metadata.get("contract_id")
        contract = self._core.ports.unit_of_work().contracts.get(contract_id) if contract_id else None
        if contract is None:
            raise NotFoundError("No milestone is paid by this payment.")
        if principal.user_id != contract.client_id:
            raise ForbiddenError("Only the payer can reconcile this payment.")
        milestone = self.apply_intent(intent, now)
        if milestone is None:
            raise NotFoundError("No milestone is paid by this payment.")
        return milestone

    def on_stripe_event(self, event_type: str, object_id: str, now: datetime) -> None:
        """The payments queue's consumer: re-read the object the event is about and apply its current state.

        An object Stripe no longer knows (or never knew under this key) has nothing to apply: logged, not retried
        into the dead-letter queue."""
        ports = self._core.ports
        try:
            if event_type.startswith("payment_intent."):
                self.apply_intent(ports.payments.get_payment_intent(object_id), now)
            elif event_type == "account.updated":
                user_id = ports.payout_accounts.user_of_account(object_id)
                if user_id is not None:
                    ports.payout_accounts.set_payouts_enabled(user_id,
                                                              ports.payments.get_account(object_id).payouts_enabled)
            else:
                # charge.refunded and the rest: GigConnect's own refunds are recorded when made. A refund made
                # outside GigConnect (Stripe's dashboard) is not brought into the ledger; it is logged.
                logger.info("stripe event %s about %s: nothing to apply", event_type, object_id)
        except NotFoundError:
            logger.warning("stripe event %s about %s: Stripe does not know the object; nothing applied",
                           event_type, object_id)
