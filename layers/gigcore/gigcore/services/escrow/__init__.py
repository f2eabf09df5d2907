"""Escrow: payout accounts, funding, submission, release, refunds, disputes, auto-release, cancelling a
contract, the ledger and invoices (docs/escrow.md). The money rules are in
``gigcore.domain.escrow`` and ``gigcore.domain.invoices``.

One module per use case; every step that moves money runs through ``claims.Claims.run`` (claim the milestone
on its version, call Stripe with keys derived from the claim, record the outcome on the claimed version,
finish a claim left behind, give up one that can never succeed). :class:`Escrow` is the one object the routes,
the queues' consumers and the schedule call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.escrow import Balances, LedgerEntry, balances
from gigcore.domain.invoices import Invoice, invoices
from gigcore.domain.money import Money
from gigcore.domain.users import Principal
from gigcore.ports.changes import ChangeListener, nobody_listens
from gigcore.ports.escrow import Dispute
from gigcore.ports.payments import PaymentIntent
from gigcore.services.escrow._core import (
    NOTIFICATIONS_QUEUE,
    PAYMENTS_QUEUE,
    STRIPE_EVENT,
    Core,
    EscrowConfig,
    EscrowPorts,
)
from gigcore.services.escrow.cancel import CancelContract, GigAfterCancel
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.disputes import Disputes
from gigcore.services.escrow.funding import Fund, Funding
from gigcore.services.escrow.payout_accounts import PayoutAccounts, PayoutAccountView
from gigcore.services.escrow.provider_events import ProviderEvents
from gigcore.services.escrow.refunds import Refunds
from gigcore.services.escrow.release import Release
from gigcore.services.escrow.settlement import AutoRelease

__all__ = ["NOTIFICATIONS_QUEUE", "PAYMENTS_QUEUE", "STRIPE_EVENT", "Escrow", "EscrowConfig", "EscrowPorts",
           "Funding", "Ledger", "PayoutAccountView"]


@dataclass(frozen=True)
class Ledger:
    entries: list[LedgerEntry]
    balances: Balances


class Escrow:
    """The escrow use cases. ``now`` is passed in by the caller (the routes' clock, the schedule's).

    ``changed`` hears of the gig after a step completed (or cancelled) its contract."""

    def __init__(self, ports: EscrowPorts, config: EscrowConfig, changed: ChangeListener = nobody_listens) -> None:
        self._core = core = Core(ports, config, changed)
        claims = Claims(core)
        self._accounts = PayoutAccounts(core)
        self._events = ProviderEvents(core)
        self._fund = Fund(core, claims, self._events)
        self._release = Release(core, claims, self._accounts)
        self._refunds = Refunds(core, claims)
        self._disputes = Disputes(core, claims, self._accounts, self._release, self._refunds)
        self._cancel = CancelContract(core, claims, self._events)
        self._auto = AutoRelease(core, self._release.release)
        claims.completers.update({"fund": self._fund.complete, "release": self._release.complete,
                                  "refund": self._refunds.complete, "resolve": self._disputes.complete})

    @property
    def ports(self) -> EscrowPorts:
        return self._core.ports

    def payout_account(self, principal: Principal, now: datetime) -> PayoutAccountView:
        return self._accounts.payout_account(principal, now)

    def fund(self, principal: Principal, contract_id: str, milestone_id: str, payment_method_id: str | None,
             now: datetime) -> Funding:
        return self._fund.fund(principal, contract_id, milestone_id, payment_method_id, now)

    def apply_intent(self, intent: PaymentIntent, now: datetime) -> Milestone | None:
        return self._events.apply_intent(intent, now)

    def sync(self, principal: Principal, intent_id: str, now: datetime) -> Milestone:
        return self._events.sync(principal, intent_id, now)

    def on_stripe_event(self, event_type: str, object_id: str, now: datetime) -> None:
        self._events.on_stripe_event(event_type, object_id, now)

    def submit(self, principal: Principal, contract_id: str, milestone_id: str, note: str,
               attachment_keys: Sequence[str], now: datetime) -> Milestone:
        return self._release.submit(principal, contract_id, milestone_id, note, attachment_keys, now)

    def release(self, principal: Principal | None, contract_id: str, milestone_id: str, now: datetime) -> Milestone:
        return self._release.release(principal, contract_id, milestone_id, now)

    def refund(self, principal: Principal, contract_id: str, milestone_id: str, amount: Money | None, reason: str,
               now: datetime, *, request_key: str | None = None) -> Milestone:
        return self._refunds.refund(principal, contract_id, milestone_id, amount, reason, now,
                                    request_key=request_key)

    def cancel_contract(self, principal: Principal, contract_id: str, gig_status: GigAfterCancel,
                        reason: str | None, now: datetime) -> Contract:
        return self._cancel.cancel_contract(principal, contract_id, gig_status, reason, now)

    def open_dispute(self, principal: Principal, contract_id: str, milestone_id: str, reason: str,
                     now: datetime) -> Dispute:
        return self._disputes.open_dispute(principal, contract_id, milestone_id, reason, now)

    def get_dispute(self, principal: Principal, dispute_id: str) -> Dispute:
        return self._disputes.get_dispute(principal, dispute_id)

    def resolve(self, principal: Principal, dispute_id: str, release_amount: Money, refund_amount: Money, note: str,
                now: datetime) -> Dispute:
        return self._disputes.resolve(principal, dispute_id, release_amount, refund_amount, note, now)

    def auto_release_due(self, now: datetime, *, limit: int = 100) -> int:
        return self._auto.auto_release_due(now, limit=limit)

    def ledger(self, principal: Principal, contract_id: str) -> Ledger:
        contract = self._core.contract(contract_id)
        self._core.party(principal, contract)
        entries = self._core.ports.unit_of_work().ledger.entries(contract_id)
        # The ledger is in the currency its money moved in: the milestones' (a contract accepted before the
        # currencies were held together may name another; its milestone is what was charged).
        currency = entries[0].amount.currency if entries else contract.currency
        return Ledger(entries=entries, balances=balances(entries, currency))

    def invoices(self, principal: Principal, contract_id: str) -> list[Invoice]:
        """Receipts: one per funding, per release (gross, the platform fee, net) and per refund."""
        contract = self._core.contract(contract_id)
        self._core.party(principal, contract)
        entries = self._core.ports.unit_of_work().ledger.entries(contract_id)
        return invoices(entries, {m.id: m.title for m in contract.milestones}, self._core.config.fee_bps)
