"""Applications end to end over real sockets: apply, accept, and the notifications that reach each party's
feed through the outbox, the stream relay, the notifications consumer and the fan-out."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery"


def signup(runtime: Any, role: str, name: str) -> tuple[str, str]:
    body = {"email": f"flow-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD, "name": name,
            "roles": [role]}
    answer = httpx.post(f"{runtime.api_url}/auth/signup", json=body, timeout=30)
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"], answer.json()["user"]["id"]


def call(runtime: Any, method: str, path: str, token: str, body: Any = None) -> httpx.Response:
    return httpx.request(method, f"{runtime.api_url}{path}", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})


def feed(runtime: Any, token: str, kind: str, want: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        answer = call(runtime, "GET", "/me/notifications", token)
        assert answer.status_code == 200, answer.text
        got = [n for n in answer.json()["items"] if n["type"] == kind]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.2)


def test_apply_and_accept_notify_each_party(runtime):
    client, _ = signup(runtime, "client", "Kemi Client")
    chosen, chosen_id = signup(runtime, "freelancer", "Tunde Tiler")
    other, _ = signup(runtime, "freelancer", "Bola Builder")
    title = f"Retile a bathroom {uuid.uuid4().hex[:6]}"
    gig = {"title": title, "description": "Old tiles are cracked.", "category": "tiling", "skills": ["tiling"],
           "budget": {"min": {"amount": 1000000, "currency": "NGN"}, "max": {"amount": 2000000, "currency": "NGN"},
                      "type": "fixed"},
           "location": {"lat": 9.0765, "lng": 7.3986}, "remote": False, "urgency": "low"}
    gig_id = call(runtime, "POST", "/gigs", client, gig).json()["id"]
    body = {"cover_letter": "Ten years of tiling.", "proposed_rate": {"amount": 1500000, "currency": "NGN"},
            "estimated_days": 2}
    mine = call(runtime, "POST", f"/gigs/{gig_id}/applications", chosen, body)
    assert mine.status_code == 201, mine.text
    assert call(runtime, "POST", f"/gigs/{gig_id}/applications", other, body).status_code == 201

    received = feed(runtime, client, "application.received", 2)
    assert sorted(n["body"] for n in received) == sorted(f"{name} applied to \u201c{title}\u201d."
                                                         for name in ("Tunde Tiler", "Bola Builder"))

    contract = call(runtime, "POST", f"/applications/{mine.json()['id']}/accept", client)
    assert contract.status_code == 201, contract.text
    assert contract.json()["freelancer_id"] == chosen_id
    (accepted,) = feed(runtime, chosen, "application.accepted", 1)
    assert accepted["data"]["contract_id"] == contract.json()["id"]
    (rejected,) = feed(runtime, other, "application.rejected", 1)
    assert title in rejected["body"] and rejected["data"]["gig_id"] == gig_id
    assert call(runtime, "GET", f"/gigs/{gig_id}", client).json()["status"] == "in_progress"
