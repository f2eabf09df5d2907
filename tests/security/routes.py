"""Every route of the API, who may call it, and a request that is valid when the caller is allowed.

One :class:`Row` per route (method and path template, exactly as /openapi.json lists it). The five callers,
in the order of the ``expect`` column:

- ``client``: the owner of the object (the gig's poster, the contract's payer, the conversation's starter);
- ``freelancer``: the counterparty (the applicant, the contract's payee, the other participant);
- ``stranger``: a signed-in user with both roles who has nothing to do with the object;
- ``anonymous``: no ``Authorization`` header;
- ``admin``: a platform admin (a client account granted admin by the CLI).

``expect`` gives each one's answer: ``2xx`` (any success) or the exact refusal (``401``, ``403``, ``404``).
``kind`` names the object the route acts on (tests/security/world.py makes it); a call that is allowed to change
it gets an object of its own, so the next caller finds the object as the table expects it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.security.world import (
    PASSWORD,
    World,
    apply_body,
    from_new_address,
    gig_body,
    idempotency_key,
    ngn,
    sign_stripe_event,
    stripe_event,
)

CALLERS = ("client", "freelancer", "stranger", "anonymous", "admin")

#: A request body made for one caller and one object (``None``: no body; ``bytes``: sent as they are).
Body = Callable[[World, str, dict[str, str]], Any]


def fixed(value: Any) -> Body:
    return lambda world, caller, found: value


@dataclass(frozen=True)
class Row:
    route: str
    kind: str
    expect: str
    body: Body = fixed(None)
    query: str = ""
    headers: Callable[[World, bytes], dict[str, str]] = field(default=lambda world, raw: {})

    @property
    def method(self) -> str:
        return self.route.split(" ", 1)[0]

    @property
    def template(self) -> str:
        return self.route.split(" ", 1)[1]

    def expected(self) -> dict[str, str]:
        answers = self.expect.split()
        assert len(answers) == len(CALLERS), self.route
        return dict(zip(CALLERS, answers, strict=True))

    @property
    def changes(self) -> bool:
        """Whether an allowed call changes the object it acts on."""
        return self.method != "GET" and self.kind not in {"none", "me"}

    def path(self, found: dict[str, str]) -> str:
        return self.template.format(**found) + self.query

    def send(self, world: World, caller: str, found: dict[str, str], body: Any = ...) -> Any:
        """This route's request as ``caller`` on ``found``; ``body`` replaces the valid one when given."""
        sent = self.body(world, caller, found) if body is ... else body
        raw = sent if isinstance(sent, bytes) else b"" if sent is None else _json(sent)
        headers = {"Content-Type": "application/json"} | self.headers(world, raw)
        if caller != "anonymous":
            headers["Authorization"] = f"Bearer {world.token(caller)}"
        return from_new_address(lambda: world.api._client.http.request(
            self.method, self.path(found), headers=headers, body=raw))


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


def money_key(world: World, raw: bytes) -> dict[str, str]:
    return idempotency_key()


def other_person(world: World, caller: str) -> str:
    return str(world.people["freelancer" if caller == "client" else "client"]["id"])


def stripe_signature(world: World, raw: bytes) -> dict[str, str]:
    return {"Stripe-Signature": sign_stripe_event(raw, world.env["GIGCONNECT_STRIPE_WEBHOOK_SECRET"])}


PROFILE = {"headline": "Gaffer and lighting tech", "bio": "Ten years on Nollywood sets.",
           "skills": [{"name": "lighting", "level": "expert"}], "hourly_rate": ngn(1_500_000),
           "availability": "available", "location": {"lat": 6.5244, "lng": 3.3792}, "service_radius_km": 30,
           "portfolio_urls": []}
NEAR = "?lat=6.5244&lng=3.3792&radius_km=10"
EVERY_USER = "2xx 2xx 2xx 401 2xx"
ANYONE = "2xx 2xx 2xx 2xx 2xx"
CLIENT_ONLY = "2xx 403 403 401 403"
FREELANCER_ONLY = "403 2xx 403 401 403"
PARTIES = "2xx 2xx 403 401 403"
PARTIES_AND_ADMIN = "2xx 2xx 403 401 2xx"
FREELANCER_ROLE = "403 2xx 2xx 401 403"

