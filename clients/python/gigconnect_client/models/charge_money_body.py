from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.charge_money_body_currency import ChargeMoneyBodyCurrency

T = TypeVar("T", bound="ChargeMoneyBody")


@_attrs_define
class ChargeMoneyBody:
    """Money to be charged: at least one minor unit (each currency's own minimum is checked on top).

    Attributes:
        amount (int): Minor units, at least the currency's smallest charge (docs.stripe.com/currencies)
        currency (ChargeMoneyBodyCurrency): ISO 4217 code the provider charges in
    """

    amount: int
    currency: ChargeMoneyBodyCurrency

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

        currency = ChargeMoneyBodyCurrency(d.pop("currency"))

        charge_money_body = cls(
            amount=amount,
            currency=currency,
        )

        return charge_money_body
