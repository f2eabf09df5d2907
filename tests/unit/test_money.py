"""Money is integer minor units with a currency; arithmetic never creates or loses a minor unit."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from gigcore.domain.money import CurrencyMismatchError, Money

amounts = st.integers(min_value=0, max_value=10**12)


def test_a_float_amount_is_refused():
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": 10.5, "currency": "NGN"})


def test_a_lower_case_currency_is_refused():
    with pytest.raises(ValidationError):
        Money.model_validate({"amount": 100, "currency": "ngn"})


def test_adding_two_currencies_is_refused():
    with pytest.raises(CurrencyMismatchError):
        Money(amount=1, currency="NGN") + Money(amount=1, currency="GBP")


def test_naira_prints_in_major_units():
    assert str(Money(amount=500000, currency="NGN")) == "5000.00 NGN"


@given(amount=amounts, bps=st.integers(min_value=0, max_value=10_000))
def test_a_fee_split_always_adds_back_to_the_whole(amount, bps):
    whole = Money(amount=amount, currency="NGN")
    fee, rest = whole.split(bps)
    assert fee + rest == whole
    assert 0 <= fee.amount <= whole.amount


def test_ten_percent_of_an_odd_amount_rounds_half_up():
    assert Money(amount=15, currency="USD").basis_points(1000).amount == 2
