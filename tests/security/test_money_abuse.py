"""A careless or hostile client's money requests, one at a time: keys reused across URLs, currencies that are
not one, amounts no card network carries, currencies switched under an application. Never a 5xx, never a
client told it paid what it did not, never money stuck in escrow."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.world import World, apply_body, gig_body, idempotency_key, ngn

pytestmark = pytest.mark.integration


def money_path(found: dict[str, str], action: str) -> str:
    return f"/contracts/{found['contract_id']}/milestones/{found['milestone_id']}/{action}"


def test_an_idempotency_key_reused_on_another_milestone_never_replays_the_first_payment(sec_world: World) -> None:
    # Given milestone A funded with key K
    first, second = sec_world.contract(), sec_world.contract()
    key = idempotency_key()
    body = {"payment_method_id": "pm_card_visa"}
    paid = sec_world.api.post(money_path(first, "fund"), body, token=sec_world.token("client"), headers=key)
    assert paid.status_code == 200
    # When milestone B is funded with the same key and the same body
    again = sec_world.api.post(money_path(second, "fund"), body, token=sec_world.token("client"), headers=key)
    # Then the client is not told B was paid with A's payment: B is charged on its own, or the key is refused
    if again.status_code == 200:
        assert again.headers.get("Idempotent-Replayed") != "true"
        assert again.json_body["payment"]["payment_intent_id"] != paid.json_body["payment"]["payment_intent_id"]
        assert again.json_body["milestone"]["id"] == second["milestone_id"]
    else:
        assert again.status_code == 422 and again.json_body["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("money", [{"amount": 100_000, "currency": "ZZZ"}, {"amount": 10**13, "currency": "NGN"}],
                         ids=["not-a-currency", "beyond-what-a-card-carries"])
def test_a_gig_budget_that_no_payment_can_carry_is_refused(sec_world: World, money: dict[str, Any]) -> None:
    body = gig_body() | {"budget": {"min": money, "max": money, "type": "fixed"}}
    answer = sec_world.api.post("/gigs", body, token=sec_world.token("client"))
    assert answer.status_code == 422, (answer.status_code, answer.json_body)


def test_a_budget_switched_to_another_currency_after_an_application_never_traps_the_money(sec_world: World) -> None:
    # Given a freelancer's application in NGN, and the client then switching the gig's budget to USD
    client, freelancer = sec_world.token("client"), sec_world.token("freelancer")
    gig = sec_world.api.post("/gigs", gig_body(), token=client).json_body
    application = sec_world.api.post(f"/gigs/{gig['id']}/applications", apply_body(), token=freelancer).json_body
    usd = {"amount": 100_000, "currency": "USD"}
    answers = [sec_world.api.patch(f"/gigs/{gig['id']}", {"budget": {"min": usd, "max": usd, "type": "fixed"}},
                                   token=client)]
    # When the client accepts with the default milestone and funds it
    answers.append(sec_world.api.post(f"/applications/{application['id']}/accept", {}, token=client))
    if answers[-1].status_code == 201:
        contract = answers[-1].json_body
        found = {"contract_id": contract["id"], "milestone_id": contract["milestones"][0]["id"]}
        answers.append(sec_world.api.post(money_path(found, "fund"), {"payment_method_id": "pm_card_visa"},
                                          token=client, headers=idempotency_key()))
        if answers[-1].status_code == 200:
            intent = answers[-1].json_body["payment"]["payment_intent_id"]
            answers.append(sec_world.api.post(f"/payments/{intent}/sync", token=client))
            # Then the money can come back: the refund works and the ledger says so
            refund = sec_world.api.post(money_path(found, "refund"), {"reason": "wrong currency"}, token=client,
                                        headers=idempotency_key())
            assert refund.status_code == 200, refund.json_body
            ledger = sec_world.api.get(f"/contracts/{found['contract_id']}/ledger", token=client)
            assert ledger.status_code == 200 and ledger.json_body["balances"]["held"]["amount"] == 0
    # And no step answered 5xx
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.json_body) for a in answers]


def test_a_stranger_cannot_start_a_conversation_about_someone_elses_contract(sec_world: World) -> None:
    found = sec_world.target("funded")
    answer = sec_world.api.post("/conversations", {"participant_ids": [sec_world.people["freelancer"]["id"]],
                                                   "contract_id": found["contract_id"]},
                                token=sec_world.token("stranger"))
    assert answer.status_code in {403, 404}, (answer.status_code, answer.json_body)


def test_a_read_receipt_for_a_message_that_does_not_exist_is_refused(sec_world: World) -> None:
    found = sec_world.target("conversation")
    answer = sec_world.api.post(f"/conversations/{found['conversation_id']}/read",
                                {"up_to_message_id": "Z" * 26}, token=sec_world.token("freelancer"))
    assert answer.status_code == 422, (answer.status_code, answer.json_body)


def test_a_refund_of_more_than_was_paid_is_refused_and_moves_nothing(sec_world: World, sec_stripe: Any) -> None:
    found = sec_world.funded()
    answer = sec_world.api.post(money_path(found, "refund"), {"amount": ngn(1_000_001), "reason": "more"},
                                token=sec_world.token("client"), headers=idempotency_key())
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.json_body)
    assert sec_stripe.refunds.list({"payment_intent": found["payment_intent_id"]}).data == []


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100"], ids=["zero", "negative", "fraction", "string"])
def test_a_refund_amount_that_is_not_a_positive_whole_number_is_refused(sec_world: World, amount: Any) -> None:
    found = sec_world.target("funded")
    answer = sec_world.api.post(money_path(found, "refund"),
                                {"amount": {"amount": amount, "currency": "NGN"}, "reason": "odd"},
                                token=sec_world.token("client"), headers=idempotency_key())
    assert answer.status_code in {400, 409, 422}, (answer.status_code, answer.json_body)
