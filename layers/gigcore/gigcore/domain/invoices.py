"""Invoices (pure): the receipts a contract's ledger reads as (``GET /contracts/{cid}/invoices``, docs/escrow.md).

One receipt per funding, per release (gross, the platform fee, net) and per refund; reversals and fee
reversals are the refund's inner workings and make no receipt of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from gigcore.domain.escrow import LedgerEntry
from gigcore.domain.money import Money

InvoiceKind = Literal["funding", "release", "refund"]


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    amount: Money
    kind: str


@dataclass(frozen=True)
class Invoice:
    id: str
    kind: InvoiceKind
    milestone_id: str
    at: datetime
    lines: list[InvoiceLine]
    total: Money
    stripe_ref: str | None


def invoices(entries: Sequence[LedgerEntry], titles: Mapping[str, str], fee_bps: int) -> list[Invoice]:
    """The receipts of ``entries`` (a contract's ledger, oldest first), in the same order; ``titles`` names each
    milestone by id (an entry of a milestone not named is described by its id); ``fee_bps`` the platform fee."""
    fees = {(e.milestone_id, e.at): e for e in entries if e.kind == "fee"}
    out: list[Invoice] = []
    for e in entries:
        title = f"Milestone \u201c{titles.get(e.milestone_id, e.milestone_id)}\u201d"
        if e.kind == "funding":
            out.append(Invoice(id=e.id, kind="funding", milestone_id=e.milestone_id, at=e.at,
                               lines=[InvoiceLine(f"{title}, paid into escrow", e.amount, "charge")],
                               total=e.amount, stripe_ref=e.stripe_ref))
        elif e.kind == "release":
            fee = fees.get((e.milestone_id, e.at))
            gross = e.amount + fee.amount if fee else e.amount
            lines = [InvoiceLine(f"{title}, released", gross, "gross")]
            if fee is not None:
                lines.append(InvoiceLine(f"Platform fee ({fee_bps / 100:g}%)", fee.amount, "fee"))
            lines.append(InvoiceLine("Paid to the freelancer", e.amount, "net"))
            out.append(Invoice(id=e.id, kind="release", milestone_id=e.milestone_id, at=e.at, lines=lines,
                               total=e.amount, stripe_ref=e.stripe_ref))
        elif e.kind == "refund":
            out.append(Invoice(id=e.id, kind="refund", milestone_id=e.milestone_id, at=e.at,
                               lines=[InvoiceLine(f"{title}, refunded", e.amount, "refund")],
                               total=e.amount, stripe_ref=e.stripe_ref))
    return out
