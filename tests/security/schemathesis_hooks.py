"""schemathesis hooks for tests/security/test_schemathesis.py (loaded through ``SCHEMATHESIS_HOOKS``).

Every generated request is made by a signed-up user: the freelancer's access token on the routes only a
freelancer may call, the client's on the others, so that the generated gig, application, contract and milestone
of the stateful phase all belong to the same two people (the client posts and accepts, the freelancer applies
and submits). The tokens and ids come from the environment the test sets.

What a JSON Schema cannot say is supplied here, for data generated as valid only (data generated to break the
schema is sent as generated):
- values only the server can mint: one-time email tokens (read from the test's mailbox), signed cursors (left
  out), a Stripe signature (computed over the body with the local webhook secret), existing user ids;
- rules across fields: one currency per request (a gig's budget, an application to it and the contract's
  milestones share it), a budget's ``min`` not above its ``max``, a gig with a place or ``remote: true``, a
  deadline in the future;
- a fresh ``Idempotency-Key`` per request: a key reused with another body is refused by design (422);
- no ``?fields=`` (documented on every GET): it trims the answer, which the answer's full schema cannot say.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any

import httpx
import schemathesis

#: Operations only a freelancer may call (method, path template).
FREELANCER_OPERATIONS = {
    ("POST", "/gigs/{gig_id}/applications"),
    ("POST", "/applications/{application_id}/withdraw"),
    ("GET", "/me/applications"),
    ("PUT", "/me/freelancer-profile"),
    ("POST", "/me/payout-account"),
    ("POST", "/contracts/{contract_id}/milestones/{milestone_id}/submit"),
}
#: The one currency of every amount in valid data.
CURRENCY = "NGN"


def _role(case: Any) -> str:
    operation = case.operation
    return "freelancer" if (operation.method.upper(), operation.path) in FREELANCER_OPERATIONS else "client"


@schemathesis.auth(refresh_interval=None, retry_on=[])
class BearerOfRole:
    """``Authorization: Bearer`` of the client or of the freelancer, by operation."""

    def get(self, case: Any, ctx: Any) -> str:
        return os.environ[f"ST_{_role(case).upper()}_TOKEN"]

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = dict(case.headers or {})
        case.headers["Authorization"] = f"Bearer {data}"


def _positive(case: Any) -> bool:
    meta = getattr(case, "meta", None)
    return meta is None or not meta.generation.mode.is_negative


def _one_currency(value: Any) -> None:
    if isinstance(value, dict):
        if set(value) == {"amount", "currency"}:
            value["currency"] = CURRENCY
        for item in value.values():
            _one_currency(item)
    elif isinstance(value, list):
        for item in value:
            _one_currency(item)


def _sensible_gig(body: dict[str, Any]) -> None:
    budget = body.get("budget")
    if isinstance(budget, dict) and isinstance(budget.get("min"), dict) and isinstance(budget.get("max"), dict):
        low, high = sorted((budget["min"]["amount"], budget["max"]["amount"]))
        budget["min"]["amount"], budget["max"]["amount"] = low, high
    if ("location" in body or "remote" in body) and body.get("location") is None:
        body["remote"] = True
    if "deadline" in body and body["deadline"] is not None:
        body["deadline"] = "2099-01-01T00:00:00Z"


def _phase(case: Any) -> str:
    phase = getattr(getattr(case, "meta", None), "phase", None)
    return str(getattr(phase, "name", "fuzzing")).upper()


def _pop_token(kind: str, case: Any) -> str | None:
    """The next unused one-time token of ``kind`` for the case's phase (``ST_<KIND>_TOKENS_<PHASE>``, a
    comma-separated list in the environment): a token works once, and each phase gets its own."""
    name = f"ST_{kind}_TOKENS_{_phase(case)}"
    tokens = [t for t in os.environ.get(name, "").split(",") if t]
    if not tokens:
        return None
    os.environ[name] = ",".join(tokens[1:])
    return tokens[0]


def _a_message_of(case: Any) -> str | None:
    """The id of a stored message of the case's conversation (one is sent when there is none), as the client."""
    conversation_id = (case.path_parameters or {}).get("conversation_id")
    if not conversation_id:
        return None
    url = f"{os.environ['ST_API_URL']}/conversations/{conversation_id}/messages"
    bearer = {"Authorization": f"Bearer {os.environ['ST_CLIENT_TOKEN']}"}
    found = httpx.get(url, params={"limit": 1}, headers=bearer, timeout=30)
    if found.status_code != 200:
        return None
    items = found.json()["items"]
    if not items:
        sent = httpx.post(url, json={"body": "hello", "client_msg_id": uuid.uuid4().hex}, headers=bearer, timeout=30)
        return str(sent.json()["id"]) if sent.status_code == 201 else None
    return str(items[0]["id"])


def _sign_webhook(case: Any) -> None:
    payload = json.dumps(case.body, separators=(",", ":")) if case.body is not None else ""
    stamp = int(time.time())
    digest = hmac.new(os.environ["ST_WEBHOOK_SECRET"].encode(), f"{stamp}.{payload}".encode(),
                      hashlib.sha256).hexdigest()
    case.headers["Stripe-Signature"] = f"t={stamp},v1={digest}"
    # Sent as the very bytes that were signed (JSON text, declared as JSON).
    case.body = payload
    case.media_type = "text/plain"
    case.headers["Content-Type"] = "application/json"


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    case.headers = dict(case.headers or {})
    for name in list(case.headers):
        if name.lower() == "idempotency-key" and 1 <= len(str(case.headers[name])) <= 255:
            case.headers[name] = f"st-{uuid.uuid4().hex}"
    if isinstance(case.query, dict):
        # ?fields= trims the answer to the fields it names, which the answer's schema (every field) cannot say.
        case.query.pop("fields", None)
    if not _positive(case):
        return
    method, path = case.operation.method.upper(), case.operation.path
    if isinstance(case.query, dict):
        for name in ("cursor", "before"):
            case.query.pop(name, None)
    body = case.body
    if isinstance(body, dict):
        _one_currency(body)
        if path in {"/gigs", "/gigs/{gig_id}"}:
            _sensible_gig(body)
        if (method, path) == ("POST", "/conversations"):
            body["participant_ids"] = [os.environ["ST_FREELANCER_ID"]]
            body.pop("gig_id", None)
            body.pop("contract_id", None)
        if path.endswith("/refund"):
            body.pop("amount", None)  # all that is left: a part larger than that is refused (422)
        if path == "/conversations/{conversation_id}/messages":
            body.pop("attachment_keys", None)  # keys of uploads that exist only after an upload
            if not str(body.get("body", "")).strip():
                body["body"] = "hello"
        if (method, path) == ("POST", "/auth/email/verify"):
            body["token"] = _pop_token("VERIFY", case) or body.get("token")
        if (method, path) == ("POST", "/auth/password/reset"):
            body["token"] = _pop_token("RESET", case) or body.get("token")
        if path == "/conversations/{conversation_id}/read":
            body["up_to_message_id"] = _a_message_of(case) or body.get("up_to_message_id")
    if (method, path) == ("POST", "/webhooks/stripe") and "Stripe-Signature" in case.headers:
        _sign_webhook(case)
