"""The ledger's money rules: whatever the sequence of fundings, releases and (partial) refunds, money is
conserved, no account but the client's goes below zero, and the balances add up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gigcore.domain.escrow import (
    ACCOUNTS,
    PendingOp,
    account_balances,
    balances,
    entry,
    fee_of,
    milestone_money,
    refund_sources,
)
from gigcore.domain.money import Money

AT = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def ngn(amount: int) -> Money:
    return Money(amount=amount, currency="NGN")


class Milestone:
    """A milestone driven only through the domain's rules, as the escrow service drives it."""

    def __init__(self, mid: str, amount: int, fee_bps: int) -> None:
        self.id, self.amount, self.fee_bps = mid, amount, fee_bps
        self.funded = self.released = False
        self.refunded = 0

    def refundable(self) -> int:
        return self.amount - self.refunded if self.funded else 0


def step(ledger: list, m: Milestone, action: str, share: float) -> None:
    n = len(ledger)
    if action == "fund" and not m.funded:
        ledger.append(entry(f"e{n}", "c1", m.id, AT, "funding", ngn(m.amount), "ch_1"))
        m.funded = True
    elif action == "release" and m.funded and not m.released and m.refundable() > 0:
        held = milestone_money(ledger, m.id, "NGN").held
        net, fee = fee_of(held, m.fee_bps)
        assert net + fee == held
        if net.amount:
            ledger.append(entry(f"e{n}", "c1", m.id, AT, "release", net, "tr_1"))
        if fee.amount:
            ledger.append(entry(f"e{n}f", "c1", m.id, AT, "fee", fee))
        m.released = True
    elif action == "refund" and m.refundable() > 0:
        amount = ngn(max(1, int(m.refundable() * share)))
        from_held, from_transfer, from_fee = refund_sources(amount, milestone_money(ledger, m.id, "NGN"))
        assert from_held + from_transfer + from_fee == amount
        if from_transfer.amount:
            ledger.append(entry(f"e{n}r", "c1", m.id, AT, "reversal", from_transfer, "trr_1"))
        if from_fee.amount:
            ledger.append(entry(f"e{n}x", "c1", m.id, AT, "fee_reversal", from_fee))
        ledger.append(entry(f"e{n}", "c1", m.id, AT, "refund", amount, "re_1"))
        m.refunded += amount.amount


@settings(max_examples=300, deadline=None)
@given(amounts=st.lists(st.integers(1, 10**9), min_size=1, max_size=4),
       fee_bps=st.integers(0, 10_000),
       steps=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["fund", "release", "refund"]),
                                st.floats(0.0, 1.0)), max_size=30))
def test_money_is_conserved_whatever_the_sequence(amounts, fee_bps, steps) -> None:
    milestones = [Milestone(f"m{i}", a, fee_bps) for i, a in enumerate(amounts)]
    ledger: list = []
    for index, action, share in steps:
        step(ledger, milestones[index % len(milestones)], action, share)
        by_account = account_balances(ledger, "NGN")
        assert sum(by_account.values()) == 0  # debits = credits
        assert all(by_account[a] >= 0 for a in ACCOUNTS if a != "client_funding")
        b = balances(ledger, "NGN")
        assert b.funded == b.held + b.released + b.refunded + b.fees
        assert b.funded.amount == sum(m.amount for m in milestones if m.funded)
        assert b.refunded.amount == sum(m.refunded for m in milestones)
        for m in milestones:
            money = milestone_money(ledger, m.id, "NGN")
            expected_held = 0 if m.released else m.refundable()
            assert money.held.amount == expected_held
    for m in milestones:  # refunding everything left gives every kobo back
        step(ledger, m, "refund", 1.0)
    b = balances(ledger, "NGN")
    assert b.refunded == b.funded and b.held.amount == b.released.amount == b.fees.amount == 0


def test_the_fee_is_rounded_half_up_and_the_parts_add_up() -> None:
    assert fee_of(ngn(1_000_005), 1000) == (ngn(900_004), ngn(100_001))
    assert fee_of(ngn(3), 1000) == (ngn(3), ngn(0))
    assert fee_of(ngn(5), 1000) == (ngn(4), ngn(1))


def test_a_refund_after_release_reverses_the_transfer_before_the_fee() -> None:
    ledger = [entry("e1", "c1", "m1", AT, "funding", ngn(10_000)),
              entry("e2", "c1", "m1", AT, "release", ngn(9_000)),
              entry("e3", "c1", "m1", AT, "fee", ngn(1_000))]
    money = milestone_money(ledger, "m1", "NGN")
    assert refund_sources(ngn(4_000), money) == (ngn(0), ngn(4_000), ngn(0))
    assert refund_sources(ngn(9_500), money) == (ngn(0), ngn(9_000), ngn(500))
    with pytest.raises(ValueError):
        refund_sources(ngn(10_001), money)


def test_a_ledger_that_lost_money_is_refused() -> None:
    with pytest.raises(ValueError):
        balances([entry("e1", "c1", "m1", AT, "refund", ngn(1))], "NGN")


def test_a_pending_op_survives_its_encoding_and_names_its_keys() -> None:
    op = PendingOp(kind="refund", key="refund:m1:v4", by="u1", amount=2_500, reason="late")
    assert PendingOp.decode(op.encode()) == op
    assert op.idempotency_key("refund") == "gigconnect:refund:m1:v4:refund"
