"""The contract repository over DynamoDB Local: a milestone write re-checks the expected status, and the items a
caller adds (ledger entries, outbox events) are committed with it or not at all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.domain.contracts import Application, Contract, Milestone
from gigcore.domain.errors import ConflictError, InvalidStateError, TransactionConflictError
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money

pytestmark = pytest.mark.integration


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def new_contract() -> Contract:
    now = utc_now()
    cid = new_id()
    milestones = tuple(Milestone(id=new_id(), contract_id=cid, position=i, title=f"part {i}", amount=ngn(50_000),
                                 status="pending", refunded_amount=ngn(0)) for i in range(2))
    return Contract(id=cid, gig_id=new_id(), application_id=new_id(), client_id=new_id(), freelancer_id=new_id(),
                    currency="NGN", status="active", created_at=now, updated_at=now, milestones=milestones)


def ledger_put(table: str, contract_id: str, entry_id: str) -> dict:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": f"CONTRACT#{contract_id}"},
                                                 "sk": {"S": f"LEDGER#{entry_id}"}, "amount": {"N": "50000"}},
                    "ConditionExpression": "attribute_not_exists(pk)"}}


def stored(table: str, contract_id: str, entry_id: str) -> bool:
    client = bootstrap.container().dynamodb
    return "Item" in client.get_item(TableName=table, ConsistentRead=True,
                                     Key={"pk": {"S": f"CONTRACT#{contract_id}"}, "sk": {"S": f"LEDGER#{entry_id}"}})


def test_a_contract_reads_back_with_its_milestones_in_order_for_both_parties(stack_settings):
    repo = bootstrap.container().contracts
    contract = repo.create(new_contract())
    read = repo.get(contract.id)
    assert read is not None
    assert [m.title for m in read.milestones] == ["part 0", "part 1"]
    assert all(m.version == 1 and m.status == "pending" for m in read.milestones)
    for user in (contract.client_id, contract.freelancer_id):
        assert [c.id for c in repo.of_user(user, limit=10, after=None).contracts] == [contract.id]


def test_a_milestone_transition_commits_the_callers_items_with_it(stack_settings):
    table = stack_settings.table_name
    repo = bootstrap.container().contracts
    contract = repo.create(new_contract())
    first = contract.milestones[0]
    now = utc_now()
    entry = new_id()
    after = repo.transition_milestone(contract.id, first.id, expected={"pending"},
                                      changes={"status": "funded", "funded_at": now, "payment_intent_id": "pi_1"},
                                      extra=[ledger_put(table, contract.id, entry)])
    assert (after.status, after.payment_intent_id, after.version) == ("funded", "pi_1", 2)
    assert stored(table, contract.id, entry)
    # The same transition again: the stored status is no longer expected, and the extra item is not written.
    again = new_id()
    with pytest.raises(InvalidStateError):
        repo.transition_milestone(contract.id, first.id, expected={"pending"}, changes={"status": "funded"},
                                  extra=[ledger_put(table, contract.id, again)])
    assert not stored(table, contract.id, again)
    # A failing extra condition cancels the milestone's change too, and says which extra item failed.
    with pytest.raises(TransactionConflictError) as raised:
        repo.transition_milestone(contract.id, first.id, expected={"funded"}, changes={"status": "released"},
                                  extra=[ledger_put(table, contract.id, entry)])
    assert raised.value.failed == (0,)
    assert repo.get_milestone(contract.id, first.id).status == "funded"  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        repo.transition_milestone(contract.id, first.id, expected={"funded"}, changes={"status": "submitted"},
                                  expected_version=1)
    # Removing a field and raising the refunded amount.
    done = repo.transition_milestone(contract.id, first.id, expected={"funded"},
                                     changes={"refunded_amount": ngn(20_000), "payment_intent_id": None})
    assert done.refunded_amount == ngn(20_000) and done.payment_intent_id is None and done.held == ngn(30_000)


def test_of_twenty_concurrent_releases_exactly_one_is_written(stack_settings):
    table = stack_settings.table_name
    repo = bootstrap.container().contracts
    contract = repo.create(new_contract())
    mid = contract.milestones[0].id
    repo.transition_milestone(contract.id, mid, expected={"pending"}, changes={"status": "funded"})

    def release(_: int) -> str:
        try:
            repo.transition_milestone(contract.id, mid, expected={"funded", "submitted"},
                                      changes={"status": "released"}, extra=[ledger_put(table, contract.id, new_id())])
            return "ok"
        except InvalidStateError:
            return "invalid_state"
        except ConflictError:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(release, range(20)))
    assert answers.count("ok") == 1
    entries = bootstrap.container().dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :pk AND begins_with(sk, :l)",
        ExpressionAttributeValues={":pk": {"S": f"CONTRACT#{contract.id}"}, ":l": {"S": "LEDGER#"}})["Items"]
    assert len(entries) == 1


def test_one_application_per_freelancer_per_gig(stack_settings):
    repo = bootstrap.container().applications
    now = utc_now()
    gig, freelancer = new_id(), new_id()

    def application() -> Application:
        return Application(id=new_id(), gig_id=gig, client_id=new_id(), freelancer_id=freelancer, cover_letter="hi",
                           proposed_rate=ngn(10_000), estimated_days=3, status="pending", created_at=now,
                           updated_at=now)

    first = repo.add(application())
    with pytest.raises(ConflictError):
        repo.add(application())
    assert repo.get(first.id) == first
    moved = repo.save(first.moved("shortlist", utc_now()), expected={"pending"})
    assert moved.status == "shortlisted" and moved.version == 2
    with pytest.raises(InvalidStateError):
        repo.save(first.moved("reject", utc_now()), expected={"pending"})
    assert [a.id for a in repo.open_of_gig(gig)] == [first.id]
    assert [a.id for a in repo.of_freelancer(freelancer, limit=5, after=None).applications] == [first.id]
