# ruff: noqa: F811 (the backend fixture, imported, is a parameter here)
"""The contract port (``ContractRepository`` in a unit of work), held to one behaviour on the in-memory fake and on
DynamoDB Local: a milestone write re-checks the expected status and version, the ledger entries and events of
its unit are committed with it or not at all, and what a refusal raises."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from gigcore.domain.clock import utc_now
from gigcore.domain.contracts import Contract, Milestone
from gigcore.domain.errors import (
    ConflictError,
    InvalidStateError,
    NotFoundError,
    TransactionConflictError,
    ValidationError,
)
from gigcore.domain.escrow import LedgerEntry, entry
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.ports import OutboxEvent
from tests.integration.port_backends import Backend, backend  # noqa: F401

pytestmark = pytest.mark.integration


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def new_contract(milestones: int = 2) -> Contract:
    now = utc_now()
    cid = new_id()
    parts = tuple(Milestone(id=new_id(), contract_id=cid, position=i, title=f"part {i}", amount=ngn(50_000),
                            status="pending", refunded_amount=ngn(0)) for i in range(milestones))
    return Contract(id=cid, gig_id=new_id(), application_id=new_id(), client_id=new_id(), freelancer_id=new_id(),
                    currency="NGN", status="active", created_at=now, updated_at=now, milestones=parts)


def added(backend: Backend, contract: Contract | None = None) -> Contract:
    unit = backend.units()
    stored = unit.contracts.add(contract or new_contract())
    unit.commit()
    return stored


def funding(m: Milestone, entry_id: str | None = None) -> LedgerEntry:
    return entry(entry_id or new_id(), m.contract_id, m.id, utc_now(), "funding", ngn(50_000), "ch_1")


def event() -> OutboxEvent:
    return OutboxEvent(id=new_id(), type="milestone.funded", queue="notifications", payload={"user_id": "u"})


def test_a_contract_reads_back_with_its_milestones_in_order_for_both_parties(backend: Backend) -> None:
    contract = added(backend)
    read = backend.units().contracts.get(contract.id)
    assert read is not None
    assert [m.title for m in read.milestones] == ["part 0", "part 1"]
    assert all(m.version == 1 and m.status == "pending" for m in read.milestones)
    for user in (contract.client_id, contract.freelancer_id):
        page = backend.units().contracts.of_user(user, limit=10, after=None)
        assert [c.id for c in page.contracts] == [contract.id]


def test_a_milestone_change_commits_its_ledger_entries_and_events_with_it(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    funded = unit.contracts.save_milestone(first.moved("funded", funded_at=utc_now(), payment_intent_id="pi_1"),
                                           expected={"pending"})
    booked, told = funding(first), event()
    unit.ledger.add(booked)
    unit.record(told)
    unit.commit()
    assert (funded.status, funded.payment_intent_id, funded.version) == ("funded", "pi_1", 2)
    assert backend.units().contracts.get_milestone(first.contract_id, first.id) == funded
    assert [e.id for e in backend.units().ledger.entries(first.contract_id)] == [booked.id]
    assert backend.has_event(told.id)


def test_the_same_transition_again_is_invalid_state_and_writes_nothing(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    unit.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    unit.commit()
    again, told = backend.units(), event()
    again.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    again.ledger.add(funding(first))
    again.record(told)
    with pytest.raises(InvalidStateError):
        again.commit()
    assert backend.units().ledger.entries(first.contract_id) == []
    assert not backend.has_event(told.id)


def test_a_failing_ledger_entry_cancels_the_milestone_and_says_which_write_failed(backend: Backend) -> None:
    first = added(backend).milestones[0]
    booked = funding(first)
    unit = backend.units()
    funded = unit.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    unit.ledger.add(booked)
    unit.commit()
    twice = backend.units()
    twice.contracts.save_milestone(funded.moved("submit"), expected={"funded"})
    twice.ledger.add(funding(first))
    twice.ledger.add(booked)  # already there
    with pytest.raises(TransactionConflictError) as raised:
        twice.commit()
    assert raised.value.failed == (1,)
    assert backend.units().contracts.get_milestone(first.contract_id, first.id) == funded
    assert [e.id for e in backend.units().ledger.entries(first.contract_id)] == [booked.id]


def test_a_milestone_saved_at_a_stale_version_is_a_conflict(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    unit.contracts.save_milestone(first.changed(pending_op='{"kind":"fund"}'), expected={"pending"})
    unit.commit()
    stale = backend.units()
    stale.contracts.save_milestone(first.moved("fund"), expected={"pending"})
    with pytest.raises(ConflictError) as raised:
        stale.commit()
    assert not isinstance(raised.value, TransactionConflictError)


def test_a_milestone_that_does_not_exist_is_not_found(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    unit.contracts.save_milestone(replace(first, id=new_id()), expected={"pending"})
    with pytest.raises(NotFoundError):
        unit.commit()


def test_removing_a_field_and_raising_the_refunded_amount(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    funded = unit.contracts.save_milestone(first.moved("funded", payment_intent_id="pi_1"), expected={"pending"})
    unit.commit()
    unit = backend.units()
    unit.contracts.save_milestone(funded.changed(refunded_amount=ngn(20_000), payment_intent_id=None),
                                  expected={"funded"})
    unit.commit()
    done = backend.units().contracts.get_milestone(first.contract_id, first.id)
    assert done is not None
    assert done.refunded_amount == ngn(20_000) and done.payment_intent_id is None and done.held == ngn(30_000)


def test_a_check_of_another_milestone_that_moved_refuses_the_settlement(backend: Backend) -> None:
    contract = added(backend)
    first, second = contract.milestones
    unit = backend.units()
    unit.contracts.save_milestone(second.moved("funded"), expected={"pending"})
    unit.commit()
    settle = backend.units()
    settle.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    settle.contracts.check_milestone(second)  # as read before it moved
    settle.contracts.save(contract.moved("complete", utc_now()), expected={"active"})
    with pytest.raises(TransactionConflictError) as raised:
        settle.commit()
    assert raised.value.failed == (0,)
    read = backend.units().contracts.get(contract.id)
    assert read is not None and read.status == "active" and read.milestones[0].status == "pending"


def test_a_contract_saved_from_a_status_it_is_not_in_is_invalid_state(backend: Backend) -> None:
    contract = added(backend)
    unit = backend.units()
    unit.contracts.save(contract.moved("cancel", utc_now()), expected={"active"})
    unit.commit()
    again = backend.units()
    again.contracts.save(contract.moved("cancel", utc_now()), expected={"active"})
    with pytest.raises(InvalidStateError):
        again.commit()
    read = backend.units().contracts.get(contract.id)
    assert read is not None and read.status == "cancelled"


def test_of_twenty_concurrent_releases_exactly_one_is_written(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    funded = unit.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    unit.commit()

    def release(_: int) -> str:
        unit = backend.units()
        unit.contracts.save_milestone(funded.release(utc_now(), "tr_1"), expected={"funded", "submitted"})
        unit.ledger.add(funding(first))
        try:
            unit.commit()
            return "ok"
        except InvalidStateError:
            return "invalid_state"
        except ConflictError:
            return "conflict"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(release, range(20)))
    assert answers.count("ok") == 1
    assert len(backend.units().ledger.entries(first.contract_id)) == 1


def test_events_recorded_on_a_unit_that_is_not_committed_are_never_written(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit, told = backend.units(), event()
    unit.contracts.save_milestone(first.moved("fund"), expected={"pending"})
    unit.record(told)  # and never committed
    assert not backend.has_event(told.id)
    stored = backend.units().contracts.get_milestone(first.contract_id, first.id)
    assert stored is not None and stored.status == "pending" and stored.version == 1


def test_a_unit_past_one_hundred_items_writes_nothing(backend: Backend) -> None:
    first = added(backend).milestones[0]
    unit = backend.units()
    unit.contracts.save_milestone(first.moved("funded"), expected={"pending"})
    unit.record(*(event() for _ in range(100)))
    assert unit.items == 101
    with pytest.raises(ValidationError):
        unit.commit()
    stored = backend.units().contracts.get_milestone(first.contract_id, first.id)
    assert stored is not None and stored.status == "pending"


def test_the_submitted_milestones_due_come_earliest_first_up_to_the_limit(backend: Backend) -> None:
    contract = added(backend, new_contract(3))
    now = utc_now()
    unit = backend.units()
    for m, hours in zip(contract.milestones, (5, 1, -1), strict=True):
        due = now.replace(year=2001) if hours > 0 else now.replace(year=2099)
        unit.contracts.save_milestone(m.moved("funded").moved("submit", submitted_at=now,
                                                               auto_release_at=due.replace(hour=hours % 24)),
                                      expected={"pending"})
    unit.commit()
    mine = {m.id: m for m in contract.milestones}

    def due() -> list[tuple[str, str]]:
        return [d for d in backend.units().contracts.due_for_release(now, limit=1000) if d[1] in mine]

    found = backend.settled(due, lambda d: len(d) == 2)
    assert found == [(contract.id, contract.milestones[1].id), (contract.id, contract.milestones[0].id)]


def test_a_milestone_item_on_dynamodb_holds_exactly_its_fields_through_its_life(stack_env: dict) -> None:
    """No migration: whatever path wrote it, a stored milestone is its fields (none left behind when one is
    cleared) plus the due-for-release keys while it is due (P6, P9)."""
    from gigcore import bootstrap
    from gigcore.adapters.dynamo_contract_items import RELEASE_DUE_PK, milestone_item, milestone_key
    from gigcore.domain.clock import to_rfc3339

    container = bootstrap.container()
    unit = container.unit_of_work()
    first = unit.contracts.add(new_contract()).milestones[0]
    unit.commit()
    now = utc_now()
    steps = [lambda m: m.moved("funded", funded_at=now, payment_intent_id="pi_1", charge_id="ch_1"),
             lambda m: m.submit(now, now.replace(year=2099), "done", ("a.pdf", "b.png")),
             lambda m: m.changed(pending_op='{"kind":"release"}'),
             lambda m: m.release(now, "tr_1")]
    m = first
    for step in steps:
        unit = container.unit_of_work()
        m = unit.contracts.save_milestone(step(m), expected={m.status})
        unit.commit()
        raw = container.dynamodb.get_item(TableName=container.settings.table_name, ConsistentRead=True,
                                          Key=milestone_key(m.contract_id, m.id))["Item"]
        expected = milestone_item(m)
        if m.auto_release_at is not None:
            expected |= {"gsi2pk": {"S": RELEASE_DUE_PK},
                         "gsi2sk": {"S": f"{to_rfc3339(m.auto_release_at)}#{m.contract_id}#{m.id}"}}
        assert raw == expected
    assert "gsi2pk" not in raw and "pending_op" not in raw and raw["transfer_id"] == {"S": "tr_1"}
