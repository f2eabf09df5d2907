"""Applications and contracts over the local stack (DynamoDB Local, moto), through the Chalice app in process:
every applications and contracts route with its errors, the apply race, accept and cancel.

Each test signs up its own users, so tests share nothing but the table.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.domain.ids import new_id
from gigcore.ports import OutboxEvent

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def session(api, roles=("client",), name="Ada Obi") -> tuple[str, str]:
    email = f"apps-{uuid.uuid4().hex[:12]}@example.com"
    answer = api.post("/auth/signup", {"email": email, "password": PASSWORD, "name": name, "roles": list(roles)})
    assert answer.status_code == 201, answer.json_body
    return answer.json_body["access_token"], answer.json_body["user"]["id"]


def ngn(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "NGN"}


def post_gig(api, token: str) -> dict[str, Any]:
    body = {"title": "Paint a two-room flat", "description": "Walls and ceilings.", "category": "painting",
            "skills": ["painting"], "budget": {"min": ngn(2_000_000), "max": ngn(5_000_000), "type": "fixed"},
            "location": {"lat": 6.5244, "lng": 3.3792}, "remote": False, "urgency": "medium"}
    answer = api.post("/gigs", body, token=token)
    assert answer.status_code == 201, answer.json_body
    return answer.json_body


def application_body(amount: int = 3_000_000, **overrides) -> dict[str, Any]:
    return {"cover_letter": "I have painted forty flats in Yaba.", "proposed_rate": ngn(amount),
            "estimated_days": 4} | overrides


def apply(api, token: str, gig_id: str, **overrides) -> Any:
    return api.post(f"/gigs/{gig_id}/applications", application_body(**overrides), token=token)


def code(answer) -> str:
    return answer.json_body["error"]["code"]


def events_about(application_id: str) -> list[dict[str, Any]]:
    """The outbox events recorded with a payload naming the application."""
    client = bootstrap.container().dynamodb
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": bootstrap.settings().table_name,
                              "FilterExpression": "kind = :event AND contains(payload, :app)", "ConsistentRead": True,
                              "ExpressionAttributeValues": {":event": {"S": "event"}, ":app": {"S": application_id}}}
    while True:
        page = client.scan(**kwargs)
        found += [{"type": i["event_type"]["S"], "queue": i["queue"]["S"], "payload": json.loads(i["payload"]["S"])}
                  for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def many_freelancers(api, count: int, monkeypatch) -> list[tuple[str, str]]:
    """``count`` freelancers signed up from several source addresses (sign-ups are limited per address)."""
    from chalice.local import LambdaEventConverter

    signed = []
    for _ in range(count):
        octets = uuid.uuid4().bytes
        monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", f"10.{octets[0]}.{octets[1]}.{octets[2]}")
        signed.append(session(api, ("freelancer",)))
    return signed


@pytest.fixture
def client(api):
    return session(api, ("client",), name="Chioma Client")


@pytest.fixture
def freelancer(api):
    return session(api, ("freelancer",), name="Femi Freelancer")


@pytest.fixture
def gig(api, client):
    return post_gig(api, client[0])


def test_a_freelancer_applies_and_the_owner_is_notified(api, client, freelancer, gig):
    answer = apply(api, freelancer[0], gig["id"])
    assert answer.status_code == 201, answer.json_body
    app = answer.json_body
    assert app["status"] == "pending" and app["gig_id"] == gig["id"] and app["freelancer_id"] == freelancer[1]
    assert app["proposed_rate"] == ngn(3_000_000) and app["estimated_days"] == 4 and app["contract_id"] is None
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["application_count"] == 1
    (event,) = [e for e in events_about(app["id"]) if e["type"] == "application.received"]
    assert event["queue"] == "notifications"
    assert event["payload"]["user_id"] == client[1]
    assert event["payload"]["freelancer_name"] == "Femi Freelancer"
    assert event["payload"]["gig_title"] == gig["title"]


def test_a_second_application_by_the_same_freelancer_is_a_conflict(api, client, freelancer, gig):
    assert apply(api, freelancer[0], gig["id"]).status_code == 201
    again = apply(api, freelancer[0], gig["id"], cover_letter="Another try")
    assert again.status_code == 409 and code(again) == "conflict"
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["application_count"] == 1


def test_two_concurrent_applies_give_one_201_and_one_409(api, client, freelancer, gig):
    answers: list[int] = []
    start = threading.Barrier(2)

    def go() -> None:
        start.wait()
        answers.append(apply(api, freelancer[0], gig["id"]).status_code)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [201, 409]
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["application_count"] == 1


def test_concurrent_applies_of_different_freelancers_all_count(api, client, gig, monkeypatch):
    tokens = [token for token, _ in many_freelancers(api, 10, monkeypatch)]
    answers: list[int] = []
    start = threading.Barrier(len(tokens))

    def go(token: str) -> None:
        start.wait()
        answers.append(apply(api, token, gig["id"]).status_code)

    threads = [threading.Thread(target=go, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [201] * 10
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["application_count"] == 10


def test_who_may_apply(api, client, gig):
    owner_both, _ = session(api, ("client", "freelancer"))
    own_gig = post_gig(api, owner_both)
    mine = apply(api, owner_both, own_gig["id"])
    assert mine.status_code == 403 and code(mine) == "forbidden"
    only_client = apply(api, client[0], gig["id"])
    assert only_client.status_code == 403
    nobody = apply(api, session(api, ("freelancer",))[0], new_id())
    assert nobody.status_code == 404 and code(nobody) == "not_found"
    assert api.post(f"/gigs/{gig['id']}/applications", application_body()).status_code == 401


@pytest.mark.parametrize(("overrides", "field"), [
    ({"proposed_rate": {"amount": 100, "currency": "USD"}}, "proposed_rate.currency"),
    ({"proposed_rate": ngn(0)}, "proposed_rate.amount"),
    ({"estimated_days": 0}, "estimated_days"),
    ({"cover_letter": ""}, "cover_letter"),
    ({"surprise": True}, "surprise"),
])
def test_an_invalid_application_is_refused(api, freelancer, gig, overrides, field):
    answer = api.post(f"/gigs/{gig['id']}/applications", application_body() | overrides, token=freelancer[0])
    assert answer.status_code == 422, answer.json_body
    assert any(d["field"].startswith(field) for d in answer.json_body["error"]["details"]), answer.json_body


def test_lists_for_the_owner_and_the_applicant(api, client, freelancer, gig):
    other = session(api, ("freelancer",))
    first = apply(api, freelancer[0], gig["id"]).json_body
    second = apply(api, other[0], gig["id"]).json_body
    page = api.get(f"/gigs/{gig['id']}/applications?limit=1", token=client[0]).json_body
    assert [a["id"] for a in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = api.get(f"/gigs/{gig['id']}/applications?limit=1&cursor={page['next_cursor']}", token=client[0])
    assert [a["id"] for a in rest.json_body["items"]] == [first["id"]]
    mine = api.get("/me/applications", token=freelancer[0]).json_body
    assert [a["id"] for a in mine["items"]] == [first["id"]]
    stranger = api.get(f"/gigs/{gig['id']}/applications", token=freelancer[0])
    assert stranger.status_code == 403
    assert api.get(f"/gigs/{new_id()}/applications", token=client[0]).status_code == 404
    assert api.get("/me/applications", token=client[0]).status_code == 403
    assert api.get("/me/applications?limit=0", token=freelancer[0]).status_code == 422


def test_shortlist_reject_and_withdraw_follow_the_state_machine(api, client, freelancer, gig):
    app = apply(api, freelancer[0], gig["id"]).json_body
    base = f"/applications/{app['id']}"
    assert api.post(f"{base}/shortlist", token=freelancer[0]).status_code == 403
    shortlisted = api.post(f"{base}/shortlist", token=client[0])
    assert shortlisted.status_code == 200 and shortlisted.json_body["status"] == "shortlisted"
    twice = api.post(f"{base}/shortlist", token=client[0])
    assert twice.status_code == 409 and code(twice) == "invalid_state"
    assert api.post(f"{base}/withdraw", token=client[0]).status_code == 403
    rejected = api.post(f"{base}/reject", token=client[0])
    assert rejected.status_code == 200 and rejected.json_body["status"] == "rejected"
    late = api.post(f"{base}/withdraw", token=freelancer[0])
    assert late.status_code == 409 and code(late) == "invalid_state"
    (event,) = [e for e in events_about(app["id"]) if e["type"] == "application.rejected"]
    assert event["payload"]["user_id"] == freelancer[1] and event["payload"]["gig_title"] == gig["title"]
    assert api.post(f"/applications/{new_id()}/reject", token=client[0]).status_code == 404

    other = apply(api, session(api, ("freelancer",))[0], gig["id"]).json_body
    stranger_token = session(api, ("freelancer",))[0]
    assert api.post(f"/applications/{other['id']}/withdraw", token=stranger_token).status_code == 403


def test_an_applicant_withdraws(api, freelancer, gig):
    app = apply(api, freelancer[0], gig["id"]).json_body
    withdrawn = api.post(f"/applications/{app['id']}/withdraw", token=freelancer[0])
    assert withdrawn.status_code == 200 and withdrawn.json_body["status"] == "withdrawn"


def test_accept_makes_the_contract_moves_the_gig_and_rejects_the_others(api, client, freelancer, gig):
    chosen = apply(api, freelancer[0], gig["id"]).json_body
    others = [apply(api, session(api, ("freelancer",))[0], gig["id"]).json_body for _ in range(2)]
    api.post(f"/applications/{others[0]['id']}/shortlist", token=client[0])
    milestones = [{"title": "Living room", "amount": ngn(1_500_000)}, {"title": "Bedroom", "amount": ngn(1_000_000)}]
    accepted = api.post(f"/applications/{chosen['id']}/accept", {"milestones": milestones}, token=client[0])
    assert accepted.status_code == 201, accepted.json_body
    contract = accepted.json_body
    assert set(contract) == {"id", "gig_id", "client_id", "freelancer_id", "status", "milestones", "currency",
                             "created_at"}
    assert (contract["gig_id"], contract["client_id"], contract["freelancer_id"]) == (gig["id"], client[1],
                                                                                      freelancer[1])
    assert contract["status"] == "active" and contract["currency"] == "NGN"
    assert [(m["title"], m["amount"], m["status"], m["refunded_amount"]) for m in contract["milestones"]] == [
        ("Living room", ngn(1_500_000), "pending", ngn(0)), ("Bedroom", ngn(1_000_000), "pending", ngn(0))]
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["status"] == "in_progress"
    listed = {a["id"]: a for a in api.get(f"/gigs/{gig['id']}/applications", token=client[0]).json_body["items"]}
    assert listed[chosen["id"]]["status"] == "accepted" and listed[chosen["id"]]["contract_id"] == contract["id"]
    assert all(listed[o["id"]]["status"] == "rejected" for o in others)
    (event,) = [e for e in events_about(chosen["id"]) if e["type"] == "application.accepted"]
    assert event["payload"]["user_id"] == freelancer[1] and event["payload"]["contract_id"] == contract["id"]
    assert all([e["type"] for e in events_about(o["id"])].count("application.rejected") == 1 for o in others)

    for token in (client[0], freelancer[0]):
        read = api.get(f"/contracts/{contract['id']}", token=token)
        assert read.status_code == 200 and read.json_body == contract and "ETag" in read.headers
        assert [c["id"] for c in api.get("/me/contracts", token=token).json_body["items"]] == [contract["id"]]
    stranger = session(api, ("client", "freelancer"))[0]
    assert api.get(f"/contracts/{contract['id']}", token=stranger).status_code == 403
    assert api.get(f"/contracts/{new_id()}", token=client[0]).status_code == 404
    assert api.get("/me/contracts", token=stranger).json_body == {"items": [], "next_cursor": None}

    again = api.post(f"/applications/{chosen['id']}/accept", token=client[0])
    assert again.status_code == 409 and code(again) == "invalid_state"
    late = apply(api, session(api, ("freelancer",))[0], gig["id"])
    assert late.status_code == 409 and code(late) == "invalid_state"


def test_accept_by_default_makes_one_milestone_for_the_proposed_rate(api, client, freelancer, gig):
    app = apply(api, freelancer[0], gig["id"], amount=2_500_000).json_body
    assert api.post(f"/applications/{app['id']}/accept", token=freelancer[0]).status_code == 403
    contract = api.post(f"/applications/{app['id']}/accept", token=client[0]).json_body
    assert [(m["title"], m["amount"]) for m in contract["milestones"]] == [(gig["title"], ngn(2_500_000))]


@pytest.mark.parametrize(("milestones", "field"), [
    ([{"title": "All", "amount": {"amount": 100, "currency": "USD"}}], "milestones.0.amount.currency"),
    ([{"title": "All", "amount": ngn(0)}], "milestones.0.amount.amount"),
    ([], "milestones"),
    ([{"title": "", "amount": ngn(10)}], "milestones.0.title"),
])
def test_accept_refuses_invalid_milestones(api, client, freelancer, gig, milestones, field):
    app = apply(api, freelancer[0], gig["id"]).json_body
    answer = api.post(f"/applications/{app['id']}/accept", {"milestones": milestones}, token=client[0])
    assert answer.status_code == 422, answer.json_body
    assert any(d["field"].startswith(field) for d in answer.json_body["error"]["details"]), answer.json_body
    assert api.get(f"/gigs/{gig['id']}", token=client[0]).json_body["status"] == "open"


def test_accept_replayed_with_the_same_idempotency_key_gives_the_same_contract(api, client, freelancer, gig):
    app = apply(api, freelancer[0], gig["id"]).json_body
    headers = {"Idempotency-Key": f"accept-{app['id']}"}
    first = api.request("POST", f"/applications/{app['id']}/accept", {}, token=client[0], headers=headers)
    second = api.request("POST", f"/applications/{app['id']}/accept", {}, token=client[0], headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json_body == first.json_body and second.headers.get("Idempotent-Replayed") == "true"
    assert len(api.get("/me/contracts", token=client[0]).json_body["items"]) == 1
    other = api.request("POST", f"/applications/{app['id']}/accept", {"milestones": None}, token=client[0],
                        headers=headers)
    assert other.status_code == 422 and code(other) == "idempotency_key_reused"


def test_cancelling_a_gig_rejects_its_open_applications(api, client, gig):
    pending = apply(api, session(api, ("freelancer",))[0], gig["id"]).json_body
    shortlisted = apply(api, session(api, ("freelancer",))[0], gig["id"]).json_body
    withdrawn_by = session(api, ("freelancer",))[0]
    withdrawn = apply(api, withdrawn_by, gig["id"]).json_body
    api.post(f"/applications/{shortlisted['id']}/shortlist", token=client[0])
    api.post(f"/applications/{withdrawn['id']}/withdraw", token=withdrawn_by)
    cancelled = api.post(f"/gigs/{gig['id']}/cancel", token=client[0])
    assert cancelled.status_code == 200 and cancelled.json_body["status"] == "cancelled"
    listed = {a["id"]: a["status"] for a in api.get(f"/gigs/{gig['id']}/applications",
                                                    token=client[0]).json_body["items"]}
    assert listed == {pending["id"]: "rejected", shortlisted["id"]: "rejected", withdrawn["id"]: "withdrawn"}
    assert [e["type"] for e in events_about(pending["id"])].count("application.rejected") == 1


def test_accept_past_the_transaction_limit_rejects_the_rest_through_the_outbox(api, client, gig, monkeypatch):
    # 30 items of the accept transaction, 2 per rejected application: 35 fit, the others wait for gig.closed.
    container = bootstrap.container()
    freelancers = many_freelancers(api, 40, monkeypatch)
    apps = [apply(api, token, gig["id"]).json_body for token, _ in freelancers]
    milestones = [{"title": f"Part {i}", "amount": ngn(100_000)} for i in range(20)]
    contract = api.post(f"/applications/{apps[0]['id']}/accept", {"milestones": milestones}, token=client[0])
    assert contract.status_code == 201, contract.json_body

    def statuses() -> list[str]:
        page = container.applications.of_gig(gig["id"], limit=100, after=None)
        return sorted(a.status for a in page.applications)

    assert 0 < statuses().count("pending") < 39
    closed = [e for e in events_about(gig["id"]) if e["queue"] == "gig-matching" and e["type"] == "gig.closed"]
    assert len(closed) == 1
    for handler in container.bus.handlers("gig-matching", "gig.closed"):
        handler(OutboxEvent(id=new_id(), type="gig.closed", queue="gig-matching", payload=closed[0]["payload"]))
    assert statuses() == ["accepted"] + ["rejected"] * 39


def test_the_owner_finds_the_application_in_their_notifications(api, client, freelancer, gig):
    app = apply(api, freelancer[0], gig["id"]).json_body
    (recorded,) = [e for e in events_about(app["id"]) if e["type"] == "application.received"]
    event = OutboxEvent(id=new_id(), type=recorded["type"], queue="notifications", payload=recorded["payload"])
    for handler in bootstrap.container().bus.handlers("notifications", event.type):
        handler(event)
    (note,) = api.get("/me/notifications", token=client[0]).json_body["items"]
    assert note["type"] == "application.received"
    assert note["body"] == f"Femi Freelancer applied to \u201c{gig['title']}\u201d."
    assert note["data"]["application_id"] == app["id"] and note["data"]["gig_id"] == gig["id"]


def test_of_two_concurrent_accepts_on_one_gig_exactly_one_makes_a_contract(api, client, gig):
    apps = [apply(api, session(api, ("freelancer",))[0], gig["id"]).json_body for _ in range(2)]
    answers: dict[str, Any] = {}
    start = threading.Barrier(2)

    def go(app_id: str) -> None:
        start.wait()
        answers[app_id] = api.post(f"/applications/{app_id}/accept", token=client[0])

    threads = [threading.Thread(target=go, args=(a["id"],)) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(a.status_code for a in answers.values()) == [201, 409]
    (won,) = [k for k, a in answers.items() if a.status_code == 201]
    listed = {a["id"]: a["status"] for a in api.get(f"/gigs/{gig['id']}/applications",
                                                    token=client[0]).json_body["items"]}
    assert listed == {a["id"]: ("accepted" if a["id"] == won else "rejected") for a in apps}
    assert len(api.get("/me/contracts", token=client[0]).json_body["items"]) == 1
