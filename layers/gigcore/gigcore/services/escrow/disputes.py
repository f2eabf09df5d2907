"""Disputes: either party stops a held milestone; an admin splits what is held between a refund and a release."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gigcore.domain.contracts import (
    Contract,
    Milestone,
    MilestoneAction,
    next_milestone_status,
    statuses_allowing_contract,
    statuses_allowing_milestone,
)
from gigcore.domain.errors import (
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
from gigcore.ports.escrow import Dispute
from gigcore.ports.payments import PaymentRefusedError
from gigcore.ports.unit_of_work import UnitOfWork
from gigcore.services.escrow._core import (
    ADMIN,
    Core,
    commit_or_lost,
    money_of,
    notices,
    retried,
    to_admins,
)
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.payout_accounts import PayoutAccounts
from gigcore.services.escrow.refunds import Refunds
from gigcore.services.escrow.release import Release
from gigcore.services.escrow.settlement import settle


def _resolution(release: Money) -> MilestoneAction:
    return "resolve_release" if release.amount > 0 else "resolve_refund"


class Disputes:
    def __init__(self, core: Core, claims: Claims, accounts: PayoutAccounts, release: Release,
                 refunds: Refunds) -> None:
        self._core = core
        self._claims = claims
        self._accounts = accounts
        self._release = release
        self._refunds = refunds

    def open_dispute(self, principal: Principal, contract_id: str, milestone_id: str, reason: str,
                     now: datetime) -> Dispute:
        """Either party disputes a funded or submitted milestone: auto-release stops, the contract is
        ``disputed`` until an admin resolves it; the other party and every admin (one outbox event that the
        notification pipeline fans out) are notified, in the same transaction."""
        def attempt() -> Dispute:
            contract, m = self._claims.ready(contract_id, milestone_id, now)
            actor = self._core.party(principal, contract)
            if actor not in {"client", "freelancer"}:
                raise ForbiddenError("Only the parties open a dispute.")
            next_milestone_status(m.status, "dispute")
            dispute = Dispute(id=new_id(), contract_id=contract.id, milestone_id=m.id, opened_by=principal.user_id,
                              reason=reason, status="open", held=m.held, created_at=now)
            after, told = contract.milestone_disputed(m, dispute.id, principal.user_id)
            (opened,) = notices(contract, told)
            disputed = contract.moved("dispute", now)
            unit = self._core.ports.unit_of_work()
            unit.contracts.save_milestone(after, expected={m.status})
            stored = unit.disputes.add(dispute)
            unit.contracts.save(disputed, expected=statuses_allowing_contract("dispute"))
            unit.record(opened, to_admins(opened, except_user_ids=[contract.client_id, contract.freelancer_id]))
            commit_or_lost(unit)
            return stored

        return retried(attempt)

    def get_dispute(self, principal: Principal, dispute_id: str) -> Dispute:
        dispute = self._stored(dispute_id)
        self._core.party(principal, self._core.contract(dispute.contract_id))
        return dispute

    def _stored(self, dispute_id: str) -> Dispute:
        dispute = self._core.ports.unit_of_work().disputes.get(dispute_id)
        if dispute is None:
            raise NotFoundError("The dispute does not exist.")
        return dispute

    def resolve(self, principal: Principal, dispute_id: str, release_amount: Money, refund_amount: Money, note: str,
                now: datetime) -> Dispute:
        """An admin splits what was held: ``refund_amount`` back to the client, ``release_amount`` (less the
        fee) to the freelancer; the two must add up to the held amount."""
        if not principal.has_role(ADMIN):
            raise ForbiddenError("Only an admin resolves a dispute.")
        read: list[Dispute] = []  # the dispute as the last load read it

        def load() -> tuple[Contract, Milestone]:
            dispute = self._stored(dispute_id)
            if dispute.status != "open":
                raise InvalidStateError("The dispute is already resolved.",
                                        details=[ErrorDetail(field="status", issue=dispute.status)])
            read[:] = [dispute]
            contract = self._core.contract(dispute.contract_id)
            return contract, self._core.milestone(contract, dispute.milestone_id)

        def same(op: PendingOp) -> bool:
            # The same resolution was cut short (an outage, a crash): finish it with its own keys.
            return (op.kind, op.dispute_id, op.amount, op.refund) == ("resolve", read[0].id, release_amount.amount,
                                                                      refund_amount.amount)

        def plan(contract: Contract, m: Milestone) -> PendingOp:
            release = money_of(release_amount, m.amount.currency, "release_amount")
            refund = money_of(refund_amount, m.amount.currency, "refund_amount")
            # The state first: a milestone that another resolution settled after the dispute was read holds
            # nothing, and the answer is that it is settled (409), not that the amounts do not add up (422).
            next_milestone_status(m.status, _resolution(release))
            if release + refund != m.held:
                raise ValidationError("release_amount and refund_amount must add up to the held amount.",
                                      details=[ErrorDetail(field="release_amount",
                                                           issue=f"release + refund = {m.held.amount}")])
            if release.amount > 0:
                self._accounts.payable(contract.freelancer_id)
            # Keyed by the milestone's version too: after a resolution that Stripe refused in part (its refund
            # made and recorded), another resolution of the same dispute is another operation with its own keys.
            return PendingOp(kind="resolve", key=f"resolve:{read[0].id}:v{m.version}", by=principal.user_id,
                             amount=release.amount, refund=refund.amount, reason=note, dispute_id=read[0].id)

        def complete(contract: Contract, m: Milestone, op: PendingOp) -> Dispute:
            self.complete(contract, m, op, now)
            return self._stored(dispute_id)

        return self._claims.run(now, load, plan, complete, joins=same,
                                kept_changing="The dispute kept changing; try again.")

    def complete(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        """The claimed resolution: the refund first (keyed by the claim), then the transfer of the release; the
        milestone, its ledger entries, the dispute and the contract's next status in one transaction."""
        release = Money(amount=op.amount, currency=m.amount.currency)
        refund = Money(amount=op.refund, currency=m.amount.currency)
        dispute = self._core.ports.unit_of_work().disputes.get(op.dispute_id) if op.dispute_id else None

        def planned() -> None:
            if dispute is None or dispute.status != "open":
                raise InvalidStateError("The dispute is not open.")
            if release + refund != m.held:
                raise ValueError("the resolution does not add up to the held amount")
            next_milestone_status(m.status, _resolution(release))

        self._claims.check(m, op, planned)
        assert dispute is not None
        entries: list[LedgerEntry] = []
        if refund.amount > 0:
            given = self._refunds.give_back_claimed(contract, m, op, refund, now)
            if given is None:
                return self._claims.after_race(contract, m, now)
            entries = given
        try:
            paid, transfer_id = self._release.pay(contract, m, op, release, now) if release.amount > 0 else ([], None)
        except (PaymentRefusedError, InvalidStateError):
            if not entries:
                self._claims.give_up(m)
            else:  # the refund went through: recorded, the dispute stays open for what is still held
                self._claims.record_part(m, entries, m.changed(refunded_amount=m.refunded_amount + refund))
            raise
        resolved, told = contract.milestone_resolved(m, dispute.id, release, refund, now, transfer_id)
        settled = replace(dispute, status="resolved", release_amount=release, refund_amount=refund, note=op.reason,
                          resolved_by=op.by, resolved_at=now)

        def also(unit: UnitOfWork) -> None:
            unit.disputes.save(settled, expected="open")

        def settles(unit: UnitOfWork) -> str | None:
            gig_id = settle(unit, contract, resolved, now)
            if gig_id is None and not any(o.status == "disputed" for o in contract.milestones if o.id != m.id):
                unit.contracts.save(contract.moved("resolve", now), expected=statuses_allowing_contract("resolve"))
            return gig_id

        recorded = self._core.record(m, resolved, expected=statuses_allowing_milestone(_resolution(release)),
                                     entries=[*entries, *paid], also=also, events=notices(contract, told),
                                     settles=settles)
        return recorded or self._claims.after_race(contract, m, now)
