"""Escrow's money rules (pure): the contract's double-entry ledger, fees, and the payment operation a
milestone has in flight.

The ledger. Every movement of a contract's money is one entry that moves ``amount`` from the account ``debit``
to the account ``credit`` (``GET /contracts/{cid}/ledger``, docs/escrow.md), so debits equal credits by
construction and each account's balance is what came in minus what went out:

    funding      client_funding     -> escrow_held         the client's charge, held by the platform
    release      escrow_held        -> freelancer_payable  what the transfer paid the freelancer
    fee          escrow_held        -> platform_fees       the platform's fee on a release
    refund       escrow_held        -> refunds             what went back to the client
    reversal     freelancer_payable -> escrow_held         a released transfer taken back (before a refund)
    fee_reversal platform_fees      -> escrow_held         the fee given back (before a refund)

Balances (money in the contract's currency): ``funded`` is what the client paid in; ``held`` what the
platform still holds; ``released`` what reached the freelancer, net of the fee; ``refunded`` what went back;
``fees`` the platform's. ``funded == held + released + refunded + fees`` always holds.

The operation in flight. A milestone's Stripe call and the write that records it cannot be one transaction.
So a money-moving step first claims the milestone with a :class:`PendingOp` (a conditional write on its
version), then calls Stripe with idempotency keys derived from that op, then records the outcome (state,
ledger entries, references) in one transaction that clears the op. Whoever finds an op left behind by a
crashed call finishes it first, with the same keys, so Stripe answers the first answer again and nothing is
done twice; another kind of operation on the milestone waits (409) until it is finished.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from gigcore.domain.money import Money

Account = Literal["client_funding", "escrow_held", "freelancer_payable", "platform_fees", "refunds"]
EntryKind = Literal["funding", "release", "fee", "refund", "reversal", "fee_reversal"]

ACCOUNTS: tuple[Account, ...] = ("client_funding", "escrow_held", "freelancer_payable", "platform_fees", "refunds")

#: Which accounts each kind of entry moves money between (debit, credit).
POSTINGS: dict[EntryKind, tuple[Account, Account]] = {
    "funding": ("client_funding", "escrow_held"),
    "release": ("escrow_held", "freelancer_payable"),
    "fee": ("escrow_held", "platform_fees"),
    "refund": ("escrow_held", "refunds"),
    "reversal": ("freelancer_payable", "escrow_held"),
    "fee_reversal": ("platform_fees", "escrow_held"),
}


@dataclass(frozen=True)
class LedgerEntry:
    """One append-only movement; never updated or deleted."""

    id: str
    contract_id: str
    milestone_id: str
    at: datetime
    kind: EntryKind
    amount: Money
    debit: Account
    credit: Account
    stripe_ref: str | None = None


def entry(entry_id: str, contract_id: str, milestone_id: str, at: datetime, kind: EntryKind, amount: Money,
          stripe_ref: str | None = None) -> LedgerEntry:
    """An entry of ``kind`` (its accounts from :data:`POSTINGS`); amounts are positive."""
    if amount.amount <= 0:
        raise ValueError("a ledger entry moves a positive amount")
    debit, credit = POSTINGS[kind]
    return LedgerEntry(id=entry_id, contract_id=contract_id, milestone_id=milestone_id, at=at, kind=kind,
                       amount=amount, debit=debit, credit=credit, stripe_ref=stripe_ref)


def account_balances(entries: Iterable[LedgerEntry], currency: str) -> dict[Account, int]:
    """Each account's balance in minor units: credits into it minus debits out of it (client_funding is the
    one that goes below zero: it is where the client's money came from). They always sum to zero."""
    totals: dict[Account, int] = dict.fromkeys(ACCOUNTS, 0)
    for e in entries:
        if e.amount.currency != currency:
            raise ValueError("a contract's ledger is in one currency")
        totals[e.credit] += e.amount.amount
        totals[e.debit] -= e.amount.amount
    return totals


