from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money import Money


T = TypeVar("T", bound="BalancesOut")


@_attrs_define
class BalancesOut:
    """
    Attributes:
        funded (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        held (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        released (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        refunded (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
        fees (Money): {"amount": <int minor units>, "currency": "<ISO 4217>"}; never a float.
    """

    funded: Money
    held: Money
    released: Money
    refunded: Money
    fees: Money
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        funded = self.funded.to_dict()

        held = self.held.to_dict()

        released = self.released.to_dict()

        refunded = self.refunded.to_dict()

        fees = self.fees.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "funded": funded,
                "held": held,
                "released": released,
                "refunded": refunded,
                "fees": fees,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.money import Money

        d = dict(src_dict)
        funded = Money.from_dict(d.pop("funded"))

        held = Money.from_dict(d.pop("held"))

        released = Money.from_dict(d.pop("released"))

        refunded = Money.from_dict(d.pop("refunded"))

        fees = Money.from_dict(d.pop("fees"))

        balances_out = cls(
            funded=funded,
            held=held,
            released=released,
            refunded=refunded,
            fees=fees,
        )

        balances_out.additional_properties = d
        return balances_out

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
