"""The work and its payment: the freelancer submits a funded milestone; the client (or the schedule) releases
it, a Transfer of the held amount less the platform fee."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gigcore.domain.contracts import Contract, Milestone, next_milestone_status
from gigcore.domain.errors import ErrorDetail, ForbiddenError, InvalidStateError
from gigcore.domain.escrow import LedgerEntry, PendingOp, entry, fee_of
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.domain.users import Principal
from gigcore.services.escrow._core import Core, commit_or_lost, notices, retried
from gigcore.services.escrow.claims import Claims
from gigcore.services.escrow.payout_accounts import PayoutAccounts
from gigcore.services.escrow.settlement import settle


class Release:
    def __init__(self, core: Core, claims: Claims, accounts: PayoutAccounts) -> None:
        self._core = core
        self._claims = claims
        self._accounts = accounts

    def submit(self, principal: Principal, contract_id: str, milestone_id: str, note: str,
               attachment_keys: Sequence[str], now: datetime) -> Milestone:
        """The freelancer submits the work of a funded milestone; it is released automatically after
        ``auto_release_days`` unless the client releases, refunds or disputes first."""
        def attempt() -> Milestone:
            contract, m = self._claims.ready(contract_id, milestone_id, now)
            if self._core.party(principal, contract) != "freelancer":
                raise ForbiddenError("Only the freelancer submits a milestone.")
            due = now + timedelta(days=self._core.config.auto_release_days)
            unit = self._core.ports.unit_of_work()
            after, told = contract.milestone_submitted(m, now, due, note, attachment_keys)
            submitted = unit.contracts.save_milestone(after, expected={m.status})
            unit.record(*notices(contract, told))
            commit_or_lost(unit)
            return submitted

        return retried(attempt)

    def release(self, principal: Principal | None, contract_id: str, milestone_id: str, now: datetime) -> Milestone:
        """Pay the freelancer: a Transfer of the held amount minus the platform fee from the milestone's
        charge. The client from ``funded`` or ``submitted``; ``principal`` None is the auto-release schedule
        (``submitted`` only). Concurrent releases join one transfer; a release is done once."""

        def load() -> tuple[Contract, Milestone]:
            contract = self._core.contract(contract_id)
            m = self._core.milestone(contract, milestone_id)
            if principal is not None and self._core.party(principal, contract) != "client":
                raise ForbiddenError("Only the client releases a milestone.")
            return contract, m

        def plan(contract: Contract, m: Milestone) -> PendingOp:
            if principal is None and m.status != "submitted":
                raise InvalidStateError("Only a submitted milestone is released automatically.",
                                        details=[ErrorDetail(field="status", issue=m.status)])
            next_milestone_status(m.status, "release")
            self._accounts.payable(contract.freelancer_id)
            return PendingOp(kind="release", key=f"release:{m.id}",
                             by=principal.user_id if principal else "schedule")

        return self._claims.run(now, load, plan, lambda contract, m, op: self.complete(contract, m, op, now),
                                joins=lambda op: op.kind == "release")

    def pay(self, contract: Contract, m: Milestone, op: PendingOp, amount: Money,
            now: datetime) -> tuple[list[LedgerEntry], str | None]:
        """The transfer of ``amount`` (less the fee) and its ledger entries (release, fee)."""
        net, fee = fee_of(amount, self._core.config.fee_bps)
        entries: list[LedgerEntry] = []
        transfer_id = None
        if net.amount > 0:
            account = self._accounts.payable(contract.freelancer_id)
            if m.charge_id is None:
                raise InvalidStateError("The milestone's charge is not known yet; sync its payment first.",
                                        details=[ErrorDetail(field="payment", issue="unknown charge")])
            transfer = self._core.ports.payments.create_transfer(
                amount=net, destination=account.account_id, source_transaction=m.charge_id, transfer_group=m.id,
                metadata={"contract_id": contract.id, "milestone_id": m.id, "op": op.key},
                idempotency_key=op.idempotency_key("transfer"))
            transfer_id = transfer.id
            entries.append(entry(new_id(), contract.id, m.id, now, "release", net, transfer.id))
        if fee.amount > 0:
            entries.append(entry(new_id(), contract.id, m.id, now, "fee", fee, transfer_id))
        return entries, transfer_id

    def complete(self, contract: Contract, m: Milestone, op: PendingOp, now: datetime) -> Milestone:
        """The claimed release: the transfer (keyed by the claim), then the milestone released, its ledger
        entries and, for the last milestone, the contract's settlement, in one transaction."""
        self._claims.check(m, op, lambda: next_milestone_status(m.status, "release"))
        with self._claims.gives_up_on(m):
            entries, transfer_id = self.pay(contract, m, op, m.held, now)
        paid = Money(amount=sum(e.amount.amount for e in entries if e.kind == "release"), currency=m.amount.currency)
        released, told = contract.milestone_released(m, now, transfer_id, paid)
        recorded = self._core.record(m, released, entries=entries, events=notices(contract, told),
                                     settles=lambda unit: settle(unit, contract, released, now))
        return recorded or self._claims.after_race(contract, m, now)
