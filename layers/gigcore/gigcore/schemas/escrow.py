"""Request and response models of escrow (docs/escrow.md; each route in docs/openapi.json); the milestone is in
``schemas.contracts``."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from gigcore.domain.clock import to_rfc3339
from gigcore.domain.escrow import Account, Balances, EntryKind, LedgerEntry
from gigcore.domain.invoices import Invoice, InvoiceKind
from gigcore.domain.money import Money
from gigcore.ports.escrow import Dispute, DisputeStatus, PayoutAccount
from gigcore.ports.payments import IntentStatus, PaymentIntent
from gigcore.schemas.common import Amount, RequestModel, ResponseModel, Timestamp, Url, WholeNumber, listed, text
from gigcore.schemas.contracts import MilestoneOut

StripeId = Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[A-Za-z0-9_]+$")]
Reason = Annotated[str, text(1, 2000)]


class FundRequest(RequestModel):
    payment_method_id: StripeId | None = None


class SubmitRequest(RequestModel):
    note: Annotated[str, text(1, 5000)]
    attachment_keys: Annotated[list[Annotated[str, text(1, 1024)]],
                               Field(max_length=20)] = []


class RefundRequest(RequestModel):
    """Without amount: all that is left of the milestone."""

    amount: Amount | None = None
    reason: Reason


class DisputeRequest(RequestModel):
    milestone_id: Annotated[str, text(1, 64)]
    reason: Reason


class ResolveRequest(RequestModel):
    release_amount: Amount
    refund_amount: Amount
    note: Reason


class StripeEventObjectBody(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)

    id: str


class StripeEventDataBody(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)

    object: StripeEventObjectBody


class StripeEventBody(BaseModel):
    """What POST /webhooks/stripe reads of a Stripe event (the rest is Stripe's and passed over). The body is read
    as sent, after its Stripe-Signature verifies; anything else is refused with 400."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "evt_3QJ1xK2eZvKYlo2C1a2b3c4d", "type": "payment_intent.succeeded", "created": 1764835200,
        "data": {"object": {"id": "pi_3QJ1xK2eZvKYlo2C0a1b2c3d"}}}]},
                              defer_build=True)

    id: str
    type: str
    created: Annotated[int, WholeNumber]
    data: StripeEventDataBody


class PayoutAccountOut(ResponseModel):
    account_id: str
    onboarding_url: Url
    payouts_enabled: bool


class PaymentOut(ResponseModel):
    payment_intent_id: str
    client_secret: str
    status: Annotated[str, listed(IntentStatus)]


class FundOut(ResponseModel):
    milestone: MilestoneOut
    payment: PaymentOut


class SyncOut(ResponseModel):
    milestone: MilestoneOut


class ResolutionOut(ResponseModel):
    release_amount: Money
    refund_amount: Money
    note: str | None
    resolved_by: str | None
    resolved_at: Timestamp | None


class DisputeOut(ResponseModel):
    id: str
    contract_id: str
    milestone_id: str
    opened_by: str
    reason: str
    status: Annotated[str, listed(DisputeStatus)]
    held: Money
    created_at: Timestamp
    resolution: ResolutionOut | None = None


class LedgerEntryOut(ResponseModel):
    id: str
    at: Timestamp
    kind: Annotated[str, listed(EntryKind)]
    amount: Money
    debit: Annotated[str, listed(Account)]
    credit: Annotated[str, listed(Account)]
    milestone_id: str
    stripe_ref: str | None = None


class BalancesOut(ResponseModel):
    funded: Money
    held: Money
    released: Money
    refunded: Money
    fees: Money


class LedgerOut(ResponseModel):
    items: list[LedgerEntryOut]
    balances: BalancesOut


class InvoiceLineOut(ResponseModel):
    description: str
    amount: Money
    kind: str


class InvoiceOut(ResponseModel):
    id: str
    kind: Annotated[str, listed(InvoiceKind)]
    milestone_id: str
    at: Timestamp
    lines: list[InvoiceLineOut]
    total: Money
    stripe_ref: str | None = None


class InvoicesOut(ResponseModel):
    items: list[InvoiceOut]


class WebhookOut(ResponseModel):
    received: bool


def payout_account_out(account: PayoutAccount, url: str) -> PayoutAccountOut:
    return PayoutAccountOut(account_id=account.account_id, onboarding_url=url, payouts_enabled=account.payouts_enabled)


def payment_out(intent: PaymentIntent) -> PaymentOut:
    return PaymentOut(payment_intent_id=intent.id, client_secret=intent.client_secret, status=intent.status)


def dispute_out(d: Dispute) -> DisputeOut:
    resolution = None
    if d.status == "resolved" and d.release_amount is not None and d.refund_amount is not None:
        resolution = ResolutionOut(release_amount=d.release_amount, refund_amount=d.refund_amount, note=d.note,
                                   resolved_by=d.resolved_by,
                                   resolved_at=to_rfc3339(d.resolved_at) if d.resolved_at else None)
    return DisputeOut(id=d.id, contract_id=d.contract_id, milestone_id=d.milestone_id, opened_by=d.opened_by,
                      reason=d.reason, status=d.status, held=d.held, created_at=to_rfc3339(d.created_at),
                      resolution=resolution)


def ledger_out(entries: list[LedgerEntry], b: Balances) -> LedgerOut:
    return LedgerOut(items=[LedgerEntryOut(id=e.id, at=to_rfc3339(e.at), kind=e.kind, amount=e.amount, debit=e.debit,
                                           credit=e.credit, milestone_id=e.milestone_id, stripe_ref=e.stripe_ref)
                            for e in entries],
                     balances=BalancesOut(funded=b.funded, held=b.held, released=b.released, refunded=b.refunded,
                                          fees=b.fees))


def invoices_out(invoices: list[Invoice]) -> InvoicesOut:
    return InvoicesOut(items=[InvoiceOut(id=i.id, kind=i.kind, milestone_id=i.milestone_id, at=to_rfc3339(i.at),
                                         lines=[InvoiceLineOut(description=line.description, amount=line.amount,
                                                               kind=line.kind) for line in i.lines],
                                         total=i.total, stripe_ref=i.stripe_ref) for i in invoices])
