"""Money: an integer of minor units and an ISO 4217 currency. All arithmetic on money lives here, and so do the
rules of which amounts can be charged at all.

Currencies and their exponents come from ISO 4217 (``gigcore.domain.currencies``, generated from the
``iso4217`` package). What a card charge may be is the payment provider's rule: Stripe takes at most eight
digits of minor units, at least its documented minimum in the currencies it settles in, and, in the
three-decimal currencies, only whole hundredths (the last digit 0). See https://docs.stripe.com/currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gigcore.domain.currencies import EXPONENTS
from gigcore.domain.errors import ErrorDetail, ValidationError

#: Every ISO 4217 code that has minor units, in order (the OpenAPI ``enum`` of a currency).
CURRENCIES: tuple[str, ...] = tuple(sorted(EXPONENTS))

#: The largest amount a single charge may be: eight digits of minor units (Stripe's cap).
MAX_CHARGE = 99_999_999

#: Stripe's minimum charge in each currency it settles in, in major units ("Minimum and maximum charge amounts").
#: A charge in another currency is converted to the settlement currency by Stripe, at a rate not known here:
#: its minimum is one minor unit here and Stripe's refusal of a smaller one is a payment failure (402).
_STRIPE_MINIMUMS: dict[str, str] = {
    "USD": "0.50", "AED": "2.00", "AUD": "0.50", "BRL": "0.50", "CAD": "0.50", "CHF": "0.50", "CZK": "15.00",
    "DKK": "2.50", "EUR": "0.50", "GBP": "0.30", "HKD": "4.00", "HUF": "175.00", "INR": "0.50", "JPY": "50",
    "MXN": "10", "MYR": "2", "NOK": "3.00", "NZD": "0.50", "PLN": "2.00", "RON": "2.00", "SEK": "3.00",
    "SGD": "0.50", "THB": "10",
}

#: Currencies whose unit at Stripe is not ISO's minor unit (Stripe takes ISK with two decimals, ISO gives it none):
#: an amount in ISO minor units would be charged a hundredth of what was meant, so they are not charged at all.
_NOT_CHARGEABLE = frozenset({"ISK"})

#: The currencies an amount to be charged may be in.
CHARGEABLE_CURRENCIES: tuple[str, ...] = tuple(c for c in CURRENCIES if c not in _NOT_CHARGEABLE)

#: Stripe charges these three-decimal currencies in whole hundredths only (the last minor digit 0).
_TENS_ONLY = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


class CurrencyMismatchError(ValueError):
    """Two amounts of different currencies met in one operation."""


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code with minor units (upper case)."""
    return code in EXPONENTS


def exponent(currency: str) -> int:
    """Minor units per major unit are ``10 ** exponent(currency)`` (ISO 4217)."""
    return EXPONENTS[currency]


@dataclass(frozen=True)
class ChargeLimits:
    """What one charge in a currency may be, in minor units."""

    minimum: int
    maximum: int
    step: int


def charge_limits(currency: str) -> ChargeLimits:
    """The payment provider's bounds for one charge in ``currency`` (an ISO 4217 code)."""
    minimum = _STRIPE_MINIMUMS.get(currency)
    least = int(Decimal(minimum).scaleb(exponent(currency))) if minimum is not None else 1
    return ChargeLimits(minimum=least, maximum=MAX_CHARGE, step=10 if currency in _TENS_ONLY else 1)


def charge_issue(money: Money) -> str | None:
    """Why ``money`` cannot be charged in one payment, or None when it can."""
    if money.currency in _NOT_CHARGEABLE:
        return f"cannot be charged in {money.currency} by the payment provider"
    limits = charge_limits(money.currency)
    if money.amount < limits.minimum:
        return f"must be at least {Money(amount=limits.minimum, currency=money.currency)} (the smallest charge)"
    if money.amount > limits.maximum:
        return f"must be at most {limits.maximum} minor units (the largest charge)"
    if money.amount % limits.step:
        return f"must be a multiple of {limits.step} minor units in {money.currency}"
    return None


def require_chargeable(money: Money, field: str) -> Money:
    """``money`` if one payment can take it; else :class:`ValidationError` (422) naming ``field.amount``."""
    issue = charge_issue(money)
    if issue is not None:
        raise ValidationError("The amount cannot be charged in one payment.",
                              details=[ErrorDetail(field=f"{field}.amount", issue=issue)])
    return money


class Money(BaseModel):
    """``{"amount": <int minor units>, "currency": "<ISO 4217>"}``; never a float."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    amount: Annotated[int, Field(ge=0, le=10**13, description="Minor units (kobo, cents, pence)")]
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code, upper case")]

    @field_validator("currency")
    @classmethod
    def _iso(cls, value: str) -> str:
        if not is_currency(value):
            raise ValueError("must be an ISO 4217 currency code in upper case, such as NGN or USD")
        return value

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(amount=0, currency=currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Any) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def __sub__(self, other: Any) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        if other.amount > self.amount:
            raise ValueError("money cannot go below zero")
        return Money(amount=self.amount - other.amount, currency=self.currency)

    def __lt__(self, other: Any) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Any) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount <= other.amount

    def basis_points(self, bps: int) -> Money:
        """``bps``/10,000 of this amount, rounded half up to the minor unit (fees)."""
        if not 0 <= bps <= 10_000:
            raise ValueError("basis points must be within 0..10000")
        return Money(amount=(self.amount * bps + 5_000) // 10_000, currency=self.currency)

    def split(self, bps: int) -> tuple[Money, Money]:
        """(part, rest) where part is ``bps`` of the amount; part + rest == self, always."""
        part = self.basis_points(bps)
        return part, self - part

    @property
    def exponent(self) -> int:
        return exponent(self.currency)

    def __str__(self) -> str:
        exp = self.exponent
        if exp == 0:
            return f"{self.amount} {self.currency}"
        major, minor = divmod(self.amount, 10**exp)
        return f"{major}.{minor:0{exp}d} {self.currency}"
