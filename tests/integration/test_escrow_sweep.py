# ruff: noqa: F811 (the module fixtures of test_escrow_api, imported, are parameters here)
"""The money invariant sweep (issue 16): every step of fund, release, refund and dispute resolution is killed in
turn, at each boundary between the claim and the record (the claim written, each Stripe call before and after it
took effect, the record), and the next call on the milestone completes it. Afterwards no claim is left, the ledger
balances (debits = credits, ``funded = held + released + refunded + fees``) and says what Stripe did.

The app runs in process with the real Stripe adapter against the local Stripe; the kills are raised at the
gateway (``StripePaymentGateway``) and the store (the unit of work's ``commit``) boundaries, as a
Lambda dying there would leave things: nothing after the point runs, not even the route's error mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gigcore import bootstrap
from tests.conftest import Api
from tests.integration.test_escrow_api import (  # noqa: F401 (module fixtures: app_client, people, stripe_v1)
    Killed,
    app_client,
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

#: The boundaries each step crosses, in order (``store:claim`` and ``store:record`` are the milestone's writes).
STEPS: dict[str, list[str]] = {
    "fund": ["store:claim", "create_payment_intent:before", "create_payment_intent:after", "store:record"],
    "release": ["store:claim", "create_transfer:before", "create_transfer:after", "store:record"],
    "refund": ["store:claim", "reverse_transfer:before", "reverse_transfer:after", "refund:before", "refund:after",
               "store:record"],
    "resolve": ["store:claim", "refund:before", "refund:after", "create_transfer:before", "create_transfer:after",
                "store:record"],
}
CASES = [(step, point) for step, points in STEPS.items() for point in points]


@pytest.fixture
def kill_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """``kill_at(point)``: the next crossing of ``point`` raises :class:`Killed` (once)."""
    from gigcore.adapters.dynamo_unit_of_work import DynamoUnitOfWork

    container = bootstrap.container()
    gateway = container.payments

    def arm(point: str) -> None:
        target, when = point.split(":")
        if target == "store":
            real_commit = DynamoUnitOfWork.commit
            calls = {"n": 0}

            def commit(unit: DynamoUnitOfWork) -> None:
                calls["n"] += 1
                if when == "record" and calls["n"] == 2:
                    raise Killed
                real_commit(unit)
                if when == "claim" and calls["n"] == 1:
                    raise Killed

            monkeypatch.setattr(DynamoUnitOfWork, "commit", commit)
            return
        real_call = getattr(gateway, target)

        def call(*args: Any, **kwargs: Any) -> Any:
            monkeypatch.setattr(gateway, target, real_call)  # once
            if when == "before":
                raise Killed
            real_call(*args, **kwargs)
            raise Killed  # it took effect; the answer is lost with the Lambda

        monkeypatch.setattr(gateway, target, call)

    yield arm
    monkeypatch.undo()


def _prepared(api: Api, people: dict, step: str) -> tuple[dict, str | None]:
    """A one-milestone contract (1,000,000) in the state ``step`` starts from; the dispute's id for ``resolve``."""
    c = contract(api, people, amounts=(1_000_000,))
    if step == "fund":
        return c, None
    funded(api, people, c, 0)
    if step == "refund":
        assert api.post(path(c, 0, "release"), token=people["client"]["token"], headers=key()).status_code == 200
    if step == "resolve":
        d = api.post(f"/contracts/{c['id']}/disputes", {"milestone_id": c["milestones"][0]["id"], "reason": "late"},
                     token=people["client"]["token"])
        assert d.status_code == 201, d.json_body
        return c, str(d.json_body["id"])
    return c, None


