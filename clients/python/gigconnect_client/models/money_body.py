from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.money_body_currency import MoneyBodyCurrency

T = TypeVar("T", bound="MoneyBody")


@_attrs_define
class MoneyBody:
    """Money as a client sends it: an ISO 4217 currency and at most eight digits of minor units (the largest charge the
    payment provider takes).

        Attributes:
            amount (int): Minor units (kobo, cents, pence)
            currency (MoneyBodyCurrency): ISO 4217 code, upper case
    """

    amount: int
    currency: MoneyBodyCurrency

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = MoneyBodyCurrency(d.pop("currency"))

        money_body = cls(
            amount=amount,
            currency=currency,
        )

        return money_body
