"""Gigs over the local stack (DynamoDB Local, moto's SQS), through the Chalice app in process.

Each test signs up its own users, so tests share nothing but the table.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def session(api, roles=("client",)) -> tuple[str, str]:
    email = f"gigs-{uuid.uuid4().hex[:12]}@example.com"
    answer = api.post("/auth/signup", {"email": email, "password": PASSWORD, "name": "Gig User", "roles": list(roles)})
    assert answer.status_code == 201, answer.json_body
    return answer.json_body["access_token"], answer.json_body["user"]["id"]


def gig_body(**overrides):
    body = {
        "title": "Fix a leaking kitchen tap",
        "description": "The tap drips all night.",
        "category": "plumbing",
        "skills": ["plumbing"],
        "budget": {"min": {"amount": 500000, "currency": "NGN"}, "max": {"amount": 900000, "currency": "NGN"},
                   "type": "fixed"},
        "location": {"lat": 6.4541, "lng": 3.3947},
        "remote": False,
        "urgency": "high",
    }
    return body | overrides


def error_fields(answer) -> list[str]:
    return [d["field"] for d in answer.json_body["error"]["details"]]


@pytest.fixture
def client(api):
    return session(api, ("client",))


def test_a_client_posts_a_gig_and_anyone_signed_in_reads_it(api, client):
    token, user_id = client
    deadline = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    created = api.post("/gigs", gig_body(deadline=deadline), token=token)
    assert created.status_code == 201
    gig = created.json_body
    assert gig["owner_id"] == user_id and gig["status"] == "open" and gig["application_count"] == 0
    assert gig["budget"] == gig_body()["budget"] and gig["deadline"] == deadline
    assert set(gig) == {"id", "owner_id", "title", "description", "category", "skills", "budget", "location",
                        "remote", "urgency", "deadline", "status", "application_count", "created_at", "updated_at"}
    reader, _ = session(api, ("freelancer",))
    read = api.get(f"/gigs/{gig['id']}", token=reader)
    assert read.status_code == 200 and read.json_body == gig and "ETag" in read.headers


def test_a_freelancer_cannot_post_a_gig(api):
    token, _ = session(api, ("freelancer",))
    answer = api.post("/gigs", gig_body(), token=token)
    assert answer.status_code == 403 and answer.json_body["error"]["code"] == "forbidden"


def test_an_unknown_gig_is_not_found(api, client):
    answer = api.get("/gigs/01HZZZZZZZZZZZZZZZZZZZZZZZ", token=client[0])
    assert answer.status_code == 404 and answer.json_body["error"]["code"] == "not_found"


@pytest.mark.parametrize("overrides, field", [
    ({"title": "Fix"}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"description": "x" * 5001}, "description"),
    ({"budget": {"min": {"amount": 900, "currency": "NGN"}, "max": {"amount": 500, "currency": "NGN"},
                 "type": "fixed"}}, "budget.max"),
    ({"budget": {"min": {"amount": 500, "currency": "NGN"}, "max": {"amount": 900, "currency": "USD"},
                 "type": "fixed"}}, "budget.max.currency"),
    ({"budget": {"min": {"amount": 5.5, "currency": "NGN"}, "max": {"amount": 900, "currency": "NGN"},
                 "type": "fixed"}}, "budget.min.amount"),
    ({"location": None, "remote": False}, "location"),
    ({"location": {"lat": 91, "lng": 3}}, "location.lat"),
    ({"location": {"lat": 6, "lng": -180.5}}, "location.lng"),
    ({"urgency": "urgent"}, "urgency"),
    ({"deadline": "2001-01-01T00:00:00Z"}, "deadline"),
    ({"deadline": "next tuesday"}, "deadline"),
    ({"owner_id": "someone-else"}, "owner_id"),
])
def test_invalid_gigs_are_refused_with_the_field_named(api, client, overrides, field):
    answer = api.post("/gigs", gig_body(**overrides), token=client[0])
    assert answer.status_code == 422 and answer.json_body["error"]["code"] == "validation_error"
    assert field in error_fields(answer)


def test_a_remote_gig_needs_no_location(api, client):
    answer = api.post("/gigs", gig_body(location=None, remote=True), token=client[0])
    assert answer.status_code == 201 and answer.json_body["location"] is None


def test_coordinates_are_kept_to_nine_decimals_and_found_where_they_were_put(api, client):
    token, _ = client
    body = gig_body(location={"lat": 1e-200, "lng": 3.39471234567891})
    created = api.post("/gigs", body, token=token)
    assert created.status_code == 201, created.json_body
    assert created.json_body["location"] == {"lat": 0.0, "lng": 3.394712346}
    stored = api.get(f"/gigs/{created.json_body['id']}", token=token).json_body
    assert stored["location"] == created.json_body["location"]
    near = api.get("/gigs/nearby?lat=0&lng=3.394712346&radius_km=1&limit=1", token=token).json_body
    assert [(i["id"], i["distance_km"]) for i in near["items"]] == [(created.json_body["id"], 0.0)]


def test_the_owner_changes_an_open_gig(api, client):
    token, _ = client
    gig = api.post("/gigs", gig_body(), token=token).json_body
    answer = api.patch(f"/gigs/{gig['id']}", {"title": "Fix two leaking taps", "urgency": "low"}, token=token)
    assert answer.status_code == 200
    assert answer.json_body["title"] == "Fix two leaking taps" and answer.json_body["urgency"] == "low"
    assert answer.json_body["description"] == gig["description"]
    assert api.get(f"/gigs/{gig['id']}", token=token).json_body == answer.json_body


def test_a_change_that_breaks_the_rules_is_refused(api, client):
    token, _ = client
    gig = api.post("/gigs", gig_body(), token=token).json_body
    answer = api.patch(f"/gigs/{gig['id']}", {"location": None}, token=token)
    assert answer.status_code == 422 and "location" in error_fields(answer)
    nulled = api.patch(f"/gigs/{gig['id']}", {"title": None}, token=token)
    assert nulled.status_code == 422 and "title" in error_fields(nulled)


def test_only_the_owner_changes_or_cancels_a_gig(api, client):
    gig = api.post("/gigs", gig_body(), token=client[0]).json_body
    other, _ = session(api, ("client",))
    assert api.patch(f"/gigs/{gig['id']}", {"title": "Not my gig at all"}, token=other).status_code == 403
    assert api.post(f"/gigs/{gig['id']}/cancel", token=other).status_code == 403


def test_the_owner_cancels_an_open_gig_and_then_it_cannot_change(api, client):
    token, _ = client
    gig = api.post("/gigs", gig_body(), token=token).json_body
    cancelled = api.post(f"/gigs/{gig['id']}/cancel", token=token)
    assert cancelled.status_code == 200 and cancelled.json_body["status"] == "cancelled"
    again = api.post(f"/gigs/{gig['id']}/cancel", token=token)
    assert again.status_code == 409 and again.json_body["error"]["code"] == "invalid_state"
    edit = api.patch(f"/gigs/{gig['id']}", {"title": "Too late to change"}, token=token)
    assert edit.status_code == 409 and edit.json_body["error"]["code"] == "invalid_state"


def test_my_gigs_are_newest_first_filtered_and_paged(api, client):
    token, _ = client
    ids = [api.post("/gigs", gig_body(title=f"Gig number {i}"), token=token).json_body["id"] for i in range(5)]
    api.post(f"/gigs/{ids[1]}/cancel", token=token)
    first = api.get("/me/gigs?limit=2", token=token).json_body
    second = api.get(f"/me/gigs?limit=2&cursor={first['next_cursor']}", token=token).json_body
    third = api.get(f"/me/gigs?limit=2&cursor={second['next_cursor']}", token=token).json_body
    assert [g["id"] for g in first["items"] + second["items"] + third["items"]] == ids[::-1]
    assert third["next_cursor"] is None
    open_only = api.get("/me/gigs?status=open", token=token).json_body
    assert [g["id"] for g in open_only["items"]] == [i for i in ids[::-1] if i != ids[1]]
    cancelled = api.get("/me/gigs?status=cancelled", token=token).json_body
    assert [g["id"] for g in cancelled["items"]] == [ids[1]]


def test_a_my_gigs_cursor_is_bound_to_its_filter_and_caller(api, client):
    token, _ = client
    for i in range(3):
        api.post("/gigs", gig_body(title=f"Gig number {i}"), token=token)
    cursor = api.get("/me/gigs?limit=1", token=token).json_body["next_cursor"]
    assert api.get(f"/me/gigs?limit=1&status=open&cursor={cursor}", token=token).status_code == 400
    other, _ = session(api, ("client",))
    assert api.get(f"/me/gigs?limit=1&cursor={cursor}", token=other).status_code == 400


def test_gig_changes_are_recorded_for_search_and_matching(api, client, stack_env):
    from gigcore import bootstrap

    token, _ = client
    gig = api.post("/gigs", gig_body(), token=token).json_body
    api.patch(f"/gigs/{gig['id']}", {"urgency": "low"}, token=token)
    api.post(f"/gigs/{gig['id']}/cancel", token=token)
    container = bootstrap.container()
    table = container.settings.table_name
    # Every page of the scan: the table holds the whole run's items, past one 1 MB page.
    pages = container.dynamodb.get_paginator("scan").paginate(
        TableName=table, FilterExpression="#k = :e AND contains(payload, :g)", ExpressionAttributeNames={"#k": "kind"},
        ExpressionAttributeValues={":e": {"S": "event"}, ":g": {"S": gig["id"]}}, ConsistentRead=True)
    found = [item for page in pages for item in page["Items"]]
    recorded = sorted((i["event_type"]["S"], i["queue"]["S"]) for i in found)
    # gig.closed on gig-matching: the gig lifecycle consumer rejects the open applications of a closed gig.
    assert recorded == [("gig.closed", "gig-matching"), ("gig.closed", "search-indexing"),
                        ("gig.created", "gig-matching"), ("gig.created", "search-indexing"),
                        ("gig.updated", "search-indexing")]
    assert len({i["event_id"]["S"] for i in found}) == 5
    closed = next(json.loads(i["payload"]["S"]) for i in found if i["event_type"]["S"] == "gig.closed")
    assert closed["gig"]["status"] == "cancelled"