def _run(api: Api, people: dict, step: str, c: dict, dispute: str | None) -> Any:
    if step == "fund":
        return fund(api, people, c, 0)
    if step == "release":
        return api.post(path(c, 0, "release"), token=people["client"]["token"], headers=key())
    if step == "refund":
        return api.post(path(c, 0, "refund"), {"reason": "chargeback"}, token=people["admin"]["token"], headers=key())
    return api.post(f"/admin/disputes/{dispute}/resolve",
                    {"release_amount": ngn(600_000), "refund_amount": ngn(400_000), "note": "Six tenths."},
                    token=people["admin"]["token"], headers=key())


#: What each step ends with: the milestone's status and refunded amount, the ledger's balances.
EXPECTED: dict[str, tuple[str, int, dict[str, int]]] = {
    "fund": ("funded", 0, {"funded": 1_000_000, "held": 1_000_000, "released": 0, "refunded": 0, "fees": 0}),
    "release": ("released", 0, {"funded": 1_000_000, "held": 0, "released": 900_000, "refunded": 0,
                                "fees": 100_000}),
    "refund": ("refunded", 1_000_000, {"funded": 1_000_000, "held": 0, "released": 0, "refunded": 1_000_000,
                                       "fees": 0}),
    "resolve": ("released", 400_000, {"funded": 1_000_000, "held": 0, "released": 540_000, "refunded": 400_000,
                                      "fees": 60_000}),
}


@pytest.mark.parametrize(("step", "point"), CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_a_step_killed_at_any_boundary_is_completed_by_the_next_call_and_stripe_and_the_ledger_agree(
        app_client: Api, people: dict, stripe_v1: Any, kill_at: Callable[[str], None], step: str,
        point: str) -> None:
    c, dispute = _prepared(app_client, people, step)
    kill_at(point)
    with pytest.raises(Killed):
        _run(app_client, people, step, c, dispute)
    stored = bootstrap.container().contracts.get_milestone(c["id"], c["milestones"][0]["id"])
    assert stored is not None
    # The next call on the milestone finishes what was cut short (a release or a resolution answers 200; a refund
    # of everything, finished, leaves nothing for its own refund: 409).
    nxt = _run(app_client, people, step, c, dispute)
    assert nxt.status_code in ({200, 409} if step == "refund" else {200}), nxt.json_body
    if step == "fund":
        synced = app_client.post(f"/payments/{milestone_intent(c, 0)}/sync", token=people["client"]["token"])
        assert synced.status_code == 200, synced.json_body
    status, refunded, balances = EXPECTED[step]
    after = milestone(app_client, people, c, 0)
    assert (after["status"], after["refunded_amount"]) == (status, ngn(refunded)), after
    stored = bootstrap.container().contracts.get_milestone(c["id"], c["milestones"][0]["id"])
    assert stored is not None and stored.pending_op is None
    book = ledger(app_client, people, c)
    assert book["balances"] == {k: ngn(v) for k, v in balances.items()}
    accounts: dict[str, int] = {}
    for e in book["items"]:
        accounts[e["debit"]] = accounts.get(e["debit"], 0) - e["amount"]["amount"]
        accounts[e["credit"]] = accounts.get(e["credit"], 0) + e["amount"]["amount"]
    assert sum(accounts.values()) == 0  # debits = credits
    # What Stripe did, once: one charge of the whole amount, its refunds, the transfer and its reversals.
    charge_id = stored.charge_id
    assert charge_id is not None
    charge = stripe_v1.charges.retrieve(charge_id)
    assert charge.amount == 1_000_000 and charge.amount_refunded == balances["refunded"]
    transfers = stripe_v1.transfers.list({"transfer_group": c["milestones"][0]["id"]}).data
    paid_out = sum(t.amount - t.amount_reversed for t in transfers)
    assert paid_out == balances["released"]
    assert len(transfers) == (0 if step == "fund" else 1)
    intents = [i for i in stripe_v1.payment_intents.list({"limit": 100}).auto_paging_iter()
               if i.metadata and i.metadata.to_dict().get("milestone_id") == c["milestones"][0]["id"]
               and i.status == "succeeded"]
    assert len(intents) == 1  # charged once
