"""Idempotency-Key over the local stack: a key belongs to one request, path and query included.

Issue 16 item 3: the request hash covered the route's template (``/contracts/{contract_id}/milestones/
{milestone_id}/fund``), so funding milestone B with the key just used for milestone A replayed A's answer:
the client was told B was charged, and it never was.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def ngn(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


def _user(api: Any, role: str) -> str:
    answer = api.post("/auth/signup", {"email": f"idem-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD,
                                       "name": "Idem Test", "roles": [role]})
    assert answer.status_code == 201, answer.json_body
    return str(answer.json_body["access_token"])


@pytest.fixture
def contract(api: Any) -> dict[str, Any]:
    client, freelancer = _user(api, "client"), _user(api, "freelancer")
    gig = api.post("/gigs", {"title": "Edit a wedding video", "description": "Two hours of footage.",
                             "category": "video", "skills": ["editing"],
                             "budget": {"min": ngn(100_000), "max": ngn(900_000), "type": "fixed"},
                             "remote": True, "urgency": "low"}, token=client)
    assert gig.status_code == 201, gig.json_body
    application = api.post(f"/gigs/{gig.json_body['id']}/applications",
                           {"cover_letter": "Fast and tidy.", "proposed_rate": ngn(500_000), "estimated_days": 3},
                           token=freelancer)
    assert application.status_code == 201, application.json_body
    accepted = api.post(f"/applications/{application.json_body['id']}/accept",
                        {"milestones": [{"title": "Rough cut", "amount": ngn(200_000)},
                                        {"title": "Final cut", "amount": ngn(300_000)}]}, token=client)
    assert accepted.status_code == 201, accepted.json_body
    return {"client": client, **accepted.json_body}


def fund_path(contract: dict[str, Any], index: int) -> str:
    return f"/contracts/{contract['id']}/milestones/{contract['milestones'][index]['id']}/fund"


def test_a_key_used_to_fund_one_milestone_does_not_answer_for_another(api, contract):
    token, key = contract["client"], {"Idempotency-Key": f"fund-{uuid.uuid4().hex}"}
    body = {"payment_method_id": "pm_card_visa"}
    first = api.post(fund_path(contract, 0), body, token=token, headers=key)
    assert first.status_code == 200, first.json_body
    other = api.post(fund_path(contract, 1), body, token=token, headers=key)
    assert other.status_code == 422, other.json_body
    assert other.json_body["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in other.headers
    now = api.get(f"/contracts/{contract['id']}", token=token).json_body
    assert now["milestones"][1]["status"] == "pending"  # nothing was charged for it, and it does not say so
    # the same key on the first milestone still replays its own answer; a new key funds the second
    again = api.post(fund_path(contract, 0), body, token=token, headers=key)
    assert again.json_body == first.json_body and again.headers.get("Idempotent-Replayed") == "true"
    second = api.post(fund_path(contract, 1), body, token=token, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert second.status_code == 200, second.json_body
    assert second.json_body["payment"]["payment_intent_id"] != first.json_body["payment"]["payment_intent_id"]
    assert second.json_body["milestone"]["id"] == contract["milestones"][1]["id"]
