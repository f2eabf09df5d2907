from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.budget_body_type import BudgetBodyType

if TYPE_CHECKING:
    from ..models.charge_money_body import ChargeMoneyBody


T = TypeVar("T", bound="BudgetBody")


@_attrs_define
class BudgetBody:
    """
    Attributes:
        min_ (ChargeMoneyBody): Money to be charged: at least one minor unit (each currency's own minimum is checked on
            top).
        max_ (ChargeMoneyBody): Money to be charged: at least one minor unit (each currency's own minimum is checked on
            top).
        type_ (BudgetBodyType):
    """

    min_: ChargeMoneyBody
    max_: ChargeMoneyBody
    type_: BudgetBodyType

    def to_dict(self) -> dict[str, Any]:
        min_ = self.min_.to_dict()

        max_ = self.max_.to_dict()

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "min": min_,
                "max": max_,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.charge_money_body import ChargeMoneyBody

        d = dict(src_dict)
        min_ = ChargeMoneyBody.from_dict(d.pop("min"))

        max_ = ChargeMoneyBody.from_dict(d.pop("max"))

        type_ = BudgetBodyType(d.pop("type"))

        budget_body = cls(
            min_=min_,
            max_=max_,
            type_=type_,
        )

        return budget_body
