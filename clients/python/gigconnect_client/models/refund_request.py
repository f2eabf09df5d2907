from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="RefundRequest")


@_attrs_define
class RefundRequest:
    """Without amount: all that is left of the milestone.

    Attributes:
        reason (str):
        amount (MoneyBody | None | Unset):
    """

    reason: str
    amount: MoneyBody | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.money_body import MoneyBody

        reason = self.reason

        amount: dict[str, Any] | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        elif isinstance(self.amount, MoneyBody):
            amount = self.amount.to_dict()
        else:
            amount = self.amount

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
            }
        )
        if amount is not UNSET:
            field_dict["amount"] = amount

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_body import MoneyBody

        d = dict(src_dict)
        reason = d.pop("reason")

        def _parse_amount(data: object) -> MoneyBody | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                amount_type_0 = MoneyBody.from_dict(data)

                return amount_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MoneyBody | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        refund_request = cls(
            reason=reason,
            amount=amount,
        )

        return refund_request
