"""ISO 4217 from a kept source, and the payment provider's limits per currency (issue 16 item 7)."""

from __future__ import annotations

import pytest

from gigcore.domain.currencies import EXPONENTS
from gigcore.domain.errors import ValidationError
from gigcore.domain.money import CURRENCIES, MAX_CHARGE, Money, charge_issue, charge_limits, require_chargeable
from infra.currencies import TARGET, iso_exponents, render


def test_the_committed_table_is_what_the_iso4217_package_holds():
    assert iso_exponents() == EXPONENTS
    assert TARGET.read_text() == render(), "run: python -m infra.currencies"


def test_exponents_are_iso_4217s():
    assert (Money(amount=1, currency="JPY").exponent, Money(amount=1, currency="KWD").exponent,
            Money(amount=1, currency="NGN").exponent, Money(amount=1, currency="CLF").exponent) == (0, 3, 2, 4)
    assert str(Money(amount=1500, currency="KWD")) == "1.500 KWD"


def test_codes_that_are_not_currencies_are_refused():
    for code in ("ZZZ", "XAU", "XTS", "XXX", "BGN"):  # BGN: Bulgaria uses the euro since 2026
        assert code not in CURRENCIES
        with pytest.raises(ValueError, match="ISO 4217"):
            Money(amount=1, currency=code)


@pytest.mark.parametrize(("currency", "minimum"), [("USD", 50), ("GBP", 30), ("JPY", 50), ("HUF", 17500),
                                                   ("NGN", 1)])
def test_the_smallest_charge_is_stripes_minimum_in_minor_units(currency, minimum):
    assert charge_limits(currency).minimum == minimum
    assert charge_issue(Money(amount=minimum, currency=currency)) is None
    assert charge_issue(Money(amount=minimum - 1, currency=currency)) is not None


def test_the_largest_charge_has_eight_digits():
    assert charge_issue(Money(amount=MAX_CHARGE, currency="NGN")) is None
    assert "at most" in str(charge_issue(Money(amount=MAX_CHARGE + 1, currency="NGN")))


def test_three_decimal_currencies_charge_whole_hundredths():
    assert charge_issue(Money(amount=1000, currency="KWD")) is None
    assert "multiple of 10" in str(charge_issue(Money(amount=1005, currency="KWD")))


def test_an_amount_that_cannot_be_charged_is_a_422_naming_the_field():
    with pytest.raises(ValidationError) as caught:
        require_chargeable(Money(amount=10, currency="USD"), "milestone")
    assert caught.value.status == 422 and caught.value.details[0].field == "milestone.amount"


def test_a_currency_stripe_counts_in_other_units_is_not_charged():
    assert "cannot be charged" in str(charge_issue(Money(amount=10_000, currency="ISK")))
