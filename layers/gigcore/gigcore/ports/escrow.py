"""Ports of escrow's own records: freelancers' payout accounts, the contracts' ledgers, and disputes.

Ledger entries and dispute changes are written as ``extra`` items of a milestone transition
(``ContractRepository.transition_milestone``), so a state change and its money records are one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.money import Money
from gigcore.ports import TransactItem

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


class EscrowStore(Protocol):
    def payout_account(self, user_id: str) -> PayoutAccount | None:
        """Strongly consistent."""

    def add_payout_account(self, account: PayoutAccount) -> PayoutAccount:
        """Store the user's account unless they have one; returns the one stored (the first wins)."""

    def user_of_account(self, account_id: str) -> str | None:
        """Whose payout account ``account_id`` is."""

    def set_payouts_enabled(self, user_id: str, enabled: bool) -> None:
        """Record what Stripe says of the account (``account.updated``, or a check before a release)."""

    def ledger_writes(self, entries: Sequence[LedgerEntry]) -> list[TransactItem]:
        """The ``Put`` entries that append ``entries`` (each only once: the write is conditioned on its id)."""

    def ledger(self, contract_id: str) -> list[LedgerEntry]:
        """Every entry of the contract, oldest first (strongly consistent)."""

    def dispute_write(self, dispute: Dispute, *, expected: DisputeStatus | None) -> TransactItem:
        """The entry that stores ``dispute``: a new one (``expected`` None: it must not exist) or a change of
        one whose stored status is ``expected`` and version is ``dispute.version``."""

    def get_dispute(self, dispute_id: str) -> Dispute | None:
        """Strongly consistent."""
