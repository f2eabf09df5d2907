from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.charge_money_body import ChargeMoneyBody


T = TypeVar("T", bound="ApplyRequest")


@_attrs_define
class ApplyRequest:
    """
    Attributes:
        cover_letter (str):
        proposed_rate (ChargeMoneyBody): Money to be charged: at least one minor unit (each currency's own minimum is
            checked on top).
        estimated_days (int):
    """

    cover_letter: str
    proposed_rate: ChargeMoneyBody
    estimated_days: int

    def to_dict(self) -> dict[str, Any]:
        cover_letter = self.cover_letter

        proposed_rate = self.proposed_rate.to_dict()

        estimated_days = self.estimated_days

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "cover_letter": cover_letter,
                "proposed_rate": proposed_rate,
                "estimated_days": estimated_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.charge_money_body import ChargeMoneyBody

        d = dict(src_dict)
        cover_letter = d.pop("cover_letter")

        proposed_rate = ChargeMoneyBody.from_dict(d.pop("proposed_rate"))

        estimated_days = d.pop("estimated_days")

        apply_request = cls(
            cover_letter=cover_letter,
            proposed_rate=proposed_rate,
            estimated_days=estimated_days,
        )

        return apply_request
