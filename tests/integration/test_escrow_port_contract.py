# ruff: noqa: F811 (the backend fixture, imported, is a parameter here)
"""Escrow's ports, held to one behaviour on the in-memory fakes and on DynamoDB Local: the ledger appends an
entry once, a dispute is created once and changed only at the status and version it was read at, and a
payout account keeps the first one stored."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gigcore.domain.clock import utc_now
from gigcore.domain.errors import TransactionConflictError
from gigcore.domain.escrow import entry
from gigcore.domain.ids import new_id
from gigcore.domain.money import Money
from gigcore.ports.escrow import Dispute, PayoutAccount
from tests.integration.port_backends import Backend, backend  # noqa: F401

pytestmark = pytest.mark.integration


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


def a_dispute() -> Dispute:
    return Dispute(id=new_id(), contract_id=new_id(), milestone_id=new_id(), opened_by=new_id(), reason="late",
                   status="open", held=ngn(1_000_000), created_at=utc_now())


def test_a_ledger_entry_is_appended_once_and_read_in_id_order(backend: Backend) -> None:
    contract_id, milestone_id = new_id(), new_id()
    first = entry(new_id(), contract_id, milestone_id, utc_now(), "funding", ngn(1_000_000), "ch_1")
    second = entry(new_id(), contract_id, milestone_id, utc_now(), "release", ngn(900_000), "tr_1")
    unit = backend.units()
    unit.ledger.add(first)
    unit.commit()
    twice = backend.units()
    twice.ledger.add(second)
    twice.ledger.add(first)
    with pytest.raises(TransactionConflictError):
        twice.commit()
    assert backend.units().ledger.entries(contract_id) == [first]
    unit = backend.units()
    unit.ledger.add(second)
    unit.commit()
    # Oldest first is by id (ULIDs; two made in one millisecond compare by their random part).
    assert backend.units().ledger.entries(contract_id) == sorted([first, second], key=lambda e: e.id)


def test_a_dispute_is_created_once(backend: Backend) -> None:
    dispute = a_dispute()
    unit = backend.units()
    stored = unit.disputes.add(dispute)
    unit.commit()
    assert stored.version == 1 and backend.units().disputes.get(dispute.id) == stored
    twice = backend.units()
    twice.disputes.add(replace(dispute, reason="again"))
    with pytest.raises(TransactionConflictError):
        twice.commit()
    assert backend.units().disputes.get(dispute.id) == stored


def test_a_dispute_is_changed_only_at_the_status_and_version_read(backend: Backend) -> None:
    unit = backend.units()
    opened = unit.disputes.add(a_dispute())
    unit.commit()
    resolved = replace(opened, status="resolved", release_amount=ngn(600_000), refund_amount=ngn(400_000),
                       note="split", resolved_by=new_id(), resolved_at=utc_now())
    unit = backend.units()
    saved = unit.disputes.save(resolved, expected="open")
    unit.commit()
    assert saved.version == 2 and backend.units().disputes.get(opened.id) == saved
    again = backend.units()
    again.disputes.save(resolved, expected="open")  # at the version read before the first resolution
    with pytest.raises(TransactionConflictError):
        again.commit()
    wrong = backend.units()
    wrong.disputes.save(saved, expected="open")  # at the right version, but it is no longer open
    with pytest.raises(TransactionConflictError):
        wrong.commit()
    assert backend.units().disputes.get(opened.id) == saved


def test_a_payout_account_keeps_the_first_one_stored(backend: Backend) -> None:
    user = new_id()
    first = PayoutAccount(user_id=user, account_id=f"acct_{new_id()}", payouts_enabled=False,
                          created_at=utc_now().replace(microsecond=0))
    assert backend.payout_accounts.add(first) == first
    assert backend.payout_accounts.add(replace(first, account_id=f"acct_{new_id()}")) == first
    assert backend.payout_accounts.user_of_account(first.account_id) == user
    backend.payout_accounts.set_payouts_enabled(user, True)
    assert backend.payout_accounts.get(user) == replace(first, payouts_enabled=True)
    backend.payout_accounts.set_payouts_enabled(new_id(), True)  # no account: nothing
    assert backend.payout_accounts.get(new_id()) is None and backend.payout_accounts.user_of_account("acct_x") is None
