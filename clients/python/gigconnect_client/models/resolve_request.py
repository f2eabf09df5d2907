from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.money_body import MoneyBody


T = TypeVar("T", bound="ResolveRequest")


@_attrs_define
class ResolveRequest:
    """
    Attributes:
        release_amount (MoneyBody): Money as a client sends it: an ISO 4217 currency and at most eight digits of minor
            units (the largest charge the payment provider takes).
        refund_amount (MoneyBody): Money as a client sends it: an ISO 4217 currency and at most eight digits of minor
            units (the largest charge the payment provider takes).
        note (str):
    """

    release_amount: MoneyBody
    refund_amount: MoneyBody
    note: str

    def to_dict(self) -> dict[str, Any]:
        release_amount = self.release_amount.to_dict()

        refund_amount = self.refund_amount.to_dict()

        note = self.note

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "release_amount": release_amount,
                "refund_amount": refund_amount,
                "note": note,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money_body import MoneyBody

        d = dict(src_dict)
        release_amount = MoneyBody.from_dict(d.pop("release_amount"))

        refund_amount = MoneyBody.from_dict(d.pop("refund_amount"))

        note = d.pop("note")

        resolve_request = cls(
            release_amount=release_amount,
            refund_amount=refund_amount,
            note=note,
        )

        return resolve_request
