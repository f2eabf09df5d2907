"""Inputs at and past the edges of their types get 422 with a field detail, never a 500 (issue 16 items 6, 7, 14).

Through the Chalice app in process against the local stack; each test signs up its own users.
"""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def session(api, roles=("client",)) -> str:
    email = f"bounds-{uuid.uuid4().hex[:12]}@example.com"
    answer = api.post("/auth/signup", {"email": email, "password": PASSWORD, "name": "Bounds", "roles": list(roles)})
    assert answer.status_code == 201, answer.json_body
    token: str = answer.json_body["access_token"]
    return token


def naira(amount: int, currency: str = "NGN") -> dict:
    return {"amount": amount, "currency": currency}


def gig_body(**overrides):
    body = {"title": "Fix a leaking kitchen tap", "description": "The tap drips.", "category": "plumbing",
            "skills": ["plumbing"], "budget": {"min": naira(500000), "max": naira(900000), "type": "fixed"},
            "remote": True, "urgency": "high"}
    return body | overrides


def fields(answer) -> list[str]:
    return [d["field"] for d in answer.json_body["error"]["details"]]


@pytest.fixture
def client(api):
    return session(api, ("client",))


@pytest.fixture
def freelancer(api):
    return session(api, ("freelancer",))


# ---- item 6: conversions that overflowed -----------------------------------------------------------


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_a_deadline_without_a_utc_equivalent_is_refused_not_a_500(api, client, deadline):
    answer = api.post("/gigs", gig_body(deadline=deadline), token=client)
    assert answer.status_code == 422, answer.json_body
    assert fields(answer) == ["deadline"]


def test_a_gig_patched_with_an_overflowing_deadline_is_refused_and_unchanged(api, client):
    gig = api.post("/gigs", gig_body(), token=client).json_body
    answer = api.patch(f"/gigs/{gig['id']}", {"deadline": "9999-12-31T23:59:59-01:00"}, token=client)
    assert answer.status_code == 422 and fields(answer) == ["deadline"]
    assert api.get(f"/gigs/{gig['id']}", token=client).json_body["deadline"] is None


def test_a_time_zone_of_800_characters_is_refused_not_a_500(api, client):
    body = {"channels": {"push": True, "email": True, "sms": False},
            "quiet_hours": {"start": "22:00", "end": "07:00", "tz": "A" * 800}}
    answer = api.put("/me/notification-preferences", body, token=client)
    assert answer.status_code == 422 and fields(answer) == ["quiet_hours.tz"]


@pytest.mark.parametrize("path", [
    "/search/gigs?budget_min=18446744073709551616",
    "/search/gigs?budget_max=99999999999999999999999",
    "/search/freelancers?max_rate=18446744073709551616",
    "/gigs/nearby?lat=6.45&lng=3.39&radius_km=5&budget_min=18446744073709551616",
    "/freelancers/nearby?lat=6.45&lng=3.39&radius_km=5&max_rate=18446744073709551616",
])
def test_an_amount_filter_beyond_64_bits_is_refused_not_a_500(api, client, path):
    answer = api.get(path, token=client)
    assert answer.status_code == 422, answer.json_body
    assert fields(answer)[0] in {"budget_min", "budget_max", "max_rate"}


# ---- item 7: ISO 4217 and the provider's limits ------------------------------------------------------


def test_a_currency_that_is_not_iso_4217_is_refused_on_a_gig(api, client):
    answer = api.post("/gigs", gig_body(budget={"min": naira(5000, "ZZZ"), "max": naira(9000, "ZZZ"),
                                                "type": "fixed"}), token=client)
    assert answer.status_code == 422
    assert set(fields(answer)) == {"budget.min.currency", "budget.max.currency"}


def test_an_application_in_a_currency_that_is_not_iso_4217_is_refused(api, client, freelancer):
    gig = api.post("/gigs", gig_body(), token=client).json_body
    answer = api.post(f"/gigs/{gig['id']}/applications",
                      {"cover_letter": "I can", "proposed_rate": naira(600000, "ZZZ"), "estimated_days": 2},
                      token=freelancer)
    assert answer.status_code == 422 and fields(answer) == ["proposed_rate.currency"]


def test_an_amount_past_eight_digits_is_refused(api, client):
    answer = api.post("/gigs", gig_body(budget={"min": naira(500000), "max": naira(10**13), "type": "fixed"}),
                      token=client)
    assert answer.status_code == 422 and fields(answer) == ["budget.max.amount"]


def test_a_budget_below_the_smallest_charge_of_its_currency_is_refused(api, client):
    # Stripe charges at least $0.50: 49 cents cannot be paid.
    answer = api.post("/gigs", gig_body(budget={"min": naira(49, "USD"), "max": naira(5000, "USD"),
                                                "type": "fixed"}), token=client)
    assert answer.status_code == 422 and fields(answer) == ["budget.min"]
    assert "0.50 USD" in answer.json_body["error"]["details"][0]["issue"]


def test_milestones_below_the_smallest_charge_are_refused_at_accept(api, client, freelancer):
    budget = {"min": naira(5000, "USD"), "max": naira(9000, "USD"), "type": "fixed"}
    gig = api.post("/gigs", gig_body(budget=budget), token=client).json_body
    application = api.post(f"/gigs/{gig['id']}/applications",
                           {"cover_letter": "I can", "proposed_rate": naira(6000, "USD"), "estimated_days": 2},
                           token=freelancer).json_body
    answer = api.post(f"/applications/{application['id']}/accept",
                      {"milestones": [{"title": "All", "amount": naira(10, "USD")}]}, token=client)
    assert answer.status_code == 422 and fields(answer) == ["milestones.0.amount"]
    assert api.get(f"/gigs/{gig['id']}", token=client).json_body["status"] == "open"


# ---- item 14: strict types, bodies ---------------------------------------------------------------


def test_zero_is_not_a_boolean(api, client):
    answer = api.put("/me/notification-preferences", {"channels": {"push": True, "email": True, "sms": 0}},
                     token=client)
    assert answer.status_code == 422 and fields(answer) == ["channels.sms"]


def test_a_number_in_quotes_is_not_a_number(api, client):
    answer = api.post("/gigs", gig_body(budget={"min": {"amount": "5000", "currency": "NGN"}, "max": naira(9000),
                                                "type": "fixed"}), token=client)
    assert answer.status_code == 422 and fields(answer) == ["budget.min.amount"]


def test_an_integer_is_taken_where_a_float_is_asked_for(api, client):
    answer = api.post("/gigs", gig_body(location={"lat": 6, "lng": 3}, remote=False), token=client)
    assert answer.status_code == 201 and answer.json_body["location"] == {"lat": 6.0, "lng": 3.0}


def test_a_patch_without_a_body_is_refused(api, client):
    answer = api.patch("/me", token=client)
    assert answer.status_code == 422 and fields(answer) == ["body"]
