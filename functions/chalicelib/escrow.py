"""Escrow routes (API.md "Escrow"): payout account, fund, sync, submit, release, refund, disputes, cancelling a
contract before any money moved, the ledger, invoices, and Stripe's webhook."""

from __future__ import annotations

from typing import cast

import pydantic
from chalice import Blueprint

from chalicelib.http import body, current_request, principal, route
from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.domain.errors import ErrorDetail, MalformedRequestError
from gigcore.ports.payments import InvalidSignatureError
from gigcore.schemas.contracts import CancelContractRequest, ContractOut, MilestoneOut, contract_out, milestone_out
from gigcore.schemas.escrow import (
    DisputeOut,
    DisputeRequest,
    FundOut,
    FundRequest,
    InvoicesOut,
    LedgerOut,
    PayoutAccountOut,
    RefundRequest,
    ResolveRequest,
    StripeEventBody,
    SubmitRequest,
    SyncOut,
    WebhookOut,
    dispute_out,
    invoices_out,
    ledger_out,
    payment_out,
    payout_account_out,
)
from gigcore.schemas.openapi import QueryParam
from gigcore.services.escrow import PAYMENTS_QUEUE, STRIPE_EVENT, Escrow

bp = Blueprint(__name__)

_MILESTONE = "/contracts/{contract_id}/milestones/{milestone_id}"


def _escrow() -> Escrow:
    escrow: Escrow = bootstrap.container().escrow
    return escrow


@route(bp, "/me/payout-account", method="POST", summary="My payout account (Stripe Connect) and its onboarding link",
       response=PayoutAccountOut, errors=(403, 503), tag="escrow")
def payout_account() -> PayoutAccountOut:
    view = _escrow().payout_account(principal(), utc_now())
    return payout_account_out(view.account, view.onboarding_url)


@route(bp, _MILESTONE + "/fund", method="POST", summary="Pay a milestone into escrow (the client)",
       request=FundRequest, response=FundOut, idempotency="required",
       provides={"payment_intent_id": "$response.body#/payment/payment_intent_id"},
       errors=(400, 402, 403, 404, 409, 422, 503),
       tag="escrow")
def fund(contract_id: str, milestone_id: str) -> FundOut:
    cmd = body(FundRequest)
    funding = _escrow().fund(principal(), contract_id, milestone_id, cmd.payment_method_id, utc_now())
    return FundOut(milestone=milestone_out(funding.milestone), payment=payment_out(funding.intent))


@route(bp, "/payments/{payment_intent_id}/sync", method="POST",
       summary="Reconcile a payment with Stripe now (the payer)",
       response=SyncOut, errors=(403, 404, 503), tag="escrow")
def sync(payment_intent_id: str) -> SyncOut:
    return SyncOut(milestone=milestone_out(_escrow().sync(principal(), payment_intent_id, utc_now())))


@route(bp, _MILESTONE + "/submit", method="POST", summary="Submit a milestone's work (the freelancer)",
       request=SubmitRequest, response=MilestoneOut, errors=(403, 404, 409, 422), tag="escrow")
def submit(contract_id: str, milestone_id: str) -> MilestoneOut:
    cmd = body(SubmitRequest)
    return milestone_out(_escrow().submit(principal(), contract_id, milestone_id, cmd.note, cmd.attachment_keys,
                                          utc_now()))


@route(bp, _MILESTONE + "/release", method="POST", summary="Pay the freelancer (the client)", response=MilestoneOut,
       idempotency="required", errors=(400, 403, 404, 409, 503), tag="escrow")
def release(contract_id: str, milestone_id: str) -> MilestoneOut:
    return milestone_out(_escrow().release(principal(), contract_id, milestone_id, utc_now()))


@route(bp, _MILESTONE + "/refund", method="POST",
       summary="Refund a milestone, partly or wholly (the client before submission, an admin any time)",
       request=RefundRequest, response=MilestoneOut, idempotency="required", errors=(400, 403, 404, 409, 422, 503),
       tag="escrow")
def refund(contract_id: str, milestone_id: str) -> MilestoneOut:
    cmd = body(RefundRequest)
    milestone = _escrow().refund(principal(), contract_id, milestone_id, cmd.amount, cmd.reason, utc_now(),
                                 request_key=current_request().headers.get("idempotency-key"))
    return milestone_out(milestone)


