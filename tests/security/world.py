"""The objects the security suite attacks, made through the API as real users would make them.

A :class:`World` holds four people (a client, a freelancer with a payout account, a stranger who is both
client and freelancer, and an admin granted by the CLI's function) and one object of each kind the routes act
on: an open gig, a gig with a pending application, contracts whose milestone is pending, funded, submitted or
disputed, a completed contract, and a conversation. :meth:`World.fresh` makes another object of a kind, for a
call that is allowed to change it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from tests.conftest import Api

PASSWORD = "correct horse battery"
ROLES = {"client": ["client"], "freelancer": ["freelancer"], "stranger": ["client", "freelancer"],
         "admin": ["client"]}


def ngn(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


def idempotency_key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def new_address() -> str:
    octets = uuid.uuid4().bytes
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


def from_new_address(run: Callable[[], Any], address: str | None = None) -> Any:
    """Run one request from a source address of its own (sign-ups are limited per address); not thread-safe."""
    from chalice.local import LambdaEventConverter

    saved = LambdaEventConverter.LOCAL_SOURCE_IP
    LambdaEventConverter.LOCAL_SOURCE_IP = address or new_address()
    try:
        return run()
    finally:
        LambdaEventConverter.LOCAL_SOURCE_IP = saved


def signup(api: Api, roles: list[str], prefix: str = "sec") -> dict[str, Any]:
    """A new account: {id, email, token, refresh}."""
    email = f"{prefix}-{uuid.uuid4().hex[:12]}@example.com"
    answer = from_new_address(lambda: api.post(
        "/auth/signup", {"email": email, "password": PASSWORD, "name": "Ada Obi", "roles": roles}))
    assert answer.status_code == 201, answer.json_body
    return {"id": answer.json_body["user"]["id"], "email": email, "token": answer.json_body["access_token"],
            "refresh": answer.json_body["refresh_token"]}


def gig_body(title: str = "Light a short film") -> dict[str, Any]:
    return {"title": title, "description": "Two days on set.", "category": "film-crew", "skills": ["gaffer"],
            "budget": {"min": ngn(100_000), "max": ngn(5_000_000), "type": "fixed"},
            "location": {"lat": 6.5244, "lng": 3.3792}, "remote": False, "urgency": "medium"}


def apply_body() -> dict[str, Any]:
    return {"cover_letter": "Ten features lit.", "proposed_rate": ngn(1_000_000), "estimated_days": 2}


def sign_stripe_event(payload: bytes, secret: str) -> str:
    """A ``Stripe-Signature`` over these exact bytes, as Stripe makes it."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def stripe_event(intent_id: str = "pi_unknown") -> bytes:
    return json.dumps({"id": f"evt_{uuid.uuid4().hex[:20]}", "object": "event", "type": "payment_intent.succeeded",
                       "created": int(time.time()),
                       "data": {"object": {"id": intent_id, "object": "payment_intent"}}}).encode()


