from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.charge_money_body import ChargeMoneyBody


T = TypeVar("T", bound="MilestoneBody")


@_attrs_define
class MilestoneBody:
    """
    Attributes:
        title (str):
        amount (ChargeMoneyBody): Money to be charged: at least one minor unit (each currency's own minimum is checked
            on top).
    """

    title: str
    amount: ChargeMoneyBody

    def to_dict(self) -> dict[str, Any]:
        title = self.title

        amount = self.amount.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "title": title,
                "amount": amount,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.charge_money_body import ChargeMoneyBody

        d = dict(src_dict)
        title = d.pop("title")

        amount = ChargeMoneyBody.from_dict(d.pop("amount"))

        milestone_body = cls(
            title=title,
            amount=amount,
        )

        return milestone_body