@route(bp, "/contracts/{contract_id}/cancel", method="POST",
       summary="Cancel a contract before any milestone is paid (either party); the gig opens again or is cancelled",
       request=CancelContractRequest, response=ContractOut, errors=(403, 404, 409, 422, 503), tag="contracts")
def cancel_contract(contract_id: str) -> ContractOut:
    cmd = body(CancelContractRequest)
    return contract_out(_escrow().cancel_contract(principal(), contract_id, cmd.gig_status, cmd.reason, utc_now()))


@route(bp, "/contracts/{contract_id}/disputes", method="POST", summary="Dispute a milestone (either party)",
       request=DisputeRequest, response=DisputeOut, status=201, provides={"dispute_id": "$response.body#/id"},
       errors=(403, 404, 409, 422), tag="escrow")
def open_dispute(contract_id: str) -> DisputeOut:
    cmd = body(DisputeRequest)
    return dispute_out(_escrow().open_dispute(principal(), contract_id, cmd.milestone_id, cmd.reason, utc_now()))


@route(bp, "/disputes/{dispute_id}", summary="A dispute (either party, an admin)", response=DisputeOut,
       errors=(403, 404), tag="escrow")
def get_dispute(dispute_id: str) -> DisputeOut:
    return dispute_out(_escrow().get_dispute(principal(), dispute_id))


@route(bp, "/admin/disputes/{dispute_id}/resolve", method="POST", summary="Resolve a dispute (an admin)",
       request=ResolveRequest, response=DisputeOut, idempotency="required", errors=(400, 403, 404, 409, 422, 503),
       tag="escrow")
def resolve(dispute_id: str) -> DisputeOut:
    cmd = body(ResolveRequest)
    return dispute_out(_escrow().resolve(principal(), dispute_id, cmd.release_amount, cmd.refund_amount, cmd.note,
                                         utc_now()))


@route(bp, "/contracts/{contract_id}/ledger", summary="A contract's ledger and balances (either party, an admin)",
       response=LedgerOut, errors=(403, 404), tag="escrow")
def ledger(contract_id: str) -> LedgerOut:
    result = _escrow().ledger(principal(), contract_id)
    return ledger_out(result.entries, result.balances)


@route(bp, "/contracts/{contract_id}/invoices", summary="Receipts of each funding, release and refund, with fee lines",
       response=InvoicesOut, errors=(403, 404), tag="escrow")
def invoices(contract_id: str) -> InvoicesOut:
    return invoices_out(_escrow().invoices(principal(), contract_id))


@route(bp, "/webhooks/stripe", method="POST", summary="Stripe's events (signature-verified, queued, applied once)",
       request=StripeEventBody, response=WebhookOut, auth=False, idempotency="none", raw_body=True,
       errors=(400, 503),
       headers=(QueryParam("Stripe-Signature", "t=<unix time>,v1=<HMAC-SHA256 of the body>", required=True),),
       tag="webhooks")
def stripe_webhook() -> WebhookOut:
    request = current_request()
    signature: str = request.headers.get("stripe-signature", "")
    container = bootstrap.container()
    try:
        event = container.payments.parse_event(cast(bytes, request.raw_body or b""), signature)
    except InvalidSignatureError as exc:
        raise MalformedRequestError("The Stripe-Signature does not verify.",
                                    details=[ErrorDetail(field="Stripe-Signature", issue="invalid")]) from exc
    try:  # signed, so Stripe's: its shape is still checked as strictly as the schema documents it
        StripeEventBody.model_validate_json(request.raw_body or b"", strict=True)
    except pydantic.ValidationError as exc:
        raise MalformedRequestError("The payload is not a Stripe event.",
                                    details=[ErrorDetail(field="body", issue="not a Stripe event")]) from exc
    # Durably queued before the 200: Stripe retries anything else. The message id is Stripe's event id, so
    # the consumer applies each event once however many times it is delivered.
    container.queue.send(PAYMENTS_QUEUE, {"id": event.id, "type": STRIPE_EVENT,
                                          "payload": {"type": event.type, "object_id": event.object_id}})
    return WebhookOut(received=True)
