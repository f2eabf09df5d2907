"""Money: an integer of minor units and an ISO 4217 currency. All arithmetic on money lives here."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_CURRENCY = re.compile(r"^[A-Z]{3}$")

#: Minor units per major unit for currencies whose exponent is not 2 (ISO 4217).
_EXPONENTS: dict[str, int] = {"JPY": 0, "KRW": 0, "UGX": 0, "XAF": 0, "XOF": 0, "KWD": 3, "BHD": 3}


class CurrencyMismatchError(ValueError):
    """Two amounts of different currencies met in one operation."""


class Money(BaseModel):
    """``{"amount": <int minor units>, "currency": "<ISO 4217>"}``; never a float."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    amount: Annotated[int, Field(ge=0, le=10**13, description="Minor units (kobo, cents, pence)")]
    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code, upper case")]

    @field_validator("currency")
    @classmethod
    def _upper_iso(cls, value: str) -> str:
        if not _CURRENCY.match(value):
            raise ValueError("must be a three-letter ISO 4217 code in upper case")
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
        return _EXPONENTS.get(self.currency, 2)

    def __str__(self) -> str:
        exp = self.exponent
        if exp == 0:
            return f"{self.amount} {self.currency}"
        major, minor = divmod(self.amount, 10**exp)
        return f"{major}.{minor:0{exp}d} {self.currency}"
