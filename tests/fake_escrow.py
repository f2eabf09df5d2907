"""In-memory fakes of the ports the escrow use cases write through (contracts, gigs, the escrow store), for
unit tests of ``gigcore.services.escrow`` on fakes (with tests/fake_payments.py for Stripe).

The ports hand write items (``TransactItem``) from one repository to another's transaction, so the three fakes
share one :class:`EscrowWorld` and speak its own item shape (a dict with a ``"fake"`` kind). A transaction is
what DynamoDB's ``TransactWriteItems`` is for the adapters: every item's condition is checked first, then all
are applied, or none. Errors follow the ports' docstrings: the transition's own item failing its status is
:class:`InvalidStateError`, its version :class:`ConflictError`; an ``extra`` item failing is
:class:`TransactionConflictError` with its index in ``failed``.

What these fakes hold is what the escrow use cases need; they are not yet held to the DynamoDB adapters by a
contract suite (see docs/escrow.md "Unit tests on fakes").
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from gigcore.domain.contracts import Contract, ContractStatus, Milestone, MilestoneStatus
from gigcore.domain.errors import ConflictError, InvalidStateError, NotFoundError, TransactionConflictError
from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.gigs import Gig, GigStatus
from gigcore.ports import OutboxEvent, TransactItem
from gigcore.ports.escrow import Dispute, DisputeStatus, PayoutAccount


class _Failed(Exception):
    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass
class EscrowWorld:
    """The stored state: contracts (with their milestones), gigs, the ledger, disputes, payout accounts and the
    outbox events each transaction recorded."""

    contracts: dict[str, Contract] = field(default_factory=dict)
    gigs: dict[str, Gig] = field(default_factory=dict)
    ledger: list[LedgerEntry] = field(default_factory=list)
    disputes: dict[str, Dispute] = field(default_factory=dict)
    accounts: dict[str, PayoutAccount] = field(default_factory=dict)
    outbox: list[OutboxEvent] = field(default_factory=list)
    transactions: int = 0

    def milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        contract = self.contracts.get(contract_id)
        return contract.milestone(milestone_id) if contract else None

    def commit(self, items: Sequence[TransactItem], events: Sequence[OutboxEvent] = ()) -> None:
        """All of ``items`` or none; the first item is the transition's own."""
        for index, item in enumerate(items):
            try:
                self._check(item)
            except _Failed as failed:
                if index == 0:
                    raise failed.error from None
                raise TransactionConflictError("A condition of the transaction failed.",
                                               failed=(index - 1,)) from None
        for item in items:
            self._apply(item)
        self.outbox.extend(events)
        self.transactions += 1

    def _check(self, item: TransactItem) -> None:
        kind = item["fake"]
        if kind in {"milestone", "check"}:
            m = self.milestone(item["contract_id"], item["milestone_id"])
            if m is None:
                raise _Failed(NotFoundError("The milestone does not exist."))
            if kind == "milestone" and m.status not in item["expected"]:
                raise _Failed(InvalidStateError(f"The milestone is {m.status}."))
            version = item.get("version")
            if version is not None and m.version != version:
                raise _Failed(ConflictError("The milestone changed meanwhile."))
        elif kind == "contract":
            contract = self.contracts.get(item["contract_id"])
            if contract is None:
                raise _Failed(NotFoundError("The contract does not exist."))
            if contract.status not in item["expected"]:
                raise _Failed(InvalidStateError(f"The contract is {contract.status}."))
        elif kind == "ledger":
            if any(e.id == item["entry"].id for e in self.ledger):
                raise _Failed(ConflictError("The entry exists."))
        elif kind == "dispute":
            dispute: Dispute = item["dispute"]
            stored = self.disputes.get(dispute.id)
            if item["expected"] is None and stored is not None:
                raise _Failed(ConflictError("The dispute exists."))
            if item["expected"] is not None and (stored is None or stored.status != item["expected"]
                                                 or stored.version != dispute.version):
                raise _Failed(ConflictError("The dispute changed meanwhile."))
        elif kind == "gig":
            gig: Gig = item["gig"]
            stored_gig = self.gigs.get(gig.id)
            if stored_gig is None or stored_gig.status != item["expected_status"] or stored_gig.version != gig.version:
                raise _Failed(ConflictError("The gig changed meanwhile."))
        else:
            raise AssertionError(f"unknown fake item {kind}")

    def _apply(self, item: TransactItem) -> None:
        kind = item["fake"]
        if kind == "milestone":
            contract = self.contracts[item["contract_id"]]
            milestones = tuple(replace(m, **item["changes"], version=m.version + 1) if m.id == item["milestone_id"]
                               else m for m in contract.milestones)
            self.contracts[contract.id] = replace(contract, milestones=milestones)
        elif kind == "contract":
            self.contracts[item["contract_id"]] = replace(self.contracts[item["contract_id"]], **item["changes"])
        elif kind == "ledger":
            self.ledger.append(item["entry"])
        elif kind == "dispute":
            self.disputes[item["dispute"].id] = replace(item["dispute"], version=item["dispute"].version + 1)
        elif kind == "gig":
            self.gigs[item["gig"].id] = replace(item["gig"], version=item["gig"].version + 1)


