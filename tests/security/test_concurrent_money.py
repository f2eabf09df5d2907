"""Concurrent money moves on one milestone, against the local stack and the local Stripe.

However many calls race, with different Idempotency-Keys or the same one: no 5xx, exactly one effect in
Stripe, the ledger records exactly what Stripe did, and the ledger balances (every account's balance follows
from the entries, and ``funded = held + released + refunded + fees``).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from tests.security.world import World, idempotency_key, ngn

pytestmark = pytest.mark.integration

AMOUNT = 1_000_000


def race(count: int, call: Callable[[int], Any]) -> list[Any]:
    """``count`` calls started at the same instant; their answers, in no particular order."""
    start = threading.Barrier(count)
    answers: list[Any] = []

    def run(index: int) -> None:
        start.wait()
        answers.append(call(index))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == count
    return answers


def statuses(answers: list[Any]) -> list[int]:
    return sorted(a.status_code for a in answers)


def assert_no_server_error(answers: list[Any]) -> None:
    assert all(a.status_code < 500 for a in answers), [(a.status_code, a.json_body) for a in answers]


def ledger(world: World, found: dict[str, str]) -> dict[str, Any]:
    answer = world.api.get(f"/contracts/{found['contract_id']}/ledger", token=world.token("client"))
    assert answer.status_code == 200, answer.json_body
    return dict(answer.json_body)


def milestone(world: World, found: dict[str, str]) -> dict[str, Any]:
    contract = world.api.get(f"/contracts/{found['contract_id']}", token=world.token("client")).json_body
    return next(m for m in contract["milestones"] if m["id"] == found["milestone_id"])


def assert_ledger_balances(book: dict[str, Any]) -> dict[str, int]:
    """Debits equal credits, the balances are what the entries add up to; the amounts by account."""
    net: dict[str, int] = defaultdict(int)
    for entry in book["items"]:
        assert entry["amount"]["amount"] > 0, entry
        net[entry["debit"]] -= entry["amount"]["amount"]
        net[entry["credit"]] += entry["amount"]["amount"]
    assert sum(net.values()) == 0
    balances = {name: money["amount"] for name, money in book["balances"].items()}
    assert balances["funded"] == -net["client_funding"]
    assert balances["held"] == net["escrow_held"]
    assert balances["refunded"] == net["refunds"]
    assert balances["fees"] == net["platform_fees"]
    assert balances["released"] == net["freelancer_payable"]
    assert balances["funded"] == balances["held"] + balances["released"] + balances["refunded"] + balances["fees"]
    return balances


def stripe_refunded(stripe: Any, intent_id: str) -> list[int]:
    return sorted(r.amount for r in stripe.refunds.list({"payment_intent": intent_id, "limit": 100}).data)


def stripe_transferred(stripe: Any, milestone_id: str) -> list[int]:
    """What reached the freelancer for a milestone: each transfer less what was reversed of it."""
    transfers = stripe.transfers.list({"transfer_group": milestone_id, "limit": 100}).data
    return sorted(t.amount - (t.amount_reversed or 0) for t in transfers)


def post(world: World, path: str, body: Any, who: str, key: dict[str, str] | None = None) -> Any:
    return world.api.post(path, body, token=world.token(who), headers=key or idempotency_key())


def money_path(found: dict[str, str], action: str) -> str:
    return f"/contracts/{found['contract_id']}/milestones/{found['milestone_id']}/{action}"


# ---- funding -------------------------------------------------------------------------------------------------


def intents_of(stripe: Any, milestone_id: str) -> list[Any]:
    return [i for i in stripe.payment_intents.list({"limit": 100}).auto_paging_iter()
            if getattr(i, "transfer_group", None) == milestone_id]


def test_ten_concurrent_fundings_with_different_keys_charge_the_card_once(
        sec_world: World, sec_stripe: Any) -> None:
    # Given a contract whose milestone is pending
    found = sec_world.contract()
    # When the client's app sends ten fundings at once, each with its own key
    answers = race(10, lambda i: post(sec_world, money_path(found, "fund"), {"payment_method_id": "pm_card_visa"},
                                      "client"))
    # Then none fails on the server, the successes all name one PaymentIntent, and Stripe holds one charge
    assert_no_server_error(answers)
    assert set(statuses(answers)) <= {200, 409}, statuses(answers)
    named = {a.json_body["payment"]["payment_intent_id"] for a in answers if a.status_code == 200}
    assert len(named) == 1
    intents = intents_of(sec_stripe, found["milestone_id"])
    assert [i.id for i in intents] == list(named) and intents[0].amount == AMOUNT and intents[0].status == "succeeded"
    # And once reconciled the ledger holds one funding of the amount
    synced = sec_world.api.post(f"/payments/{intents[0].id}/sync", token=sec_world.token("client"))
    assert synced.status_code == 200 and synced.json_body["milestone"]["status"] == "funded"
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert balances["funded"] == balances["held"] == AMOUNT


def test_ten_concurrent_fundings_with_one_key_charge_the_card_once(sec_world: World, sec_stripe: Any) -> None:
    found = sec_world.contract()
    same = idempotency_key()
    answers = race(10, lambda i: post(sec_world, money_path(found, "fund"), {"payment_method_id": "pm_card_visa"},
                                      "client", same))
    assert_no_server_error(answers)
    assert set(statuses(answers)) <= {200, 409} and 200 in statuses(answers), statuses(answers)
    assert len({a.json_body["payment"]["payment_intent_id"] for a in answers if a.status_code == 200}) == 1
    assert len(intents_of(sec_stripe, found["milestone_id"])) == 1


# ---- refunds -------------------------------------------------------------------------------------------------


def test_ten_concurrent_full_refunds_refund_once(sec_world: World, sec_stripe: Any) -> None:
    # Given a funded milestone
    found = sec_world.funded()
    # When the client asks ten times at once for all of it back, each with its own key
    answers = race(10, lambda i: post(sec_world, money_path(found, "refund"), {"reason": "cancelled"}, "client"))
    # Then Stripe made one refund of the whole amount, and the ledger says the same
    assert_no_server_error(answers)
    assert set(statuses(answers)) <= {200, 409} and 200 in statuses(answers), statuses(answers)
    assert stripe_refunded(sec_stripe, found["payment_intent_id"]) == [AMOUNT]
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert balances["refunded"] == AMOUNT and balances["held"] == 0
    assert milestone(sec_world, found)["status"] == "refunded"


def test_twenty_concurrent_partial_refunds_each_refund_their_part_once(sec_world: World, sec_stripe: Any) -> None:
    # Given a funded milestone of 1,000,000
    found = sec_world.funded()
    # When twenty partial refunds of 10,000 arrive at once, each its own request
    answers = race(20, lambda i: post(sec_world, money_path(found, "refund"),
                                      {"amount": ngn(10_000), "reason": f"part {i}"}, "client"))
    # Then none fails on the server, and what Stripe refunded is what succeeded, recorded once each
    assert_no_server_error(answers)
    done = [a for a in answers if a.status_code == 200]
    refunded = stripe_refunded(sec_stripe, found["payment_intent_id"])
    assert refunded == [10_000] * len(refunded)
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert balances["refunded"] == sum(refunded) == milestone(sec_world, found)["refunded_amount"]["amount"]
    assert len(done) == len(refunded) and len(done) >= 1


def test_ten_partial_refunds_sent_with_one_key_refund_once(sec_world: World, sec_stripe: Any) -> None:
    found = sec_world.funded()
    same = idempotency_key()
    answers = race(10, lambda i: post(sec_world, money_path(found, "refund"),
                                      {"amount": ngn(25_000), "reason": "one refund"}, "client", same))
    assert_no_server_error(answers)
    assert set(statuses(answers)) <= {200, 409} and 200 in statuses(answers), statuses(answers)
    assert stripe_refunded(sec_stripe, found["payment_intent_id"]) == [25_000]
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert balances["refunded"] == 25_000 and balances["held"] == AMOUNT - 25_000


# ---- releases ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("same_key", [False, True], ids=["different-keys", "one-key"])
def test_ten_concurrent_releases_pay_the_freelancer_once(sec_world: World, sec_stripe: Any, same_key: bool) -> None:
    # Given a submitted milestone
    found = sec_world.submitted()
    one = idempotency_key()
    # When the client releases it ten times at once
    answers = race(10, lambda i: post(sec_world, money_path(found, "release"), None, "client",
                                      one if same_key else None))
    # Then one transfer of the amount less the fee, recorded once
    assert_no_server_error(answers)
    assert 200 in statuses(answers) and set(statuses(answers)) <= {200, 409}, statuses(answers)
    assert stripe_transferred(sec_stripe, found["milestone_id"]) == [AMOUNT * 9 // 10]
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert (balances["released"], balances["fees"], balances["held"]) == (AMOUNT * 9 // 10, AMOUNT // 10, 0)


# ---- release against refund, dispute against release ----------------------------------------------------------


def test_releases_racing_refunds_move_the_money_one_way_only(sec_world: World, sec_stripe: Any) -> None:
    # Given a funded milestone
    found = sec_world.funded()

    # When the client sends five releases and five full refunds at once
    def call(i: int) -> Any:
        if i % 2:
            return post(sec_world, money_path(found, "release"), None, "client")
        return post(sec_world, money_path(found, "refund"), {"reason": "changed my mind"}, "client")

    answers = race(10, call)
    # Then the milestone went one way, and Stripe and the ledger agree on which
    assert_no_server_error(answers)
    balances = assert_ledger_balances(ledger(sec_world, found))
    status = milestone(sec_world, found)["status"]
    assert status in {"released", "refunded"}, status
    refunded = sum(stripe_refunded(sec_stripe, found["payment_intent_id"]))
    transferred = sum(stripe_transferred(sec_stripe, found["milestone_id"]))
    if status == "released":
        assert (transferred, refunded) == (AMOUNT * 9 // 10, 0)
    else:
        assert (transferred, refunded) == (0, AMOUNT)
    assert (balances["released"], balances["refunded"]) == (transferred, refunded)


def test_a_dispute_racing_releases_leaves_one_outcome(sec_world: World, sec_stripe: Any) -> None:
    found = sec_world.funded()

    def call(i: int) -> Any:
        if i == 0:
            return sec_world.api.post(f"/contracts/{found['contract_id']}/disputes",
                                      {"milestone_id": found["milestone_id"], "reason": "not delivered"},
                                      token=sec_world.token("freelancer"))
        return post(sec_world, money_path(found, "release"), None, "client")

    answers = race(6, call)
    assert_no_server_error(answers)
    status = milestone(sec_world, found)["status"]
    transferred = stripe_transferred(sec_stripe, found["milestone_id"])
    balances = assert_ledger_balances(ledger(sec_world, found))
    if status == "disputed":
        assert transferred == [] and balances["held"] == AMOUNT
    else:
        assert status == "released" and transferred == [AMOUNT * 9 // 10] == [balances["released"]]


# ---- dispute resolution -------------------------------------------------------------------------------------


@pytest.mark.parametrize("same_key", [False, True], ids=["different-keys", "one-key"])
def test_concurrent_resolutions_of_one_dispute_split_the_money_once(sec_world: World, sec_stripe: Any,
                                                                    same_key: bool) -> None:
    # Given a disputed milestone of 1,000,000
    found = sec_world.disputed()
    one = idempotency_key()
    split = {"release_amount": ngn(600_000), "refund_amount": ngn(400_000), "note": "split"}
    # When the admin's resolution is sent eight times at once
    answers = race(8, lambda i: post(sec_world, f"/admin/disputes/{found['dispute_id']}/resolve", split, "admin",
                                     one if same_key else None))
    # Then Stripe refunded and transferred once each, and the ledger records exactly that
    assert_no_server_error(answers)
    assert 200 in statuses(answers) and set(statuses(answers)) <= {200, 409}, statuses(answers)
    assert stripe_refunded(sec_stripe, found["payment_intent_id"]) == [400_000]
    assert stripe_transferred(sec_stripe, found["milestone_id"]) == [540_000]  # 600,000 less the 10% fee
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert (balances["refunded"], balances["released"], balances["fees"], balances["held"]) == (
        400_000, 540_000, 60_000, 0)


def test_resolutions_with_different_splits_at_once_apply_one_of_them(sec_world: World, sec_stripe: Any) -> None:
    found = sec_world.disputed()
    splits = [(release, AMOUNT - release) for release in (0, 250_000, 500_000, 1_000_000)]
    answers = race(len(splits), lambda i: post(
        sec_world, f"/admin/disputes/{found['dispute_id']}/resolve",
        {"release_amount": ngn(splits[i][0]), "refund_amount": ngn(splits[i][1]), "note": f"split {i}"}, "admin"))
    assert_no_server_error(answers)
    assert 200 in statuses(answers), statuses(answers)
    refunded = sum(stripe_refunded(sec_stripe, found["payment_intent_id"]))
    transferred = sum(stripe_transferred(sec_stripe, found["milestone_id"]))
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert (balances["refunded"], balances["released"]) == (refunded, transferred)
    assert balances["held"] == 0 and balances["refunded"] + balances["released"] + balances["fees"] == AMOUNT
    assert (AMOUNT - refunded, AMOUNT - refunded) in {(r, r) for r, _ in splits}


def test_a_refund_and_a_release_never_create_money(sec_world: World) -> None:
    # A control of the invariant helper itself on a plain completed contract
    found = sec_world.completed()
    balances = assert_ledger_balances(ledger(sec_world, found))
    assert balances == {"funded": AMOUNT, "held": 0, "released": 900_000, "refunded": 0, "fees": 100_000}