@dataclass(frozen=True)
class Balances:
    funded: Money
    held: Money
    released: Money
    refunded: Money
    fees: Money


def balances(entries: Iterable[LedgerEntry], currency: str) -> Balances:
    """The contract's balances; ValueError when an account other than client_funding is below zero (a ledger
    that lost money, which the transactions make impossible)."""
    by_account = account_balances(entries, currency)
    if any(v < 0 for a, v in by_account.items() if a != "client_funding") or by_account["client_funding"] > 0:
        raise ValueError(f"the ledger does not balance: {by_account}")

    def money(value: int) -> Money:
        return Money(amount=value, currency=currency)

    return Balances(funded=money(-by_account["client_funding"]), held=money(by_account["escrow_held"]),
                    released=money(by_account["freelancer_payable"]), refunded=money(by_account["refunds"]),
                    fees=money(by_account["platform_fees"]))


@dataclass(frozen=True)
class MilestoneMoney:
    """One milestone's share of the ledger: what is held, what its transfer still carries, the fee kept."""

    held: Money
    transferred: Money
    fees: Money
    refunded: Money


def milestone_money(entries: Sequence[LedgerEntry], milestone_id: str, currency: str) -> MilestoneMoney:
    b = balances([e for e in entries if e.milestone_id == milestone_id], currency)
    return MilestoneMoney(held=b.held, transferred=b.released, fees=b.fees, refunded=b.refunded)


def fee_of(amount: Money, fee_bps: int) -> tuple[Money, Money]:
    """(what the freelancer is paid, the platform's fee) for releasing ``amount``: fee = ``fee_bps``/10,000
    rounded half up, so the two always add up to ``amount``."""
    fee, rest = amount.split(fee_bps)
    return rest, fee


def refund_sources(amount: Money, money: MilestoneMoney) -> tuple[Money, Money, Money]:
    """Where a refund of ``amount`` comes from: (held, taken back from the transfer, fee given back).

    Held money goes first; past it, the released transfer is reversed first and the fee given back last.
    Raises ValueError when ``amount`` is more than the three together.
    """
    zero = Money.zero(amount.currency)
    from_held = min(amount, money.held, key=lambda m: m.amount)
    rest = amount - from_held
    from_transfer = min(rest, money.transferred, key=lambda m: m.amount)
    rest = rest - from_transfer
    from_fee = min(rest, money.fees, key=lambda m: m.amount)
    if rest - from_fee != zero:
        raise ValueError("more than the milestone's money")
    return from_held, from_transfer, from_fee


# ---- the operation in flight ---------------------------------------------------------------------------

OpKind = Literal["fund", "release", "refund", "resolve"]


@dataclass(frozen=True)
class PendingOp:
    """A money-moving step claimed on a milestone (stored as JSON in the milestone's ``pending_op``).

    ``key`` makes the Stripe idempotency keys of the step (``<key>:<call>``); it is unique per business
    operation: a release happens once per milestone, a refund is numbered, a fund attempt carries the
    milestone's version. ``amount`` is the refund's or the resolution's release amount, ``refund`` a
    resolution's refund amount, ``by`` who asked, ``reason`` why (refunds, resolutions).
    """

    kind: OpKind
    key: str
    by: str
    amount: int = 0
    refund: int = 0
    payment_method_id: str | None = None
    reason: str | None = None
    dispute_id: str | None = None
    #: The request that asked for it (a digest of caller and Idempotency-Key): its retry finishes this step.
    request: str | None = None

    def encode(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v not in (None, 0)}, sort_keys=True,
                          separators=(",", ":"))

    @classmethod
    def decode(cls, text: str) -> PendingOp:
        """The op as stored; fields this version does not know (a later version's) are left out."""
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def idempotency_key(self, call: str) -> str:
        return f"gigconnect:{self.key}:{call}"