class FakeContracts:
    """The contract half of ``ContractRepository`` the escrow use cases call."""

    def __init__(self, world: EscrowWorld) -> None:
        self.world = world

    def get(self, contract_id: str) -> Contract | None:
        return self.world.contracts.get(contract_id)

    def get_milestone(self, contract_id: str, milestone_id: str) -> Milestone | None:
        return self.world.milestone(contract_id, milestone_id)

    def milestone_write(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                        changes: Mapping[str, Any], expected_version: int | None = None) -> TransactItem:
        return {"fake": "milestone", "contract_id": contract_id, "milestone_id": milestone_id,
                "expected": frozenset(expected), "changes": dict(changes), "version": expected_version}

    def milestone_check(self, contract_id: str, milestone_id: str, *, version: int) -> TransactItem:
        return {"fake": "check", "contract_id": contract_id, "milestone_id": milestone_id, "version": version}

    def transition_milestone(self, contract_id: str, milestone_id: str, *, expected: Collection[MilestoneStatus],
                             changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                             events: Sequence[OutboxEvent] = (), expected_version: int | None = None) -> Milestone:
        own = self.milestone_write(contract_id, milestone_id, expected=expected, changes=changes,
                                   expected_version=expected_version)
        self.world.commit([own, *extra], events)
        stored = self.world.milestone(contract_id, milestone_id)
        assert stored is not None
        return stored

    def contract_write(self, contract_id: str, *, expected: Collection[ContractStatus],
                       changes: Mapping[str, Any]) -> TransactItem:
        return {"fake": "contract", "contract_id": contract_id, "expected": frozenset(expected),
                "changes": dict(changes)}

    def transition_contract(self, contract_id: str, *, expected: Collection[ContractStatus],
                            changes: Mapping[str, Any], extra: Sequence[TransactItem] = (),
                            events: Sequence[OutboxEvent] = ()) -> Contract:
        self.world.commit([self.contract_write(contract_id, expected=expected, changes=changes), *extra], events)
        return self.world.contracts[contract_id]

    def due_for_release(self, now: datetime, *, limit: int) -> list[tuple[str, str]]:
        due = sorted((m.auto_release_at, c.id, m.id) for c in self.world.contracts.values() for m in c.milestones
                     if m.status == "submitted" and m.auto_release_at is not None and m.auto_release_at <= now)
        return [(cid, mid) for _, cid, mid in due[:limit]]


class FakeGigs:
    """The part of ``GigRepository`` the escrow use cases call."""

    def __init__(self, world: EscrowWorld) -> None:
        self.world = world

    def get(self, gig_id: str) -> Gig | None:
        return self.world.gigs.get(gig_id)

    def save_writes(self, gig: Gig, *, expected_status: GigStatus) -> list[TransactItem]:
        return [{"fake": "gig", "gig": gig, "expected_status": expected_status}]


class FakeEscrowStore:
    """``EscrowStore`` in memory."""

    def __init__(self, world: EscrowWorld) -> None:
        self.world = world

    def payout_account(self, user_id: str) -> PayoutAccount | None:
        return self.world.accounts.get(user_id)

    def add_payout_account(self, account: PayoutAccount) -> PayoutAccount:
        return self.world.accounts.setdefault(account.user_id, account)

    def user_of_account(self, account_id: str) -> str | None:
        return next((a.user_id for a in self.world.accounts.values() if a.account_id == account_id), None)

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        if user_id in self.world.accounts:
            self.world.accounts[user_id] = replace(self.world.accounts[user_id], payouts_enabled=enabled)

    def ledger_writes(self, entries: Sequence[LedgerEntry]) -> list[TransactItem]:
        return [{"fake": "ledger", "entry": e} for e in entries]

    def ledger(self, contract_id: str) -> list[LedgerEntry]:
        return [e for e in self.world.ledger if e.contract_id == contract_id]

    def dispute_write(self, dispute: Dispute, *, expected: DisputeStatus | None) -> TransactItem:
        return {"fake": "dispute", "dispute": dispute, "expected": expected}

    def get_dispute(self, dispute_id: str) -> Dispute | None:
        return self.world.disputes.get(dispute_id)
