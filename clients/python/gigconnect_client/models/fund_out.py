from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.milestone_out import MilestoneOut
    from ..models.payment_out import PaymentOut


T = TypeVar("T", bound="FundOut")


@_attrs_define
class FundOut:
    """
    Attributes:
        milestone (MilestoneOut): A part of a contract paid on its own: funded into escrow by the client, released to
            the freelancer.
        payment (PaymentOut):
    """

    milestone: MilestoneOut
    payment: PaymentOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        milestone = self.milestone.to_dict()

        payment = self.payment.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "milestone": milestone,
                "payment": payment,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.milestone_out import MilestoneOut
        from ..models.payment_out import PaymentOut

        d = dict(src_dict)
        milestone = MilestoneOut.from_dict(d.pop("milestone"))

        payment = PaymentOut.from_dict(d.pop("payment"))

        fund_out = cls(
            milestone=milestone,
            payment=payment,
        )

        fund_out.additional_properties = d
        return fund_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