class World:
    """The people and objects of one module, and the means to make more."""

    def __init__(self, api: Api, env: dict[str, str], deliver: Callable[[str], int]) -> None:
        from gigcore import bootstrap
        from gigcore.cli.admin import set_admin

        self.api, self.env, self.deliver = api, env, deliver
        self.people = {name: signup(api, roles) for name, roles in ROLES.items()}
        admin = self.people["admin"]
        set_admin(bootstrap.container().users, admin["email"], admin=True)
        login = api.post("/auth/login", {"email": admin["email"], "password": PASSWORD})
        assert login.status_code == 200, login.json_body
        admin["token"], admin["refresh"] = login.json_body["access_token"], login.json_body["refresh_token"]
        account = api.post("/me/payout-account", token=self.token("freelancer"))
        assert account.status_code == 200 and account.json_body["payouts_enabled"], account.json_body
        self.objects: dict[str, dict[str, str]] = {kind: self.fresh(kind) for kind in MAKERS}

    def token(self, who: str) -> str:
        return str(self.people[who]["token"])

    def target(self, kind: str) -> dict[str, str]:
        return self.objects[kind]

    def fresh(self, kind: str) -> dict[str, str]:
        """A new object of ``kind``: its ids, by the names the route templates use."""
        ids = {"user_id": self.people["freelancer"]["id"]}
        return ids | MAKERS[kind](self)

    # ---- the steps that make objects ----------------------------------------------------------------------

    def open_gig(self) -> dict[str, str]:
        gig = self.api.post("/gigs", gig_body(), token=self.token("client"))
        assert gig.status_code == 201, gig.json_body
        return {"gig_id": gig.json_body["id"]}

    def applied(self) -> dict[str, str]:
        found = self.open_gig()
        application = self.api.post(f"/gigs/{found['gig_id']}/applications", apply_body(),
                                    token=self.token("freelancer"))
        assert application.status_code == 201, application.json_body
        return found | {"application_id": application.json_body["id"]}

    def contract(self, amounts: tuple[int, ...] = (1_000_000,)) -> dict[str, str]:
        found = self.applied()
        milestones = [{"title": f"Part {i + 1}", "amount": ngn(a)} for i, a in enumerate(amounts)]
        accepted = self.api.post(f"/applications/{found['application_id']}/accept", {"milestones": milestones},
                                 token=self.token("client"))
        assert accepted.status_code == 201, accepted.json_body
        return found | {"contract_id": accepted.json_body["id"],
                        "milestone_id": accepted.json_body["milestones"][0]["id"]}

    def milestone_path(self, found: dict[str, str], action: str) -> str:
        return f"/contracts/{found['contract_id']}/milestones/{found['milestone_id']}/{action}"

    def funded(self, amounts: tuple[int, ...] = (1_000_000,)) -> dict[str, str]:
        found = self.contract(amounts)
        paid = self.api.post(self.milestone_path(found, "fund"), {"payment_method_id": "pm_card_visa"},
                             token=self.token("client"), headers=idempotency_key())
        assert paid.status_code == 200, paid.json_body
        intent = paid.json_body["payment"]["payment_intent_id"]
        synced = self.api.post(f"/payments/{intent}/sync", token=self.token("client"))
        assert synced.status_code == 200 and synced.json_body["milestone"]["status"] == "funded", synced.json_body
        return found | {"payment_intent_id": intent}

    def submitted(self) -> dict[str, str]:
        found = self.funded()
        done = self.api.post(self.milestone_path(found, "submit"), {"note": "done"}, token=self.token("freelancer"))
        assert done.status_code == 200, done.json_body
        return found

    def disputed(self) -> dict[str, str]:
        found = self.funded()
        dispute = self.api.post(f"/contracts/{found['contract_id']}/disputes",
                                {"milestone_id": found["milestone_id"], "reason": "late"}, token=self.token("client"))
        assert dispute.status_code == 201, dispute.json_body
        return found | {"dispute_id": dispute.json_body["id"]}

    def completed(self) -> dict[str, str]:
        found = self.funded()
        released = self.api.post(self.milestone_path(found, "release"), token=self.token("client"),
                                 headers=idempotency_key())
        assert released.status_code == 200, released.json_body
        return found

    def conversation(self) -> dict[str, str]:
        started = self.api.post("/conversations", {"participant_ids": [self.people["freelancer"]["id"]],
                                                   "gig_id": self.open_gig()["gig_id"]},
                                token=self.token("client"))
        assert started.status_code == 201, started.json_body
        conversation_id = started.json_body["id"]
        said = self.api.post(f"/conversations/{conversation_id}/messages",
                             {"body": "Hello", "client_msg_id": uuid.uuid4().hex}, token=self.token("client"))
        assert said.status_code == 201, said.json_body
        return {"conversation_id": conversation_id, "message_id": said.json_body["id"]}

    # ---- sessions and one-time tokens, for the /auth routes -----------------------------------------------

    def mailbox(self) -> dict[str, Any]:
        """A new client account whose emails the suite reads."""
        return signup(self.api, ["client"], prefix="mailbox")

    def mailed_token(self, kind: str) -> str:
        """A fresh one-time token (``verify`` or ``reset``) of a new account, read from its email."""
        who = self.mailbox()
        if kind == "verify":
            asked = self.api.post("/auth/email/verify-request", token=who["token"])
        else:
            asked = self.api.post("/auth/password/reset-request", {"email": who["email"]})
        assert asked.status_code == 202, asked.json_body
        self.deliver("notifications")
        mails = self.inbox(who["email"])
        assert len(mails) == 1, mails
        found = re.search(r"<code>([^<]+)</code>", mails[0]["body"])
        assert found, mails[0]
        return found.group(1)

    def inbox(self, address: str) -> list[dict[str, Any]]:
        url = self.env["GIGCONNECT_AWS_ENDPOINT"].rstrip("/") + "/moto-api/data.json"
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (loopback)
            data = json.load(answer)
        sent = data.get("ses", {}).get("Message", [])
        return [m for m in sent if address in m.get("destinations", {}).get("ToAddresses", [])]

    # ---- what a refused call must leave as it was ------------------------------------------------------------

    def snapshot(self, kind: str, found: dict[str, str]) -> Any:
        """The object of ``found`` as its owner (and the admin) read it now."""
        read = self.api.get
        client = self.token("client")
        seen: list[Any] = []
        if "gig_id" in found:
            seen.append(read(f"/gigs/{found['gig_id']}", token=client).json_body)
            seen.append(read(f"/gigs/{found['gig_id']}/applications", token=client).json_body)
        if "contract_id" in found:
            seen.append(read(f"/contracts/{found['contract_id']}", token=client).json_body)
            seen.append(read(f"/contracts/{found['contract_id']}/ledger", token=client).json_body)
        if "dispute_id" in found:
            seen.append(read(f"/disputes/{found['dispute_id']}", token=client).json_body)
        if "conversation_id" in found:
            seen.append(read(f"/conversations/{found['conversation_id']}/messages", token=client).json_body)
            for who in ("client", "freelancer"):
                seen.append(read("/conversations", token=self.token(who)).json_body)
        if kind == "me":
            for who in self.people:
                seen.append(read("/me", token=self.token(who)).json_body)
                seen.append(read(f"/users/{self.people[who]['id']}", token=client).json_body)
                seen.append(read("/me/notification-preferences", token=self.token(who)).json_body)
                seen.append(read("/me/gigs", token=self.token(who)).json_body)
                seen.append(read("/conversations", token=self.token(who)).json_body)
        return seen


#: How each kind of object is made. "none" and "me" are routes about the caller or about nothing.
MAKERS: dict[str, Callable[[World], dict[str, str]]] = {
    "none": lambda w: {},
    "me": lambda w: {},
    "gig": World.open_gig,
    "application": World.applied,
    "contract": World.contract,
    "funded": World.funded,
    "submitted": World.submitted,
    "disputed": World.disputed,
    "completed": World.completed,
    "conversation": World.conversation,
}
