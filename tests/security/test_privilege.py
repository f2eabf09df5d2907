"""Raising one's own privileges through the API: a role nobody may take, fields the server owns.

Admins are made only by the CLI (docs/escrow.md); an object's owner, status, counters and timestamps are the
server's. Each attempt is refused with 422 and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.world import PASSWORD, World, from_new_address, ngn

pytestmark = pytest.mark.integration


def refused(answer: Any) -> None:
    assert answer.status_code == 422, (answer.status_code, answer.json_body)
    assert answer.json_body["error"]["code"] == "validation_error"


@pytest.mark.parametrize("roles", [["admin"], ["client", "admin"], ["ADMIN"], ["superuser"]])
def test_nobody_signs_up_as_an_admin(sec_world: World, roles: list[str]) -> None:
    body = {"email": "would-be-admin@example.com", "password": PASSWORD, "name": "Mallory", "roles": roles}
    refused(from_new_address(lambda: sec_world.api.post("/auth/signup", body)))


@pytest.mark.parametrize("roles", [["admin"], ["client", "admin"], ["freelancer", "admin"]])
def test_nobody_makes_themselves_an_admin(sec_world: World, roles: list[str]) -> None:
    # Given a signed-in user
    who = sec_world.mailbox()
    before = sec_world.api.get("/me", token=who["token"]).json_body
    # When they ask for the admin role
    refused(sec_world.api.patch("/me", {"roles": roles}, token=who["token"]))
    # Then their account and what a fresh token carries are as before
    assert sec_world.api.get("/me", token=who["token"]).json_body == before
    fresh = from_new_address(lambda: sec_world.api.post("/auth/refresh", {"refresh_token": who["refresh"]}))
    assert fresh.status_code == 200
    resolve = sec_world.api.post(f"/admin/disputes/{sec_world.target('disputed')['dispute_id']}/resolve",
                                 {"release_amount": ngn(500_000), "refund_amount": ngn(500_000), "note": "mine"},
                                 token=fresh.json_body["access_token"], headers={"Idempotency-Key": "k"})
    assert resolve.status_code == 403


@pytest.mark.parametrize("change", [
    {"email_verified": True}, {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"email": "someone.else@example.com"},
    {"created_at": "2020-01-01T00:00:00Z"}, {"session_generation": 0}, {"password_hash": "x"},
], ids=lambda change: next(iter(change)))
def test_a_user_cannot_set_a_field_the_server_owns(sec_world: World, change: dict[str, Any]) -> None:
    who = sec_world.people["stranger"]
    before = sec_world.api.get("/me", token=who["token"]).json_body
    refused(sec_world.api.patch("/me", change, token=who["token"]))
    assert sec_world.api.get("/me", token=who["token"]).json_body == before


@pytest.mark.parametrize("change", [
    {"status": "completed"}, {"owner_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"application_count": 0},
    {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}, {"created_at": "2020-01-01T00:00:00Z"},
    {"updated_at": "2020-01-01T00:00:00Z"},
], ids=lambda change: next(iter(change)))
def test_a_gig_owner_cannot_set_a_field_the_server_owns(sec_world: World, change: dict[str, Any]) -> None:
    found = sec_world.target("application")
    read = lambda: sec_world.api.get(f"/gigs/{found['gig_id']}", token=sec_world.token("client")).json_body  # noqa: E731
    before = read()
    refused(sec_world.api.patch(f"/gigs/{found['gig_id']}", change, token=sec_world.token("client")))
    assert read() == before


def test_an_applicant_cannot_apply_as_already_accepted(sec_world: World) -> None:
    found = sec_world.target("gig")
    body = {"cover_letter": "Hire me.", "proposed_rate": ngn(1_000_000), "estimated_days": 2, "status": "accepted"}
    refused(sec_world.api.post(f"/gigs/{found['gig_id']}/applications", body, token=sec_world.token("stranger")))


def test_a_milestone_cannot_be_created_already_released(sec_world: World) -> None:
    found = sec_world.target("application")
    body = {"milestones": [{"title": "All of it", "amount": ngn(1_000_000), "status": "released"}]}
    refused(sec_world.api.post(f"/applications/{found['application_id']}/accept", body,
                               token=sec_world.token("client")))
