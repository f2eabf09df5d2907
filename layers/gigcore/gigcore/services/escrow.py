"""Escrow: payout accounts, funding, submission, release, refunds, disputes, auto-release, the ledger and
invoices (API.md "Escrow"; the money rules are in ``gigcore.domain.escrow``).

Every step that moves money follows one pattern, so that a retried, concurrent or crashed call never moves it
twice and never loses it:

1. read the milestone; if a step is in flight on it (``pending_op``), finish that step first (a crashed call
   leaves one behind; an in-flight one is joined: the same Stripe idempotency keys answer the same objects);
2. check the state machine and the caller's rights;
3. claim the milestone with the step (a write conditioned on the version just read: of many concurrent calls
   one claims, the others find the claim and join it);
4. call Stripe with idempotency keys derived from the step (``PendingOp.idempotency_key``);
5. record the outcome in ONE transaction conditioned on the claimed version: the milestone's new state, its
   ledger entries, the contract's and the gig's settlement, and the notifications (outbox).

A Stripe answer that refuses (a declined card, an account that cannot be paid) clears the claim: nothing moved.
A Stripe outage (503) keeps it: the call may have taken effect, and the next call on the milestone finishes it
with the same keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from gigcore.domain.contracts import (
    CONTRACT_TRANSITIONS,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    next_milestone_status,
    settled_status,
)
from gigcore.domain.errors import (
    ConflictError,
    ErrorDetail,
    ForbiddenError,
    InvalidStateError,
    NotFoundError,
    PaymentFailedError,
    ValidationError,
)
from gigcore.domain.escrow import (
    Balances,
    LedgerEntry,
    MilestoneMoney,
    PendingOp,
    balances,
    entry,
    fee_of,
    milestone_money,
    refund_sources,
)
from gigcore.domain.gigs import GIG_TRANSITIONS, Gig, GigAction
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money, require_chargeable
from gigcore.domain.users import Principal
from gigcore.ports import OutboxEvent, TransactItem
from gigcore.ports.auth import UserRepository
from gigcore.ports.contracts import ContractRepository
from gigcore.ports.escrow import Dispute, EscrowStore, PayoutAccount
from gigcore.ports.gigs import GigRepository
from gigcore.ports.payments import PaymentGateway, PaymentIntent, PaymentRefusedError
from gigcore.services.gigs import GIG_CLOSED, GIG_UPDATED, SEARCH_QUEUE, gig_event
from gigcore.services.notifications import ADMINS

logger = logging.getLogger(__name__)

NOTIFICATIONS_QUEUE = "notifications"
PAYMENTS_QUEUE = "payments"
#: The message type of a verified Stripe event on the payments queue (its id is Stripe's event id).
STRIPE_EVENT = "stripe.event"
_ATTEMPTS = 6
_SUCCEEDED = "succeeded"
_FAILED_INTENT = frozenset({"requires_payment_method", "canceled"})
_ADMIN = "admin"

Actor = Literal["client", "freelancer", "admin", "schedule"]


@dataclass(frozen=True)
class EscrowPorts:
    contracts: ContractRepository
    store: EscrowStore
    payments: PaymentGateway
    gigs: GigRepository
    users: UserRepository


@dataclass(frozen=True)
class EscrowConfig:
    fee_bps: int = 1000
    auto_release_days: int = 7
    #: Where Stripe's onboarding sends the freelancer back (the app's deep links, through the API's URL).
    onboarding_return_url: str = "https://app.gigconnect.invalid/payout-account/done"
    onboarding_refresh_url: str = "https://app.gigconnect.invalid/payout-account/retry"


@dataclass(frozen=True)
class PayoutAccountView:
    account: PayoutAccount
    onboarding_url: str


@dataclass(frozen=True)
class Funding:
    milestone: Milestone
    intent: PaymentIntent


@dataclass(frozen=True)
class Ledger:
    entries: list[LedgerEntry]
    balances: Balances


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount: Money
    kind: str


@dataclass(frozen=True)
class Invoice:
    id: str
    kind: Literal["funding", "release", "refund"]
    milestone_id: str
    at: datetime
    lines: list[InvoiceLine]
    total: Money
    stripe_ref: str | None


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * (2 ** min(attempt, 5))))  # noqa: S311 (not for security)


def _notify(kind: str, user_id: str, contract: Contract, milestone: Milestone, **extra: Any) -> OutboxEvent:
    payload = {"user_id": user_id, "contract_id": contract.id, "gig_id": contract.gig_id,
               "milestone_id": milestone.id, "milestone_title": milestone.title} | extra
    return OutboxEvent(id=new_id(), type=kind, queue=NOTIFICATIONS_QUEUE, payload=payload)


def _to_admins(event: OutboxEvent, *, except_user_ids: Sequence[str]) -> OutboxEvent:
    """``event`` for every admin (the notification pipeline fans it out: ``services.notifications``)."""
    payload = {k: v for k, v in event.payload.items() if k != "user_id"}
    return replace(event, id=new_id(), payload=payload | {"audience": ADMINS,
                                                          "except_user_ids": list(except_user_ids)})


def _money_of(amount: Money, currency: str, field: str) -> Money:
    """``amount`` if it is in ``currency`` (the milestone's: what was charged); 422 otherwise, before any claim."""
    if amount.currency != currency:
        raise ValidationError("The amount must be in the contract's currency.",
                              details=[ErrorDetail(field=f"{field}.currency", issue=f"must be {currency}")])
    return amount


def _request_digest(principal: Principal, request_key: str | None) -> str | None:
    """A caller's request, as a step in flight remembers it (the Idempotency-Key is not stored as it is)."""
    if request_key is None:
        return None
    return hashlib.sha256(f"{principal.user_id}\n{request_key}".encode()).hexdigest()[:32]


class _MovedError(Exception):
    """A refusal from Stripe after part of a step had already moved money: ``entries`` record that part."""

    def __init__(self, entries: list[LedgerEntry], refusal: PaymentRefusedError) -> None:
        super().__init__(str(refusal))
        self.entries = entries
        self.refusal = refusal


def _unknown_payment_method() -> ValidationError:
    return ValidationError("Stripe knows no such payment method.",
                           details=[ErrorDetail(field="payment_method_id", issue="unknown")])


def _cannot_finish(op: PendingOp, why: str) -> InvalidStateError:
    return InvalidStateError(f"The {op.kind} left in flight on this milestone cannot be completed ({why}); it was "
                             "cancelled and nothing moved.", details=[ErrorDetail(field="pending_op", issue=why)])


class Escrow:
    """The escrow use cases. ``now`` is passed in by the caller (the routes' clock, the schedule's)."""

    def __init__(self, ports: EscrowPorts, config: EscrowConfig,
                 on_gig_settled: Callable[[str], object] = lambda gig_id: None) -> None:
        """``on_gig_settled(gig_id)`` runs after a step completed (or cancelled) a contract and its gig (the
        composition root forgets the instance's cached copy of the gig)."""
        self._p = ports
        self._c = config
        self._on_gig_settled = on_gig_settled

    # ---- reading and rights ------------------------------------------------------------------------

    def _contract(self, contract_id: str) -> Contract:
        contract = self._p.contracts.get(contract_id)
        if contract is None:
            raise NotFoundError("The contract does not exist.")
        return contract

    def _party(self, principal: Principal, contract: Contract) -> Actor:
        side = contract.party(principal.user_id)
        if side is not None:
            return side
        if principal.has_role(_ADMIN):
            return "admin"
        raise ForbiddenError("Only the parties to the contract can do this.")

    @staticmethod
    def _milestone(contract: Contract, milestone_id: str) -> Milestone:
        milestone = contract.milestone(milestone_id)
        if milestone is None:
            raise NotFoundError("The milestone does not exist.")
        return milestone

    def _fresh(self, contract_id: str, milestone_id: str) -> Milestone:
        milestone = self._p.contracts.get_milestone(contract_id, milestone_id)
        if milestone is None:
            raise NotFoundError("The milestone does not exist.")
        return milestone

    # ---- payout account ------------------------------------------------------------------------------

    def payout_account(self, principal: Principal, now: datetime) -> PayoutAccountView:
        """The freelancer's Connect account, created on first call (one per user, whatever the number of
        concurrent calls: Stripe's idempotency key is the user's), with a fresh onboarding link."""
        if not principal.has_role("freelancer"):
            raise ForbiddenError("Only freelancers have payout accounts.")
        account = self._p.store.payout_account(principal.user_id)
        if account is None:
            user = self._p.users.get(principal.user_id)
            if user is None:
                raise NotFoundError("The user does not exist.")
            created = self._p.payments.create_account(
                user_id=user.id, email=user.email, idempotency_key=f"gigconnect:payout-account:{user.id}")
            account = self._p.store.add_payout_account(PayoutAccount(
                user_id=user.id, account_id=created.id, payouts_enabled=created.payouts_enabled, created_at=now))
        elif not account.payouts_enabled:
            account = self._refresh_account(account)
        url = self._p.payments.onboarding_link(account.account_id, refresh_url=self._c.onboarding_refresh_url,
                                               return_url=self._c.onboarding_return_url)
        return PayoutAccountView(account=account, onboarding_url=url)

    def _refresh_account(self, account: PayoutAccount) -> PayoutAccount:
        enabled = self._p.payments.get_account(account.account_id).payouts_enabled
        if enabled != account.payouts_enabled:
            self._p.store.set_payouts_enabled(account.user_id, enabled)
        return replace(account, payouts_enabled=enabled)

    def _payable_account(self, freelancer_id: str) -> PayoutAccount:
        account = self._p.store.payout_account(freelancer_id)
        if account is not None and not account.payouts_enabled:
            account = self._refresh_account(account)
        if account is None or not account.payouts_enabled:
            raise InvalidStateError("The freelancer has no payout account that can receive payments yet.",
                                    details=[ErrorDetail(field="payout_account", issue="required")])
        return account

    # ---- claims ----------------------------------------------------------------------------------------

    def _claim(self, m: Milestone, op: PendingOp) -> Milestone:
        """Claim ``m`` (as read) for ``op``; ConflictError when another call changed it first."""
        return self._p.contracts.transition_milestone(m.contract_id, m.id, expected={m.status},
                                                      changes={"pending_op": op.encode()},
                                                      expected_version=m.version)

    def _unclaim(self, m: Milestone) -> None:
        """Give up a claim after a refusal (nothing moved); a lost race here is harmless."""
        with contextlib.suppress(ConflictError, InvalidStateError):
            self._p.contracts.transition_milestone(m.contract_id, m.id, expected={m.status},
                                                   changes={"pending_op": None}, expected_version=m.version)

    def _check_claim(self, m: Milestone, op: PendingOp, check: Callable[[], object]) -> None:
        """Run ``check`` (the step's rules, before any Stripe call); when they fail, the claim can never succeed
        (the milestone cannot change while it is claimed, and every version of a step checked them before its
        first Stripe call, so none was made under it): give it up and answer 409."""
        try:
            check()
        except (ValueError, InvalidStateError, ValidationError) as exc:
            logger.error("the %s claimed on milestone %s cannot be completed: %s", op.kind, m.id, exc)
            self._unclaim(m)
            raise _cannot_finish(op, "its rules do not hold") from exc

    def _settle_pending(self, contract: Contract, m: Milestone, now: datetime) -> None:
        """Finish the step left on ``m`` (crashed or in flight), with its own keys."""
        assert m.pending_op is not None
        op = PendingOp.decode(m.pending_op)
        logger.info("finishing %s left on milestone %s", op.kind, m.id)
        try:
            if op.kind == "fund":
                self._complete_fund(contract, m, op, now)
            elif op.kind == "release":
                self._complete_release(contract, m, op, now)
            elif op.kind == "refund":
                self._complete_refund(contract, m, op, now)
            elif op.kind == "resolve":
                self._complete_resolve(contract, m, op, now)
            else:
                # Written by no version of this code: nothing can finish it, and no Stripe call is keyed on it.
                logger.error("milestone %s holds a step of unknown kind %r; cleared", m.id, op.kind)
                self._unclaim(m)
        except (PaymentFailedError, PaymentRefusedError, InvalidStateError, ValidationError):
            pass  # its outcome was recorded (claim cleared), or another call recorded it

    def _ready(self, contract_id: str, milestone_id: str, now: datetime) -> tuple[Contract, Milestone]:
        """The contract and the milestone with no step in flight (finishing any left behind)."""
        for _ in range(_ATTEMPTS):
            contract = self._contract(contract_id)
            m = self._milestone(contract, milestone_id)
            if m.pending_op is None:
                return contract, m
            self._settle_pending(contract, m, now)
        raise ConflictError("Another payment step on this milestone is in progress; try again.")

    def _record(self, m: Milestone, *, expected: set[MilestoneStatus] | frozenset[MilestoneStatus],
                changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                events: Sequence[OutboxEvent] = (), settled_gig: str | None = None) -> Milestone | None:
        """The outcome's transaction, conditioned on ``m``'s version; None when another call recorded it first.
        ``settled_gig``: the gig whose contract the transaction settles (reported once it is written)."""
        try:
            recorded = self._p.contracts.transition_milestone(m.contract_id, m.id, expected=expected,
                                                              changes=changes, extra=extra, events=events,
                                                              expected_version=m.version)
        except (ConflictError, InvalidStateError):
            return None
        if settled_gig is not None:
            self._on_gig_settled(settled_gig)
        return recorded

    def _settlement(self, contract: Contract, after: Milestone, now: datetime) -> list[TransactItem]:
        """When ``after`` is the last milestone to end: the contract becomes completed (or cancelled) and its gig
        follows, in the same transaction, which also checks no other milestone moved meanwhile."""
        others = [m for m in contract.milestones if m.id != after.id]
        status = settled_status([*others, after])
        action = {"completed": "complete", "cancelled": "cancel"}.get(status or "")
        if status is None or action is None or (contract.status, action) not in CONTRACT_TRANSITIONS:
            return []
        writes = [self._p.contracts.milestone_check(contract.id, m.id, version=m.version) for m in others]
        writes.append(self._p.contracts.contract_write(contract.id, expected={contract.status},
                                                       changes={"status": status, "updated_at": now}))
        gig = self._p.gigs.get(contract.gig_id)
        gig_action: GigAction = "complete" if status == "completed" else "cancel_contract"
        if gig is not None and (gig.status, gig_action) in GIG_TRANSITIONS:
            after_status = GIG_TRANSITIONS[(gig.status, gig_action)]
            writes += self._p.gigs.save_writes(gig.changed(status=after_status, updated_at=now),
                                               expected_status=gig.status)
        return writes

    # ---- fund --------------------------------------------------------------------------------------------

    def fund(self, principal: Principal, contract_id: str, milestone_id: str, payment_method_id: str | None,
             now: datetime) -> Funding:
        """The client pays the milestone into escrow: a PaymentIntent (automatic capture, ``transfer_group`` =
        the milestone id, metadata with both ids), confirmed at once with ``payment_method_id``. The milestone
        is ``funding`` until Stripe reports success (webhook or sync). A declined card: 402, nothing changes."""
        for attempt in range(_ATTEMPTS):
            contract, m = self._ready(contract_id, milestone_id, now)
            if self._party(principal, contract) != "client":
                raise ForbiddenError("Only the client funds a milestone.")
            if contract.status not in {"active", "disputed"}:
                raise InvalidStateError(f"The contract is {contract.status}; its milestones take no payment.",
                                        details=[ErrorDetail(field="contract.status", issue=contract.status)])
            next_milestone_status(m.status, "fund")
            require_chargeable(m.amount, "milestone")  # a milestone stored before the limits held
            if m.payment_intent_id is not None:
                reused = self._fund_again(contract, m, payment_method_id, now)
                if reused is not None:
                    return reused
            op = PendingOp(kind="fund", key=f"fund:{m.id}:v{m.version}", by=principal.user_id,
                           payment_method_id=payment_method_id)
            try:
                claimed = self._claim(m, op)
            except ConflictError:
                _pause(attempt)
                continue
            return self._complete_fund(contract, claimed, op, now)
        raise ConflictError("The milestone kept changing; try again.")

    def _fund_again(self, contract: Contract, m: Milestone, payment_method_id: str | None,
                    now: datetime) -> Funding | None:
        """Another fund of a milestone that has an intent: reuse it (one intent per milestone, so a later
        confirmation of an old one can never charge twice); None when it is cancelled and a new one is needed."""
        assert m.payment_intent_id is not None
        intent = self._p.payments.get_payment_intent(m.payment_intent_id)
        if intent.status == _SUCCEEDED:
            return Funding(milestone=self.apply_intent(intent, now) or m, intent=intent)
        if intent.status == "canceled":
            return None
        if payment_method_id is not None and intent.status in {"requires_payment_method", "requires_confirmation"}:
            try:
                intent = self._p.payments.confirm_payment_intent(
                    intent.id, payment_method_id=payment_method_id,
                    idempotency_key=f"gigconnect:fund:{m.id}:v{m.version}:confirm:{payment_method_id}")
            except NotFoundError as exc:
                raise _unknown_payment_method() from exc
        if m.status == "pending":
            moved = self._record(m, expected={"pending"}, changes={"status": "funding"})
            m = moved or self._fresh(m.contract_id, m.id)
        if intent.status == _SUCCEEDED:
            m = self.apply_intent(intent, now) or m
        return Funding(milestone=m, intent=intent)

    def _complete_fund(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Funding:
        self._check_claim(m, op, lambda: next_milestone_status(m.status, "fund"))
        try:
            intent = self._p.payments.create_payment_intent(
                amount=m.amount, transfer_group=m.id, payment_method_id=op.payment_method_id,
                metadata={"contract_id": contract.id, "milestone_id": m.id, "op": op.key},
                description=f"GigConnect milestone: {m.title}", idempotency_key=op.idempotency_key("intent"))
        except (PaymentFailedError, PaymentRefusedError):
            self._unclaim(m)
            raise
        except NotFoundError as exc:  # no such payment method: Stripe created nothing
            self._unclaim(m)
            raise _unknown_payment_method() from exc
        recorded = self._record(m, expected={m.status},
                                changes={"status": "funding", "payment_intent_id": intent.id, "pending_op": None})
        milestone = recorded or self._fresh(m.contract_id, m.id)
        return Funding(milestone=milestone, intent=intent)

    # ---- Stripe reports ----------------------------------------------------------------------------------

    def apply_intent(self, intent: PaymentIntent, now: datetime) -> Milestone | None:
        """Apply what Stripe says of an intent NOW (never what an event said then, so events in any order and
        any number of times give one change): success funds the milestone once, with its ledger entry; a failed
        attempt returns it to ``pending``. None when the intent is not a milestone's."""
        contract_id, milestone_id = intent.metadata.get("contract_id"), intent.metadata.get("milestone_id")
        if not contract_id or not milestone_id:
            return None
        for attempt in range(_ATTEMPTS):
            contract = self._p.contracts.get(contract_id)
            m = contract.milestone(milestone_id) if contract else None
            if contract is None or m is None:
                return None
            op = PendingOp.decode(m.pending_op) if m.pending_op else None
            ours = m.payment_intent_id == intent.id or (
                op is not None and op.kind == "fund" and intent.metadata.get("op") == op.key)
            if not ours:
                logger.warning("intent %s is not the one of milestone %s; ignored", intent.id, m.id)
                return m
            if intent.status == _SUCCEEDED and m.status in {"pending", "funding"}:
                funded = entry(new_id(), contract.id, m.id, now, "funding", intent.amount, intent.charge_id)
                done = self._record(
                    m, expected={m.status},
                    changes={"status": "funded", "funded_at": now, "charge_id": intent.charge_id,
                             "payment_intent_id": intent.id, "pending_op": None},
                    extra=self._p.store.ledger_writes([funded]),
                    events=[_notify("milestone.funded", contract.freelancer_id, contract, m)])
            elif intent.status in _FAILED_INTENT and m.status == "funding" and m.payment_intent_id == intent.id:
                changes: dict[str, Any] = {"status": "pending"}
                if intent.status == "canceled":
                    changes["payment_intent_id"] = None
                done = self._record(m, expected={"funding"}, changes=changes)
            else:
                return m
            if done is not None:
                return done
            _pause(attempt)
        return self._fresh(contract_id, milestone_id)

    def sync(self, principal: Principal, intent_id: str, now: datetime) -> Milestone:
        """``/payments/{id}/sync``: the payer reconciles a milestone's intent with Stripe now."""
        intent = self._p.payments.get_payment_intent(intent_id)
        contract_id = intent.metadata.get("contract_id")
        contract = self._p.contracts.get(contract_id) if contract_id else None
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
        try:
            if event_type.startswith("payment_intent."):
                self.apply_intent(self._p.payments.get_payment_intent(object_id), now)
            elif event_type == "account.updated":
                user_id = self._p.store.user_of_account(object_id)
                if user_id is not None:
                    enabled = self._p.payments.get_account(object_id).payouts_enabled
                    self._p.store.set_payouts_enabled(user_id, enabled)
            else:
                # charge.refunded and the rest: GigConnect's own refunds are recorded when made. A refund made
                # outside GigConnect (Stripe's dashboard) is not brought into the ledger; it is logged.
                logger.info("stripe event %s about %s: nothing to apply", event_type, object_id)
        except NotFoundError:
            logger.warning("stripe event %s about %s: Stripe does not know the object; nothing applied",
                           event_type, object_id)

    # ---- submit ------------------------------------------------------------------------------------------

    def submit(self, principal: Principal, contract_id: str, milestone_id: str, note: str,
               attachment_keys: Sequence[str], now: datetime) -> Milestone:
        """The freelancer submits the work of a funded milestone; it is released automatically after
        ``auto_release_days`` unless the client releases, refunds or disputes first."""
        for attempt in range(_ATTEMPTS):
            contract, m = self._ready(contract_id, milestone_id, now)
            if self._party(principal, contract) != "freelancer":
                raise ForbiddenError("Only the freelancer submits a milestone.")
            next_milestone_status(m.status, "submit")
            due = now + timedelta(days=self._c.auto_release_days)
            try:
                return self._p.contracts.transition_milestone(
                    contract.id, m.id, expected={m.status}, expected_version=m.version,
                    changes={"status": "submitted", "submitted_at": now, "auto_release_at": due,
                             "submission_note": note, "attachment_keys": tuple(attachment_keys)},
                    events=[_notify("milestone.submitted", contract.client_id, contract, m)])
            except ConflictError:
                _pause(attempt)
        raise ConflictError("The milestone kept changing; try again.")

    # ---- release -----------------------------------------------------------------------------------------

    def release(self, principal: Principal | None, contract_id: str, milestone_id: str, now: datetime) -> Milestone:
        """Pay the freelancer: a Transfer of the held amount minus the platform fee from the milestone's
        charge. The client from ``funded`` or ``submitted``; ``principal`` None is the auto-release schedule
        (``submitted`` only). Concurrent releases join one transfer; a release is done once."""
        for attempt in range(_ATTEMPTS):
            contract = self._contract(contract_id)
            m = self._milestone(contract, milestone_id)
            if principal is not None and self._party(principal, contract) != "client":
                raise ForbiddenError("Only the client releases a milestone.")
            if m.pending_op is not None:
                op = PendingOp.decode(m.pending_op)
                if op.kind == "release":
                    return self._complete_release(contract, m, op, now)
                self._settle_pending(contract, m, now)
                continue
            if principal is None and m.status != "submitted":
                raise InvalidStateError("Only a submitted milestone is released automatically.",
                                        details=[ErrorDetail(field="status", issue=m.status)])
            next_milestone_status(m.status, "release")
            self._payable_account(contract.freelancer_id)
            op = PendingOp(kind="release", key=f"release:{m.id}", by=principal.user_id if principal else "schedule")
            try:
                claimed = self._claim(m, op)
            except ConflictError:
                _pause(attempt)
                continue
            return self._complete_release(contract, claimed, op, now)
        raise ConflictError("The milestone kept changing; try again.")

    def _pay(self, contract: Contract, m: Milestone, op: PendingOp, amount: Money,
             now: datetime) -> tuple[list[LedgerEntry], str | None]:
        """The transfer of ``amount`` (less the fee) and its ledger entries (release, fee)."""
        net, fee = fee_of(amount, self._c.fee_bps)
        entries: list[LedgerEntry] = []
        transfer_id = None
        if net.amount > 0:
            account = self._payable_account(contract.freelancer_id)
            if m.charge_id is None:
                raise InvalidStateError("The milestone's charge is not known yet; sync its payment first.",
                                        details=[ErrorDetail(field="payment", issue="unknown charge")])
            transfer = self._p.payments.create_transfer(
                amount=net, destination=account.account_id, source_transaction=m.charge_id, transfer_group=m.id,
                metadata={"contract_id": contract.id, "milestone_id": m.id, "op": op.key},
                idempotency_key=op.idempotency_key("transfer"))
            transfer_id = transfer.id
            entries.append(entry(new_id(), contract.id, m.id, now, "release", net, transfer.id))
        if fee.amount > 0:
            entries.append(entry(new_id(), contract.id, m.id, now, "fee", fee, transfer_id))
        return entries, transfer_id

    def _complete_release(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        self._check_claim(m, op, lambda: next_milestone_status(m.status, "release"))
        try:
            entries, transfer_id = self._pay(contract, m, op, m.held, now)
        except (PaymentRefusedError, InvalidStateError):
            self._unclaim(m)
            raise
        settle = self._settlement(contract, replace(m, status="released"), now)
        recorded = self._record(
            m, expected={m.status},
            changes={"status": "released", "released_at": now, "transfer_id": transfer_id, "pending_op": None,
                     "auto_release_at": None},
            extra=[*self._p.store.ledger_writes(entries), *settle],
            events=[_notify("milestone.released", contract.freelancer_id, contract, m,
                            amount=str(sum(e.amount.amount for e in entries if e.kind == "release")))],
            settled_gig=contract.gig_id if settle else None)
        return recorded or self._after_race(contract, m, now)

    def _after_race(self, contract: Contract, m: Milestone, now: datetime) -> Milestone:
        """Another call recorded first (a joined step), or the settlement saw another milestone move: read
        again, and finish the step if it is still in flight."""
        fresh = self._fresh(contract.id, m.id)
        if fresh.pending_op is not None and fresh.pending_op == m.pending_op:
            self._settle_pending(self._contract(contract.id), fresh, now)
            fresh = self._fresh(contract.id, m.id)
        return fresh

    # ---- refund ------------------------------------------------------------------------------------------

    def refund(self, principal: Principal, contract_id: str, milestone_id: str, amount: Money | None, reason: str,
               now: datetime, *, request_key: str | None = None) -> Milestone:
        """Give money back to the client: the client before submission (``funded``), an admin at any time; all
        that is left by default. After a release the transfer is reversed first (and the fee given back last).
        Partial refunds keep the status; the milestone is ``refunded`` once all of it is.

        ``request_key`` is the request's Idempotency-Key: a retry of a refund that was cut short (an outage, a
        crash) finishes that refund instead of making another; without it, a refund left in flight is
        finished and this one made after it."""
        request = _request_digest(principal, request_key)
        for attempt in range(_ATTEMPTS):
            contract = self._contract(contract_id)
            m = self._milestone(contract, milestone_id)
            actor = self._party(principal, contract)
            if m.pending_op is not None:
                op = PendingOp.decode(m.pending_op)
                if op.kind == "refund" and request is not None and op.request == request:
                    return self._complete_refund(contract, m, op, now)
                self._settle_pending(contract, m, now)
                continue
            if not principal.has_role(_ADMIN):
                if actor == "freelancer":
                    raise ForbiddenError("The freelancer cannot refund a milestone.")
                if m.status != "funded":
                    next_milestone_status(m.status, "refund")  # 409 for what cannot be refunded at all
                    raise InvalidStateError("The client can refund a milestone only before its work is submitted.",
                                            details=[ErrorDetail(field="status", issue=m.status)])
            refundable = m.amount - m.refunded_amount
            if refundable.amount == 0:
                raise InvalidStateError("Nothing is left of the milestone to refund.",
                                        details=[ErrorDetail(field="status", issue=m.status)])
            wanted = refundable if amount is None else _money_of(amount, m.amount.currency, "amount")
            if wanted.amount <= 0 or refundable < wanted:
                raise ValidationError("The refund must be above zero and at most what is left of the milestone.",
                                      details=[ErrorDetail(field="amount.amount",
                                                           issue=f"1 to {refundable.amount}")])
            next_milestone_status(m.status, "refund" if wanted == refundable else "refund_part")
            op = PendingOp(kind="refund", key=f"refund:{m.id}:v{m.version}", by=principal.user_id,
                           amount=wanted.amount, reason=reason, request=request)
            try:
                claimed = self._claim(m, op)
            except ConflictError:
                _pause(attempt)
                continue
            return self._complete_refund(contract, claimed, op, now)
        raise ConflictError("The milestone kept changing; try again.")

    def _money_as_claimed(self, contract: Contract, m: Milestone) -> MilestoneMoney | None:
        """The milestone's share of the ledger as it stood at ``m``'s version; None when the milestone moved on
        since (a joined step recorded by another call meanwhile: its entries must not be counted twice).
        The ledger is read first: an unchanged version read after it proves the ledger had no later entry."""
        money = milestone_money(self._p.store.ledger(contract.id), m.id, m.amount.currency)
        fresh = self._fresh(contract.id, m.id)
        return money if fresh.version == m.version else None

    def _record_part(self, m: Milestone, entries: Sequence[LedgerEntry], **changes: Any) -> None:
        """Stripe refused the rest of a step after part of it moved money: record that part and give up the
        claim, so that the ledger says what Stripe did and a later call can act on the milestone."""
        if self._record(m, expected={m.status}, changes={"pending_op": None, **changes},
                        extra=self._p.store.ledger_writes(list(entries))) is None:
            logger.error("the part of a step done on milestone %s could not be recorded: %s", m.id, entries)

    def _give_back(self, contract: Contract, m: Milestone, op: PendingOp, amount: Money, money: MilestoneMoney,
                   now: datetime) -> list[LedgerEntry]:
        """Reverse what is needed of the transfer, then refund ``amount`` to the client; the ledger entries.
        :class:`_MovedError` when the refund is refused after a reversal was made."""
        try:
            _, from_transfer, from_fee = refund_sources(amount, money)
        except ValueError as exc:
            raise _cannot_finish(op, "more than the milestone's money") from exc
        if m.payment_intent_id is None:
            raise InvalidStateError("The milestone has no payment to refund.",
                                    details=[ErrorDetail(field="payment", issue="none")])
        if from_transfer.amount > 0 and m.transfer_id is None:
            raise _cannot_finish(op, "no transfer to reverse")
        entries: list[LedgerEntry] = []
        if from_transfer.amount > 0:
            assert m.transfer_id is not None
            reversal = self._p.payments.reverse_transfer(
                m.transfer_id, amount=from_transfer, idempotency_key=op.idempotency_key("reversal"),
                metadata={"contract_id": contract.id, "milestone_id": m.id, "op": op.key})
            entries.append(entry(new_id(), contract.id, m.id, now, "reversal", from_transfer, reversal.id))
        if from_fee.amount > 0:
            entries.append(entry(new_id(), contract.id, m.id, now, "fee_reversal", from_fee))
        try:
            refund = self._p.payments.refund(payment_intent_id=m.payment_intent_id, amount=amount,
                                             metadata={"contract_id": contract.id, "milestone_id": m.id,
                                                       "op": op.key},
                                             idempotency_key=op.idempotency_key("refund"))
        except PaymentRefusedError as refusal:
            if entries:
                raise _MovedError(entries, refusal) from refusal
            raise
        entries.append(entry(new_id(), contract.id, m.id, now, "refund", amount, refund.id))
        return entries

    def _complete_refund(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        amount = Money(amount=op.amount, currency=m.amount.currency)

        def planned() -> MilestoneStatus:
            refunded = m.refunded_amount + amount
            if amount.amount <= 0 or m.amount < refunded:
                raise ValueError("more than what is left of the milestone")
            return next_milestone_status(m.status, "refund" if refunded == m.amount else "refund_part")

        self._check_claim(m, op, planned)
        status = planned()
        refunded = m.refunded_amount + amount
        money = self._money_as_claimed(contract, m)
        if money is None:
            return self._after_race(contract, m, now)
        try:
            entries = self._give_back(contract, m, op, amount, money, now)
        except _MovedError as moved:
            self._record_part(m, moved.entries)
            raise moved.refusal from moved
        except (PaymentRefusedError, InvalidStateError):
            self._unclaim(m)
            raise
        changes: dict[str, Any] = {"refunded_amount": refunded, "status": status, "pending_op": None}
        if status == "refunded":
            changes["auto_release_at"] = None
        settle = self._settlement(contract, replace(m, status=status), now) if status == "refunded" else []
        recorded = self._record(m, expected={m.status}, changes=changes,
                                extra=[*self._p.store.ledger_writes(entries), *settle],
                                events=[_notify("milestone.refunded", contract.client_id, contract, m,
                                                amount=str(amount.amount))],
                                settled_gig=contract.gig_id if settle else None)
        return recorded or self._after_race(contract, m, now)

    # ---- cancelling a contract before any money moved ------------------------------------------------------

    def cancel_contract(self, principal: Principal, contract_id: str, gig_status: Literal["open", "cancelled"],
                        reason: str | None, now: datetime) -> Contract:
        """Either party cancels a contract while no milestone holds or has moved money: every milestone is
        ``pending`` (a step left in flight is finished first, and an intent of an earlier declined attempt is
        cancelled at Stripe so that no later confirmation can charge it). The contract becomes ``cancelled``,
        its gig ``open`` again (``gig_status="open"``) or ``cancelled`` (its owner only: 403 for the
        freelancer); both parties are told (``contract.cancelled``), all in one transaction that also checks
        that no milestone moved meanwhile. 409 ``invalid_state`` when a milestone is funded or further, or the
        contract is not active (a repeated cancel)."""
        for attempt in range(_ATTEMPTS):
            contract = self._contract(contract_id)
            actor = self._party(principal, contract)
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
                self._settle_pending(contract, m, now)
            if in_flight:
                continue
            moved = [m for m in contract.milestones if m.status != "pending"]
            if moved:
                raise InvalidStateError("A contract can be cancelled only before any milestone is paid; refund or "
                                        "dispute its milestones instead.",
                                        details=[ErrorDetail(field=f"milestones.{m.position}.status", issue=m.status)
                                                 for m in moved])
            for m in contract.milestones:
                if m.payment_intent_id is not None:
                    self._void_intent(contract, m, now)
            gig = self._p.gigs.get(contract.gig_id)
            gig_writes, gig_events = self._gig_after_cancel(gig, gig_status, now)
            try:
                cancelled = self._p.contracts.transition_contract(
                    contract.id, expected={"active"}, changes={"status": "cancelled", "updated_at": now},
                    # Each milestone's version is bumped, not only checked: a fund that read the contract active
                    # before this commits cannot claim its milestone after it (its claim expects the old version).
                    extra=[*(self._p.contracts.milestone_write(contract.id, m.id, expected={"pending"}, changes={},
                                                               expected_version=m.version)
                             for m in contract.milestones), *gig_writes],
                    events=[*self._cancelled_events(contract, gig, principal.user_id, reason), *gig_events])
            except ConflictError:
                _pause(attempt)
                continue
            self._on_gig_settled(contract.gig_id)
            return cancelled
        raise ConflictError("The contract kept changing; try again.")

    def _void_intent(self, contract: Contract, m: Milestone, now: datetime) -> None:
        """Cancel the intent of an earlier attempt on a pending milestone; 409 when it succeeded meanwhile (the
        success is applied: the milestone is funded, and the contract is no longer cancellable)."""
        assert m.payment_intent_id is not None
        intent = self._p.payments.get_payment_intent(m.payment_intent_id)
        if intent.status not in {_SUCCEEDED, "canceled"}:
            with contextlib.suppress(PaymentRefusedError):
                intent = self._p.payments.cancel_payment_intent(
                    intent.id, idempotency_key=f"gigconnect:cancel:{contract.id}:{intent.id}")
            intent = self._p.payments.get_payment_intent(intent.id)
        if intent.status == _SUCCEEDED:
            self.apply_intent(intent, now)
            raise InvalidStateError("A milestone was paid meanwhile; refund it instead of cancelling.",
                                    details=[ErrorDetail(field=f"milestones.{m.position}.status", issue="funded")])
        if intent.status != "canceled":
            raise InvalidStateError("A payment of a milestone is being processed; try again once it settles.",
                                    details=[ErrorDetail(field=f"milestones.{m.position}.payment",
                                                         issue=intent.status)])

    def _gig_after_cancel(self, gig: Gig | None, gig_status: Literal["open", "cancelled"],
                          now: datetime) -> tuple[list[TransactItem], list[OutboxEvent]]:
        """The gig's move (open again, or cancelled) and its event for search (an open gig is found again)."""
        action: GigAction = "reopen" if gig_status == "open" else "cancel_contract"
        if gig is None or (gig.status, action) not in GIG_TRANSITIONS:
            return [], []
        after = gig.changed(status=GIG_TRANSITIONS[(gig.status, action)], updated_at=now)
        event = gig_event(GIG_UPDATED if after.status == "open" else GIG_CLOSED, SEARCH_QUEUE,
                          after.changed(version=gig.version + 1))
        return self._p.gigs.save_writes(after, expected_status=gig.status), [event]

    @staticmethod
    def _cancelled_events(contract: Contract, gig: Gig | None, by: str, reason: str | None) -> list[OutboxEvent]:
        payload = {"contract_id": contract.id, "gig_id": contract.gig_id, "gig_title": gig.title if gig else "",
                   "cancelled_by": by} | ({"reason": reason} if reason else {})
        return [OutboxEvent(id=new_id(), type="contract.cancelled", queue=NOTIFICATIONS_QUEUE,
                            payload={"user_id": user} | payload)
                for user in (contract.client_id, contract.freelancer_id)]

    # ---- disputes ----------------------------------------------------------------------------------------

    def open_dispute(self, principal: Principal, contract_id: str, milestone_id: str, reason: str,
                     now: datetime) -> Dispute:
        """Either party disputes a funded or submitted milestone: auto-release stops, the contract is
        ``disputed`` until an admin resolves it; the other party and every admin (one outbox event that the
        notification pipeline fans out) are notified, in the same transaction."""
        for attempt in range(_ATTEMPTS):
            contract, m = self._ready(contract_id, milestone_id, now)
            actor = self._party(principal, contract)
            if actor not in {"client", "freelancer"}:
                raise ForbiddenError("Only the parties open a dispute.")
            next_milestone_status(m.status, "dispute")
            dispute = Dispute(id=new_id(), contract_id=contract.id, milestone_id=m.id, opened_by=principal.user_id,
                              reason=reason, status="open", held=m.held, created_at=now)
            other = contract.freelancer_id if actor == "client" else contract.client_id
            contract_status: ContractStatus = "disputed"
            try:
                self._p.contracts.transition_milestone(
                    contract.id, m.id, expected={m.status}, expected_version=m.version,
                    changes={"status": "disputed", "dispute_id": dispute.id, "auto_release_at": None},
                    extra=[self._p.store.dispute_write(dispute, expected=None),
                           self._p.contracts.contract_write(contract.id, expected={"active", "disputed"},
                                                            changes={"status": contract_status, "updated_at": now})],
                    events=[_notify("dispute.opened", other, contract, m, dispute_id=dispute.id),
                            _to_admins(_notify("dispute.opened", other, contract, m, dispute_id=dispute.id),
                                       except_user_ids=[contract.client_id, contract.freelancer_id])])
            except ConflictError:
                _pause(attempt)
                continue
            return replace(dispute, version=1)
        raise ConflictError("The milestone kept changing; try again.")

    def get_dispute(self, principal: Principal, dispute_id: str) -> Dispute:
        dispute = self._p.store.get_dispute(dispute_id)
        if dispute is None:
            raise NotFoundError("The dispute does not exist.")
        self._party(principal, self._contract(dispute.contract_id))
        return dispute

    def resolve(self, principal: Principal, dispute_id: str, release_amount: Money, refund_amount: Money, note: str,
                now: datetime) -> Dispute:
        """An admin splits what was held: ``refund_amount`` back to the client, ``release_amount`` (less the
        fee) to the freelancer; the two must add up to the held amount."""
        if not principal.has_role(_ADMIN):
            raise ForbiddenError("Only an admin resolves a dispute.")
        for attempt in range(_ATTEMPTS):
            dispute = self._p.store.get_dispute(dispute_id)
            if dispute is None:
                raise NotFoundError("The dispute does not exist.")
            if dispute.status != "open":
                raise InvalidStateError("The dispute is already resolved.",
                                        details=[ErrorDetail(field="status", issue=dispute.status)])
            contract = self._contract(dispute.contract_id)
            m = self._milestone(contract, dispute.milestone_id)
            if m.pending_op is not None:
                op = PendingOp.decode(m.pending_op)
                if (op.kind, op.dispute_id, op.amount, op.refund) == ("resolve", dispute.id, release_amount.amount,
                                                                      refund_amount.amount):
                    # The same resolution was cut short (an outage, a crash): finish it with its own keys.
                    self._complete_resolve(contract, m, op, now)
                    return self._resolved(dispute_id)
                self._settle_pending(contract, m, now)
                continue
            release = _money_of(release_amount, m.amount.currency, "release_amount")
            refund = _money_of(refund_amount, m.amount.currency, "refund_amount")
            if release + refund != m.held:
                raise ValidationError("release_amount and refund_amount must add up to the held amount.",
                                      details=[ErrorDetail(field="release_amount",
                                                           issue=f"release + refund = {m.held.amount}")])
            next_milestone_status(m.status, "resolve_release" if release.amount > 0 else "resolve_refund")
            if release.amount > 0:
                self._payable_account(contract.freelancer_id)
            # Keyed by the milestone's version too: after a resolution that Stripe refused in part (its refund
            # made and recorded), another resolution of the same dispute is another operation with its own keys.
            op = PendingOp(kind="resolve", key=f"resolve:{dispute.id}:v{m.version}", by=principal.user_id,
                           amount=release.amount,
                           refund=refund.amount, reason=note, dispute_id=dispute.id)
            try:
                claimed = self._claim(m, op)
            except ConflictError:
                _pause(attempt)
                continue
            self._complete_resolve(contract, claimed, op, now)
            return self._resolved(dispute_id)
        raise ConflictError("The dispute kept changing; try again.")

    def _resolved(self, dispute_id: str) -> Dispute:
        resolved = self._p.store.get_dispute(dispute_id)
        if resolved is None:
            raise NotFoundError("The dispute does not exist.")
        return resolved

    def _complete_resolve(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        release = Money(amount=op.amount, currency=m.amount.currency)
        refund = Money(amount=op.refund, currency=m.amount.currency)
        dispute = self._p.store.get_dispute(op.dispute_id) if op.dispute_id else None

        def planned() -> None:
            if dispute is None or dispute.status != "open":
                raise InvalidStateError("The dispute is not open.")
            if release + refund != m.held:
                raise ValueError("the resolution does not add up to the held amount")
            next_milestone_status(m.status, "resolve_release" if release.amount > 0 else "resolve_refund")

        self._check_claim(m, op, planned)
        assert dispute is not None
        entries: list[LedgerEntry] = []
        if refund.amount > 0:
            money = self._money_as_claimed(contract, m)
            if money is None:
                return self._after_race(contract, m, now)
            try:
                entries = self._give_back(contract, m, op, refund, money, now)
            except _MovedError as moved:
                self._record_part(m, moved.entries)
                raise moved.refusal from moved
            except (PaymentRefusedError, InvalidStateError):
                self._unclaim(m)
                raise
        try:
            paid, transfer_id = self._pay(contract, m, op, release, now) if release.amount > 0 else ([], None)
        except (PaymentRefusedError, InvalidStateError):
            if not entries:
                self._unclaim(m)
            else:  # the refund went through: recorded, the dispute stays open for what is still held
                self._record_part(m, entries, refunded_amount=m.refunded_amount + refund)
            raise
        status: MilestoneStatus = "released" if release.amount > 0 else "refunded"
        changes: dict[str, Any] = {"status": status, "refunded_amount": m.refunded_amount + refund,
                                   "pending_op": None, "auto_release_at": None}
        if release.amount > 0:
            changes |= {"released_at": now, "transfer_id": transfer_id}
        settle = self._settlement(contract, replace(m, status=status), now)
        settled_gig = contract.gig_id if settle else None
        if not settle and not any(o.status == "disputed" for o in contract.milestones if o.id != m.id):
            settle = [self._p.contracts.contract_write(contract.id, expected={"disputed"},
                                                       changes={"status": "active", "updated_at": now})]
        resolved = replace(dispute, status="resolved", release_amount=release, refund_amount=refund, note=op.reason,
                           resolved_by=op.by, resolved_at=now)
        events = [_notify("dispute.resolved", user, contract, m, dispute_id=dispute.id)
                  for user in (contract.client_id, contract.freelancer_id)]
        recorded = self._record(m, expected={"disputed"}, changes=changes,
                                extra=[*self._p.store.ledger_writes([*entries, *paid]),
                                       self._p.store.dispute_write(resolved, expected="open"), *settle],
                                events=events, settled_gig=settled_gig)
        return recorded or self._after_race(contract, m, now)

    # ---- the schedule ------------------------------------------------------------------------------------

    def auto_release_due(self, now: datetime, *, limit: int = 100) -> int:
        """Release every submitted milestone whose ``auto_release_at`` has come; returns how many were released.
        One that cannot be (no payout account yet, Stripe down) is logged and tried again next time."""
        released = 0
        for contract_id, milestone_id in self._p.contracts.due_for_release(now, limit=limit):
            try:
                m = self.release(None, contract_id, milestone_id, now)
            except (InvalidStateError, ConflictError, NotFoundError) as exc:
                logger.warning("auto-release of %s/%s skipped: %s", contract_id, milestone_id, exc)
                continue
            except Exception:
                logger.exception("auto-release of %s/%s failed", contract_id, milestone_id)
                continue
            released += m.status == "released"
        return released

    # ---- ledger and invoices -----------------------------------------------------------------------------

    def ledger(self, principal: Principal, contract_id: str) -> Ledger:
        contract = self._contract(contract_id)
        self._party(principal, contract)
        entries = self._p.store.ledger(contract_id)
        # The ledger is in the currency its money moved in: the milestones' (a contract accepted before the
        # currencies were held together may name another; its milestone is what was charged).
        currency = entries[0].amount.currency if entries else contract.currency
        return Ledger(entries=entries, balances=balances(entries, currency))

    def invoices(self, principal: Principal, contract_id: str) -> list[Invoice]:
        """Receipts: one per funding, per release (gross, the platform fee, net) and per refund."""
        contract = self._contract(contract_id)
        self._party(principal, contract)
        titles = {m.id: m.title for m in contract.milestones}
        bps = self._c.fee_bps
        invoices: list[Invoice] = []
        entries = self._p.store.ledger(contract_id)
        fees = {(e.milestone_id, e.at): e for e in entries if e.kind == "fee"}
        for e in entries:
            title = f"Milestone \u201c{titles.get(e.milestone_id, e.milestone_id)}\u201d"
            if e.kind == "funding":
                invoices.append(Invoice(id=e.id, kind="funding", milestone_id=e.milestone_id, at=e.at,
                                        lines=[InvoiceLine(f"{title}, paid into escrow", e.amount, "charge")],
                                        total=e.amount, stripe_ref=e.stripe_ref))
            elif e.kind == "release":
                fee = fees.get((e.milestone_id, e.at))
                gross = e.amount + fee.amount if fee else e.amount
                lines = [InvoiceLine(f"{title}, released", gross, "gross")]
                if fee is not None:
                    lines.append(InvoiceLine(f"Platform fee ({bps / 100:g}%)", fee.amount, "fee"))
                lines.append(InvoiceLine("Paid to the freelancer", e.amount, "net"))
                invoices.append(Invoice(id=e.id, kind="release", milestone_id=e.milestone_id, at=e.at, lines=lines,
                                        total=e.amount, stripe_ref=e.stripe_ref))
            elif e.kind == "refund":
                invoices.append(Invoice(id=e.id, kind="refund", milestone_id=e.milestone_id, at=e.at,
                                        lines=[InvoiceLine(f"{title}, refunded", e.amount, "refund")],
                                        total=e.amount, stripe_ref=e.stripe_ref))
        return invoices

