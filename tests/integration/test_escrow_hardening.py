# ruff: noqa: F811 (the module fixtures of test_escrow_api, imported, are parameters here)
"""Escrow's money never stuck (issue 16 items 1, 4, 12, 13), over the local stack through the app in process:
DynamoDB Local, moto, and the local Stripe behind the real Stripe adapter.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import pytest

from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.escrow import PendingOp
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from tests.conftest import Api
from tests.integration.test_escrow_api import (  # noqa: F401 (module fixtures: app_client, people, stripe_v1)
    app_client,
    code,
    contract,
    fund,
    funded,
    key,
    ledger,
    milestone,
    milestone_intent,
    ngn,
    path,
    people,
    stripe_v1,
)

pytestmark = pytest.mark.integration


def usd(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def gig_body(budget: dict[str, Any]) -> dict[str, Any]:
    return {"title": "Grade a short film", "description": "Ten minutes.", "category": "film-crew",
            "skills": ["colourist"], "budget": {"min": budget, "max": budget, "type": "fixed"},
            "location": {"lat": 6.5244, "lng": 3.3792}, "remote": False, "urgency": "medium"}


def outbox(needle: str) -> list[dict[str, Any]]:
    """The outbox events recorded with a payload naming ``needle``."""
    client = bootstrap.container().dynamodb
    found: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": bootstrap.settings().table_name,
                              "FilterExpression": "kind = :event AND contains(payload, :needle)",
                              "ConsistentRead": True,
                              "ExpressionAttributeValues": {":event": {"S": "event"}, ":needle": {"S": needle}}}
    while True:
        page = client.scan(**kwargs)
        found += [{"id": i["pk"]["S"], "type": i["event_type"]["S"], "queue": i["queue"]["S"],
                   "payload": json.loads(i["payload"]["S"])} for i in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def charge_of(stripe_v1: Any, intent_id: str) -> Any:
    intent = stripe_v1.payment_intents.retrieve(intent_id)
    return stripe_v1.charges.retrieve(intent.latest_charge if isinstance(intent.latest_charge, str)
                                      else intent.latest_charge.id)


# ---- item 1: one currency per gig, application, contract and milestone ---------------------------------------


def test_the_budget_currency_of_a_gig_with_an_application_cannot_change(app_client: Api, people: dict) -> None:
    """Issue 16 item 1: apply in NGN, PATCH the budget to USD, accept with the default milestone."""
    client, freelancer = people["client"]["token"], people["freelancer"]["token"]
    gig = app_client.post("/gigs", gig_body(ngn(1_000_000)), token=client).json_body
    application = app_client.post(f"/gigs/{gig['id']}/applications",
                                  {"cover_letter": "Graded ten shorts.", "proposed_rate": ngn(1_000_000),
                                   "estimated_days": 2}, token=freelancer).json_body
    patched = app_client.patch(f"/gigs/{gig['id']}", {"budget": {"min": usd(5_000), "max": usd(5_000),
                                                                 "type": "fixed"}}, token=client)
    assert patched.status_code == 409 and code(patched) == "invalid_state", patched.json_body
    assert patched.json_body["error"]["details"] == [{"field": "budget.min.currency", "issue": "must stay NGN"}]
    same_currency = app_client.patch(f"/gigs/{gig['id']}", {"budget": {"min": ngn(900_000), "max": ngn(1_200_000),
                                                                       "type": "fixed"}}, token=client)
    assert same_currency.status_code == 200  # the amounts may still change
    accepted = app_client.post(f"/applications/{application['id']}/accept", {}, token=client)
    assert accepted.status_code == 201, accepted.json_body
    assert accepted.json_body["currency"] == "NGN"
    assert [m["amount"] for m in accepted.json_body["milestones"]] == [ngn(1_000_000)]


def test_a_gig_without_applications_may_change_its_currency_and_then_takes_only_that_currency(
        app_client: Api, people: dict) -> None:
    client, freelancer = people["client"]["token"], people["freelancer"]["token"]
    gig = app_client.post("/gigs", gig_body(ngn(1_000_000)), token=client).json_body
    patched = app_client.patch(f"/gigs/{gig['id']}", {"budget": {"min": usd(5_000), "max": usd(9_000),
                                                                 "type": "fixed"}}, token=client)
    assert patched.status_code == 200, patched.json_body
    in_naira = app_client.post(f"/gigs/{gig['id']}/applications",
                               {"cover_letter": "Graded ten shorts.", "proposed_rate": ngn(1_000_000),
                                "estimated_days": 2}, token=freelancer)
    assert in_naira.status_code == 422 and in_naira.json_body["error"]["details"] == [
        {"field": "proposed_rate.currency", "issue": "must be USD"}]


def _legacy_application(people: dict) -> tuple[str, str]:
    """A gig now in USD with an application in NGN, as a budget change before the fix left them (written
    through the repository: the API refuses it now)."""
    from gigcore.domain.gigs import Budget
    from gigcore.domain.users import Principal
    from gigcore.schemas.contracts import ApplyRequest
    from gigcore.schemas.gigs import CreateGigRequest
    from gigcore.services.applications import apply
    from gigcore.services.gigs import create_gig

    c = bootstrap.container()
    client = Principal(user_id=people["client"]["id"], roles=("client",))
    freelancer = Principal(user_id=people["freelancer"]["id"], roles=("freelancer",))
    gig = create_gig(client, CreateGigRequest.model_validate(gig_body(ngn(1_000_000))).draft(),
                     uow=c.unit_of_work, now=utc_now())
    application = apply(freelancer, gig.id, ApplyRequest(cover_letter="Graded ten shorts.",
                                                         proposed_rate=Money(amount=1_000_000, currency="NGN"),
                                                         estimated_days=2).proposal(),
                        ports=c.application_ports, now=utc_now())
    current = c.gigs.get(gig.id)
    assert current is not None
    dollars = Money(amount=5_000, currency="USD")
    unit = c.unit_of_work()
    unit.gigs.save(current.changed(budget=Budget(min=dollars, max=dollars, type="fixed")), expected_status="open")
    unit.commit()
    return gig.id, application.id


def test_an_application_in_another_currency_is_not_accepted_with_the_default_milestone(
        app_client: Api, people: dict) -> None:
    _, application_id = _legacy_application(people)
    default = app_client.post(f"/applications/{application_id}/accept", {}, token=people["client"]["token"])
    assert default.status_code == 409 and code(default) == "invalid_state", default.json_body
    assert default.json_body["error"]["details"] == [{"field": "milestones", "issue": "required in USD"}]
    in_naira = app_client.post(f"/applications/{application_id}/accept",
                               {"milestones": [{"title": "All", "amount": ngn(1_000_000)}]},
                               token=people["client"]["token"])
    assert in_naira.status_code == 422 and code(in_naira) == "validation_error"
    in_dollars = app_client.post(f"/applications/{application_id}/accept",
                                 {"milestones": [{"title": "All", "amount": usd(5_000)}]},
                                 token=people["client"]["token"])
    assert in_dollars.status_code == 201, in_dollars.json_body
    assert in_dollars.json_body["currency"] == "USD" and in_dollars.json_body["milestones"][0]["amount"] == usd(5_000)


def _mismatched_contract(people: dict) -> dict[str, Any]:
    """A USD contract with an NGN milestone, as an accept with the default milestone made them before the fix."""
    now = utc_now()
    gig_id, application_id = _legacy_application(people)
    contract_id = new_id()
    m = Milestone(id=new_id(), contract_id=contract_id, position=0, title="Grade a short film",
                  amount=Money(amount=1_000_000, currency="NGN"), status="pending",
                  refunded_amount=Money.zero("NGN"))
    stored = Contract(id=contract_id, gig_id=gig_id, application_id=application_id, client_id=people["client"]["id"],
                      freelancer_id=people["freelancer"]["id"], currency="USD", status="active", created_at=now,
                      updated_at=now, milestones=(m,))
    unit = bootstrap.container().unit_of_work()
    unit.contracts.add(stored)
    unit.commit()
    return {"id": contract_id, "gig_id": gig_id, "milestones": [{"id": m.id}]}


def test_a_milestone_stuck_by_the_currency_mismatch_is_finished_and_no_money_route_answers_500(
        app_client: Api, people: dict, stripe_v1: Any) -> None:
    """The state a deployed table holds: a USD contract, its NGN milestone funded, and the claim of a full refund
    that failed on the mismatch after claiming (so every later money call answered 500)."""
    c = _mismatched_contract(people)
    funded(app_client, people, c, 0)
    m_id = c["milestones"][0]["id"]
    repo = bootstrap.container().contracts
    stored = repo.get_milestone(c["id"], m_id)
    assert stored is not None
    op = PendingOp(kind="refund", key=f"refund:{m_id}:v{stored.version}", by=people["client"]["id"],
                   amount=1_000_000, reason="changed my mind")
    unit = bootstrap.container().unit_of_work()
    unit.contracts.save_milestone(stored.changed(pending_op=op.encode()), expected={"funded"})
    unit.commit()
    got = app_client.get(f"/contracts/{c['id']}/ledger", token=people["client"]["token"])
    assert got.status_code == 200, got.json_body
    assert got.json_body["balances"]["funded"] == ngn(1_000_000)
    dispute = app_client.post(f"/contracts/{c['id']}/disputes", {"milestone_id": m_id, "reason": "late"},
                              token=people["client"]["token"])
    # The claim is finished first (the refund the client asked for), so there is nothing left to dispute.
    assert dispute.status_code == 409 and code(dispute) == "invalid_state", dispute.json_body
    after = milestone(app_client, people, c, 0)
    assert after["status"] == "refunded" and after["refunded_amount"] == ngn(1_000_000)
    assert charge_of(stripe_v1, milestone_intent(c, 0)).amount_refunded == 1_000_000
    for route, body in (("release", None), ("refund", {"reason": "again"})):
        answer = app_client.post(path(c, 0, route), body, token=people["client"]["token"], headers=key())
        assert answer.status_code == 409, (route, answer.json_body)
    admin = app_client.post(path(c, 0, "refund"), {"reason": "again"}, token=people["admin"]["token"], headers=key())
    assert admin.status_code == 409, admin.json_body
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_000_000), "held": ngn(0), "released": ngn(0), "refunded": ngn(1_000_000),
                 "fees": ngn(0)}
    assert app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "cancelled"


def test_every_money_route_of_a_mismatched_contract_works_in_the_milestones_currency(
        app_client: Api, people: dict, stripe_v1: Any) -> None:
    c = _mismatched_contract(people)
    funded(app_client, people, c, 0)
    in_dollars = app_client.post(path(c, 0, "refund"), {"amount": usd(100), "reason": "less work"},
                                 token=people["client"]["token"], headers=key())
    assert in_dollars.status_code == 422 and in_dollars.json_body["error"]["details"] == [
        {"field": "amount.currency", "issue": "must be NGN"}]
    stored = bootstrap.container().contracts.get_milestone(c["id"], c["milestones"][0]["id"])
    assert stored is not None and stored.pending_op is None  # refused before any claim
    part = app_client.post(path(c, 0, "refund"), {"amount": ngn(100_000), "reason": "less work"},
                           token=people["client"]["token"], headers=key())
    assert part.status_code == 200 and part.json_body["refunded_amount"] == ngn(100_000), part.json_body
    released = app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    assert released.status_code == 200 and released.json_body["status"] == "released", released.json_body
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_000_000), "held": ngn(0), "released": ngn(810_000), "refunded": ngn(100_000),
                 "fees": ngn(90_000)}


# ---- item 4: concurrent partial refunds -----------------------------------------------------------------------


def test_twenty_concurrent_partial_refunds_answer_200_or_409_and_the_money_agrees(
        app_client: Api, people: dict, stripe_v1: Any) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    funded(app_client, people, c, 0)
    answers: list[Any] = []

    def refund() -> None:
        answers.append(app_client.post(path(c, 0, "refund"), {"amount": ngn(10_000), "reason": "a cut"},
                                       token=people["client"]["token"], headers=key()))

    threads = [threading.Thread(target=refund) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409} and 200 in statuses, [a.json_body for a in answers if a.status_code >= 500]
    after = milestone(app_client, people, c, 0)
    refunds = [e for e in ledger(app_client, people, c)["items"] if e["kind"] == "refund"]
    assert after["refunded_amount"] == ngn(10_000 * len(refunds))
    assert charge_of(stripe_v1, milestone_intent(c, 0)).amount_refunded == 10_000 * len(refunds)
    # Every 200 made its own refund; a 409 made none of its own (though its claim may have been finished by
    # another caller, whose Stripe call with the same key raced its own).
    assert len(refunds) >= statuses.count(200)
    b = ledger(app_client, people, c)["balances"]
    assert b["held"] == ngn(1_000_000 - 10_000 * len(refunds))


# ---- item 12: cancelling a contract before any money moved ------------------------------------------------------


def test_the_client_cancels_an_unfunded_contract_and_the_gig_is_open_again(app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    headers = key()
    answer = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["client"]["token"], headers=headers)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["status"] == "cancelled"
    assert [m["status"] for m in answer.json_body["milestones"]] == ["pending", "pending"]
    gig = app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body
    assert gig["status"] == "open"
    item = bootstrap.container().dynamodb.get_item(TableName=bootstrap.settings().table_name, ConsistentRead=True,
                                                   Key={"pk": {"S": f"GIG#{c['gig_id']}"}, "sk": {"S": "GIG"}})
    assert item["Item"].get("geo_pk"), "an open gig is back in the geo index (near me)"
    assert any(e["type"] == "gig.updated" and e["queue"] == "search-indexing" and e["payload"]["status"] == "open"
               for e in outbox(c["gig_id"]))
    replayed = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["client"]["token"], headers=headers)
    assert replayed.status_code == 200 and replayed.headers.get("Idempotent-Replayed") == "true"
    again = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["freelancer"]["token"], headers=key())
    assert again.status_code == 409 and code(again) == "invalid_state"
    told = sorted(e["payload"]["user_id"] for e in outbox(c["id"]) if e["type"] == "contract.cancelled")
    assert told == sorted([people["client"]["id"], people["freelancer"]["id"]])
    fund_after = fund(app_client, people, c, 0)
    assert fund_after.status_code == 409, fund_after.json_body


def test_the_client_may_cancel_the_gig_with_the_contract_and_the_freelancer_may_not(
        app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    by_freelancer = app_client.post(f"/contracts/{c['id']}/cancel", {"gig_status": "cancelled"},
                                    token=people["freelancer"]["token"], headers=key())
    assert by_freelancer.status_code == 403, by_freelancer.json_body
    stranger = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["stranger"]["token"], headers=key())
    assert stranger.status_code == 403
    bad = app_client.post(f"/contracts/{c['id']}/cancel", {"gig_status": "closed"}, token=people["client"]["token"],
                          headers=key())
    assert bad.status_code == 422
    assert app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "active"
    answer = app_client.post(f"/contracts/{c['id']}/cancel", {"gig_status": "cancelled", "reason": "Shoot called off."},
                             token=people["client"]["token"], headers=key())
    assert answer.status_code == 200 and answer.json_body["status"] == "cancelled", answer.json_body
    gig = app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body
    assert gig["status"] == "cancelled"


def test_the_freelancer_cancels_and_the_gig_is_open_again(app_client: Api, people: dict) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    answer = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["freelancer"]["token"], headers=key())
    assert answer.status_code == 200 and answer.json_body["status"] == "cancelled", answer.json_body
    assert app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body["status"] == "open"


def test_a_contract_with_a_funded_milestone_cannot_be_cancelled(app_client: Api, people: dict) -> None:
    c = contract(app_client, people)
    funded(app_client, people, c, 1)
    answer = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["client"]["token"], headers=key())
    assert answer.status_code == 409 and code(answer) == "invalid_state", answer.json_body
    assert answer.json_body["error"]["details"] == [{"field": "milestones.1.status", "issue": "funded"}]
    assert app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "active"
    gig = app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body
    assert gig["status"] == "in_progress"


def test_cancelling_voids_the_intent_of_a_declined_attempt_so_it_can_never_charge(
        app_client: Api, people: dict, stripe_v1: Any) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    started = app_client.post(path(c, 0, "fund"), {}, token=people["client"]["token"], headers=key())
    intent_id = started.json_body["payment"]["payment_intent_id"]
    with pytest.raises(Exception):  # noqa: B017 (the local Stripe's decline, whatever its class)
        stripe_v1.payment_intents.confirm(intent_id, {"payment_method": "pm_card_chargeCustomerFail"})
    synced = app_client.post(f"/payments/{intent_id}/sync", token=people["client"]["token"])
    assert synced.status_code == 200 and synced.json_body["milestone"]["status"] == "pending", synced.json_body
    answer = app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["client"]["token"], headers=key())
    assert answer.status_code == 200, answer.json_body
    assert stripe_v1.payment_intents.retrieve(intent_id).status == "canceled"


# ---- item 13: settlement after a full refund; admins told of disputes ------------------------------------------


def test_a_completed_contract_whose_release_is_refunded_in_full_becomes_cancelled_with_its_gig(
        app_client: Api, people: dict, stripe_v1: Any) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    funded(app_client, people, c, 0)
    assert app_client.post(path(c, 0, "release"), token=people["client"]["token"], headers=key()).status_code == 200
    assert app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body["status"] == "completed"
    answer = app_client.post(path(c, 0, "refund"), {"reason": "fraud"}, token=people["admin"]["token"], headers=key())
    assert answer.status_code == 200 and answer.json_body["status"] == "refunded", answer.json_body
    after = app_client.get(f"/contracts/{c['id']}", token=people["client"]["token"]).json_body
    assert after["status"] == "cancelled"
    assert app_client.get(f"/gigs/{c['gig_id']}", token=people["client"]["token"]).json_body["status"] == "cancelled"
    b = ledger(app_client, people, c)["balances"]
    assert b == {"funded": ngn(1_000_000), "held": ngn(0), "released": ngn(0), "refunded": ngn(1_000_000),
                 "fees": ngn(0)}


def test_the_admins_are_told_when_a_dispute_opens(app_client: Api, people: dict) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    funded(app_client, people, c, 0)
    opened = app_client.post(f"/contracts/{c['id']}/disputes",
                             {"milestone_id": c["milestones"][0]["id"], "reason": "Nothing delivered."},
                             token=people["client"]["token"])
    assert opened.status_code == 201, opened.json_body
    events = [e for e in outbox(opened.json_body["id"]) if e["type"] == "dispute.opened"]
    assert {e["payload"].get("user_id") for e in events} == {people["freelancer"]["id"], None}
    (for_admins,) = [e for e in events if e["payload"].get("audience") == "admins"]
    assert set(for_admins["payload"]["except_user_ids"]) == {people["client"]["id"], people["freelancer"]["id"]}
    # The notifications consumer's work on the event (run directly: the shared queue may hold other tests' messages).
    from gigcore.ports import OutboxEvent
    from gigcore.services.notifications import fan_out

    container = bootstrap.container()
    event = OutboxEvent(id=for_admins["id"], type="dispute.opened", queue="notifications",
                        payload=for_admins["payload"])
    fan_out(event, ports=container.notification_ports, now=utc_now())
    fan_out(event, ports=container.notification_ports, now=utc_now())  # redelivered: no second item
    feed = app_client.get("/me/notifications", token=people["admin"]["token"]).json_body["items"]
    assert [n["type"] for n in feed if n["data"].get("dispute_id") == opened.json_body["id"]] == ["dispute.opened"]
    client_feed = app_client.get("/me/notifications", token=people["client"]["token"]).json_body["items"]
    assert not [n for n in client_feed if n["data"].get("dispute_id") == opened.json_body["id"]]


def test_an_unknown_contract_cannot_be_cancelled(app_client: Api, people: dict) -> None:
    answer = app_client.post(f"/contracts/{uuid.uuid4().hex.upper()[:26]}/cancel", {},
                             token=people["client"]["token"], headers=key())
    assert answer.status_code == 404


def test_an_apply_that_read_the_gig_before_its_currency_changed_is_refused_by_its_write(
        app_client: Api, people: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """The PATCH lands between the apply's read of the gig and its write: the write's condition on the
    currency refuses it, and the apply, reading again, answers 422."""
    client, freelancer = people["client"]["token"], people["freelancer"]["token"]
    gig = app_client.post("/gigs", gig_body(ngn(1_000_000)), token=client).json_body
    repo = bootstrap.container().gigs
    stale = repo.get(gig["id"])
    assert app_client.patch(f"/gigs/{gig['id']}", {"budget": {"min": usd(5_000), "max": usd(5_000),
                                                              "type": "fixed"}}, token=client).status_code == 200
    real_get = repo.get
    reads = {"n": 0}

    def first_read_is_stale(gig_id: str) -> Any:
        reads["n"] += 1
        return stale if reads["n"] == 1 else real_get(gig_id)

    monkeypatch.setattr(repo, "get", first_read_is_stale)
    answer = app_client.post(f"/gigs/{gig['id']}/applications",
                             {"cover_letter": "Graded ten shorts.", "proposed_rate": ngn(1_000_000),
                              "estimated_days": 2}, token=freelancer)
    monkeypatch.undo()
    assert answer.status_code == 422, answer.json_body
    assert answer.json_body["error"]["details"] == [{"field": "proposed_rate.currency", "issue": "must be USD"}]
    assert app_client.get(f"/gigs/{gig['id']}", token=client).json_body["application_count"] == 0


def test_a_fund_that_read_the_contract_before_it_was_cancelled_cannot_charge_it(
        app_client: Api, people: dict, stripe_v1: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    repo = bootstrap.container().contracts
    before = repo.get(c["id"])
    assert app_client.post(f"/contracts/{c['id']}/cancel", {}, token=people["client"]["token"],
                           headers=key()).status_code == 200
    real_get = repo.get
    reads = {"n": 0}

    def first_read_is_from_before_the_cancel(contract_id: str) -> Any:
        reads["n"] += 1
        return before if reads["n"] == 1 else real_get(contract_id)

    monkeypatch.setattr(repo, "get", first_read_is_from_before_the_cancel)
    answer = fund(app_client, people, c, 0)
    monkeypatch.undo()
    assert answer.status_code == 409 and code(answer) == "invalid_state", answer.json_body
    after = repo.get_milestone(c["id"], c["milestones"][0]["id"])
    assert after is not None and after.status == "pending" and after.payment_intent_id is None


def test_a_fund_with_a_payment_method_stripe_does_not_know_leaves_no_claim_behind(
        app_client: Api, people: dict) -> None:
    c = contract(app_client, people, amounts=(1_000_000,))
    unknown = fund(app_client, people, c, 0, card="pm_" + uuid.uuid4().hex[:14])
    assert unknown.status_code == 422 and unknown.json_body["error"]["details"] == [
        {"field": "payment_method_id", "issue": "unknown"}], unknown.json_body
    stored = bootstrap.container().contracts.get_milestone(c["id"], c["milestones"][0]["id"])
    assert stored is not None and stored.pending_op is None and stored.status == "pending"
    retried = fund(app_client, people, c, 0)
    assert retried.status_code == 200, retried.json_body


def test_the_admins_are_found_while_they_hold_the_role(app_client: Api, people: dict) -> None:
    from gigcore.cli.admin import set_admin

    users = bootstrap.container().users
    someone = people["stranger"]
    assert someone["id"] not in {u.id for u in users.admins(limit=50)}
    set_admin(users, someone["email"], admin=True)
    try:
        assert someone["id"] in {u.id for u in users.admins(limit=50)}
    finally:
        set_admin(users, someone["email"], admin=False)
    assert someone["id"] not in {u.id for u in users.admins(limit=50)}
    assert people["admin"]["id"] in {u.id for u in users.admins(limit=50)}
