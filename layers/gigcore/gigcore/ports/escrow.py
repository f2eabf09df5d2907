"""Ports of escrow's own records: freelancers' payout accounts, the contracts' ledgers, and disputes.

Ledger entries and disputes are written inside a unit of work (``gigcore.ports.unit_of_work``), so a milestone's
change and its money records are one transaction. Payout accounts are written on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.money import Money

DisputeStatus = Literal["open", "resolved"]


@dataclass(frozen=True)
class PayoutAccount:
    """A freelancer's Stripe Connect account, where releases are paid."""

    user_id: str
    account_id: str
    payouts_enabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Dispute:
    id: str
    contract_id: str
    milestone_id: str
    opened_by: str
    reason: str
    status: DisputeStatus
    #: What the platform held for the milestone when the dispute was opened (a resolution splits it).
    held: Money
    created_at: datetime
    release_amount: Money | None = None
    refund_amount: Money | None = None
    note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    version: int = 0


class PayoutAccountStore(Protocol):
    """Freelancers' payout accounts; each write is its own (no unit of work)."""

    def get(self, user_id: str) -> PayoutAccount | None:
        """Strongly consistent."""

    def add(self, account: PayoutAccount) -> PayoutAccount:
        """Store the user's account unless they have one; returns the one stored (the first wins)."""

    def user_of_account(self, account_id: str) -> str | None:
        """Whose payout account ``account_id`` is."""

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        """Record what Stripe says of the account (``account.updated``, or a check before a release); nothing
        when the user has no account."""


class LedgerStore(Protocol):
    """A contract's append-only ledger, in a unit of work."""

    def entries(self, contract_id: str) -> list[LedgerEntry]:
        """Every entry of the contract, oldest first (strongly consistent)."""

    def add(self, entry: LedgerEntry) -> None:
        """Append ``entry`` at the commit; the commit fails when an entry with its id exists (never twice)."""


class DisputeRepository(Protocol):
    """Disputes, in a unit of work."""

    def get(self, dispute_id: str) -> Dispute | None:
        """Strongly consistent."""

    def add(self, dispute: Dispute) -> Dispute:
        """A new dispute (version 1); the commit fails when one with its id exists."""

    def save(self, dispute: Dispute, *, expected: DisputeStatus) -> Dispute:
        """Write ``dispute`` if its stored status is ``expected`` and its version ``dispute.version``; returns
        it at version + 1."""