ROWS: list[Row] = [
    # system
    Row("GET /health", "none", ANYONE),
    Row("GET /openapi.json", "none", ANYONE),
    Row("POST /webhooks/stripe", "none", ANYONE, body=lambda w, c, f: stripe_event(), headers=stripe_signature),
    # auth
    Row("POST /auth/signup", "none", ANYONE, body=lambda w, c, f: {
        "email": f"signup-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": "Ada Obi",
        "roles": ["client"]}),
    Row("POST /auth/login", "none", ANYONE,
        body=lambda w, c, f: {"email": w.mailbox()["email"], "password": PASSWORD}),
    Row("POST /auth/refresh", "none", ANYONE,
        body=lambda w, c, f: {"refresh_token": w.mailbox()["refresh"]}),
    Row("POST /auth/logout", "none", EVERY_USER, body=lambda w, c, f: {"refresh_token": w.mailbox()["refresh"]}),
    Row("POST /auth/email/verify-request", "none", EVERY_USER),
    Row("POST /auth/email/verify", "none", ANYONE,
        body=lambda w, c, f: {"token": w.mailed_token("verify")}),
    Row("POST /auth/password/reset-request", "none", ANYONE,
        body=lambda w, c, f: {"email": f"reset-{uuid.uuid4().hex[:12]}@example.com"}),
    Row("POST /auth/password/reset", "none", ANYONE,
        body=lambda w, c, f: {"token": w.mailed_token("reset"), "new_password": "another long secret"}),
    # users
    Row("GET /me", "me", EVERY_USER),
    Row("PATCH /me", "me", EVERY_USER, body=fixed({"name": "Ada Obi"})),
    Row("PUT /me/freelancer-profile", "me", FREELANCER_ROLE, body=fixed(PROFILE)),
    Row("GET /users/{user_id}", "none", EVERY_USER),
    Row("GET /users/{user_id}/reviews", "none", EVERY_USER),
    Row("GET /freelancers/nearby", "none", EVERY_USER, query=NEAR),
    # gigs and search
    Row("POST /gigs", "me", "2xx 403 2xx 401 2xx", body=fixed(gig_body())),
    Row("GET /gigs/nearby", "none", EVERY_USER, query=NEAR),
    Row("GET /gigs/{gig_id}", "gig", EVERY_USER),
    Row("PATCH /gigs/{gig_id}", "gig", CLIENT_ONLY, body=fixed({"title": "Light a feature film"})),
    Row("POST /gigs/{gig_id}/cancel", "gig", CLIENT_ONLY),
    Row("GET /me/gigs", "me", "2xx 403 2xx 401 2xx"),
    Row("GET /search/gigs", "none", EVERY_USER, query="?q=film"),
    Row("GET /search/freelancers", "none", EVERY_USER, query="?q=gaffer"),
    # applications and contracts
    Row("POST /gigs/{gig_id}/applications", "gig", "403 2xx 2xx 401 403", body=fixed(apply_body())),
    Row("GET /gigs/{gig_id}/applications", "application", CLIENT_ONLY),
    Row("GET /me/applications", "me", FREELANCER_ROLE),
    Row("POST /applications/{application_id}/shortlist", "application", CLIENT_ONLY),
    Row("POST /applications/{application_id}/reject", "application", CLIENT_ONLY),
    Row("POST /applications/{application_id}/withdraw", "application", FREELANCER_ONLY),
    Row("POST /applications/{application_id}/accept", "application", CLIENT_ONLY, body=fixed({})),
    Row("GET /contracts/{contract_id}", "funded", PARTIES_AND_ADMIN),
    Row("GET /me/contracts", "me", EVERY_USER),
    # escrow
    Row("POST /me/payout-account", "me", FREELANCER_ROLE),
    Row("POST /contracts/{contract_id}/milestones/{milestone_id}/fund", "contract", CLIENT_ONLY,
        body=fixed({"payment_method_id": "pm_card_visa"}), headers=money_key),
    Row("POST /payments/{payment_intent_id}/sync", "funded", CLIENT_ONLY),
    Row("POST /contracts/{contract_id}/milestones/{milestone_id}/submit", "funded", FREELANCER_ONLY,
        body=fixed({"note": "done"})),
    Row("POST /contracts/{contract_id}/milestones/{milestone_id}/release", "submitted", CLIENT_ONLY,
        headers=money_key),
    Row("POST /contracts/{contract_id}/milestones/{milestone_id}/refund", "funded", "2xx 403 403 401 2xx",
        body=fixed({"amount": ngn(1_000), "reason": "changed plans"}), headers=money_key),
    Row("POST /contracts/{contract_id}/disputes", "funded", PARTIES,
        body=lambda w, c, f: {"milestone_id": f["milestone_id"], "reason": "late"}),
    Row("GET /disputes/{dispute_id}", "disputed", PARTIES_AND_ADMIN),
    Row("POST /admin/disputes/{dispute_id}/resolve", "disputed", "403 403 403 401 2xx",
        body=fixed({"release_amount": ngn(500_000), "refund_amount": ngn(500_000), "note": "split"}),
        headers=money_key),
    Row("POST /contracts/{contract_id}/cancel", "contract", PARTIES, body=fixed({"reason": "plans changed"})),
    Row("GET /contracts/{contract_id}/ledger", "funded", PARTIES_AND_ADMIN),
    Row("GET /contracts/{contract_id}/invoices", "funded", PARTIES_AND_ADMIN),
    # reviews
    Row("POST /contracts/{contract_id}/reviews", "completed", PARTIES,
        body=fixed({"rating": 5, "comment": "On time, well lit."})),
    # conversations
    Row("POST /conversations", "me", EVERY_USER, body=lambda w, c, f: {"participant_ids": [other_person(w, c)]}),
    Row("GET /conversations", "me", EVERY_USER),
    Row("GET /conversations/{conversation_id}/messages", "conversation", PARTIES),
    Row("POST /conversations/{conversation_id}/messages", "conversation", PARTIES,
        body=lambda w, c, f: {"body": "Are we on for Monday?", "client_msg_id": uuid.uuid4().hex}),
    Row("POST /conversations/{conversation_id}/attachments", "conversation", PARTIES,
        body=fixed({"filename": "call-sheet.pdf", "content_type": "application/pdf", "size": 10_000})),
    Row("POST /conversations/{conversation_id}/read", "conversation", PARTIES,
        body=lambda w, c, f: {"up_to_message_id": f["message_id"]}),
    # notifications
    Row("GET /me/notifications", "me", EVERY_USER),
    Row("POST /me/notifications/read", "me", EVERY_USER, body=fixed({"all": True})),
    Row("GET /me/notification-preferences", "me", EVERY_USER),
    Row("PUT /me/notification-preferences", "me", EVERY_USER,
        body=fixed({"channels": {"push": True, "email": True, "sms": False}})),
    Row("POST /me/devices", "me", EVERY_USER, body=fixed({"platform": "android", "token": "fcm-" + "x" * 40})),
]

BY_ROUTE = {row.route: row for row in ROWS}
